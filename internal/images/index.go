package images

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unsafe"

	"github.com/dockslim/dockslim/internal/images/internal/tagdb"
)

// indexData is embedded as a string so that it lands in the binary's
// read-only data (a []byte would be writable data, which a process copies
// page by page when touched).
//
//go:embed data/official-tags.bin
var indexData string

// indexFile views indexData as bytes for tagdb, which only ever reads it
// (writing to it would fault: the memory is read-only).
var indexFile = unsafe.Slice(unsafe.StringData(indexData), len(indexData))

// image is one official image's decoded tag index.
type image struct {
	*tagdb.Image
	// distros memoizes distro(i) by row: it depends only on the embedded
	// index, so the answer never changes within a process, and the keys are
	// bounded by the number of rows. Files run in parallel, hence sync.Map.
	distros sync.Map // int → distroResult
}

// slot loads one image's section on first use.
type slot struct {
	entry tagdb.Entry
	once  sync.Once
	img   *image
}

var (
	headerOnce sync.Once
	slots      map[string]*slot
	imageNames []string
)

// loadHeader reads the index header: names and offsets only, no inflating.
func loadHeader() {
	headerOnce.Do(func() {
		entries, err := tagdb.ReadHeader(indexFile)
		if err != nil {
			// The index is compiled in and checked by the tests: a failure
			// here means a broken build, not bad user input.
			panic(fmt.Sprintf("images: embedded tag index: %v", err))
		}
		slots = make(map[string]*slot, len(entries))
		for _, e := range entries {
			slots[e.Name] = &slot{entry: e}
			imageNames = append(imageNames, e.Name)
		}
	})
}

// knownImage reports whether name is in the index, without decoding it.
func knownImage(name string) bool {
	loadHeader()
	return slots[name] != nil
}

// getImage returns the decoded index of an official image, or nil.
func getImage(name string) *image {
	loadHeader()
	s := slots[name]
	if s == nil {
		return nil
	}
	s.once.Do(func() { s.img = decodeImage(s.entry) })
	return s.img
}

func decodeImage(e tagdb.Entry) *image {
	im, err := tagdb.Decode(indexFile, e)
	if err != nil {
		panic(fmt.Sprintf("images: embedded tag index: %v", err))
	}
	return &image{Image: im}
}

// lookup finds a tag ("" means latest).
func (im *image) lookup(tag string) (int, bool) {
	if im == nil {
		return 0, false
	}
	if tag == "" {
		tag = "latest"
	}
	return im.Find(tag)
}

// aliasTags returns the other tags of row i's stanza.
func (im *image) aliasTags(i int) []string {
	var out []string
	for k := 0; k < im.NumAliases(i); k++ {
		out = append(out, im.Tag(im.Alias(i, k)))
	}
	return out
}

// sameStanza reports whether tags i and j name the same build. Aliases list
// the other Tags of a stanza but not its SharedTags (python:3.12 lists
// 3.12-trixie, not the reverse; 3.12 and 3.12.14 list neither each other,
// only common Tags), so all three relations are checked. Only current rows
// have aliases: a tag that is no longer listed matches only itself.
func (im *image) sameStanza(i, j int) bool {
	if i == j || im.hasAlias(i, j) || im.hasAlias(j, i) {
		return true
	}
	for k := 0; k < im.NumAliases(i); k++ {
		if im.hasAlias(j, im.Alias(i, k)) {
			return true
		}
	}
	return false
}

func (im *image) hasAlias(i, j int) bool {
	for k := 0; k < im.NumAliases(i); k++ {
		if im.Alias(i, k) == j {
			return true
		}
	}
	return false
}

// withPrefix returns the indexes of the tags that start with prefix, in byte
// order (the tags are sorted, so this is a binary search plus a scan).
func (im *image) withPrefix(prefix string) []int {
	n := im.Len()
	lo := sort.Search(n, func(i int) bool { return im.Tag(i) >= prefix })
	var out []int
	for i := lo; i < n && strings.HasPrefix(im.Tag(i), prefix); i++ {
		out = append(out, i)
	}
	return out
}

// day formats a day number of the index as YYYY-MM-DD.
func day(d uint16) string {
	return tagdb.Epoch.AddDate(0, 0, int(d)).Format("2006-01-02")
}
