// Package tagdb is the on-disk form of the official-images tag index
// (official-tags.tsv): the encoder used by the generator and the decoder used
// by package images at run time.
//
// Layout (varint = unsigned varint):
//
//	"dstags4\n"
//	varint nImages
//	nImages × { varint len(name), name, varint nTags, varint len(section) }   sorted by name
//	nImages × section                                                        same order
//
// A section is one image's rows, column by column, stored as is: the file is
// embedded in the binary's read-only data, so a lookup reads the pages of
// the image it asks about and nothing is inflated or copied (dstags2
// deflated and front-coded each section: a smaller file, but every run that
// looked up python paid about a millisecond and 150 KB of heap to rebuild it).
//
//	varint nDirs, nDirs × { varint len, dir }   distinct directories of the image
//	varint blobLen                             total bytes of all tags
//	nTags × uint32 end                         tag i is blob[end[i-1]:end[i]], little endian
//	blobLen bytes blob                         the tags in byte order, concatenated
//	nTags × uint16 firstSeen                   days since Epoch, little endian
//	nTags × uint16 lastSeen
//	nTags × uint16 dirIndex<<1 | current
//	(nTags+1) × uint16 aliasOff                aliases of tag i: alias[aliasOff[i]:aliasOff[i+1]]
//	nAliases × uint16 alias                    tag indexes; only current rows have aliases
//
// Every column, the tags included, is read in place: decoding allocates
// only the directory names, and Find is a binary search.
package tagdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
	"unsafe"
)

// Magic starts every index file; bump the digit when the layout changes.
const Magic = "dstags4\n"

// Epoch is day 0 of the day numbers stored in the index.
var Epoch = time.Date(2013, time.January, 1, 0, 0, 0, 0, time.UTC)

// Row is one line of official-tags.tsv with dates as day numbers.
type Row struct {
	Tag       string
	FirstSeen uint16 // days since Epoch
	LastSeen  uint16 // days since Epoch
	Current   bool
	Directory string
	Aliases   []string // only for current rows
}

// Image is the decoded index of one official image. Tags are numbered in
// byte order, 0..Len()-1.
type Image struct {
	Name string
	Dirs []string
	blob string // all tags, concatenated (a view of the file)
	ends []byte // uint32 column: tag i is blob[end(i-1):end(i)]
	// Fixed-width columns, slices of the inflated section.
	first, last, dirCur, alias []byte
	aliasOff                   []byte
}

// Len is the number of tags.
func (im *Image) Len() int { return len(im.ends) / 4 }

// Tag returns tag i.
func (im *Image) Tag(i int) string {
	start := uint32(0)
	if i > 0 {
		start = u32(im.ends, i-1)
	}
	return im.blob[start:u32(im.ends, i)]
}

// Find returns the index of tag by binary search: the tags are in byte
// order (decodeSection checks it). A run looks up a few tags, so this beats
// building a hash table over thousands of them at every start.
func (im *Image) Find(tag string) (int, bool) {
	i := sort.Search(im.Len(), func(i int) bool { return im.Tag(i) >= tag })
	return i, i < im.Len() && im.Tag(i) == tag
}

// FirstSeen and LastSeen return the dates of tag i in days since Epoch.
func (im *Image) FirstSeen(i int) uint16 { return u16(im.first, i) }

// LastSeen: see FirstSeen.
func (im *Image) LastSeen(i int) uint16 { return u16(im.last, i) }

// Current reports whether tag i is still listed.
func (im *Image) Current(i int) bool { return u16(im.dirCur, i)&1 == 1 }

// Directory returns the build directory of tag i.
func (im *Image) Directory(i int) string { return im.Dirs[u16(im.dirCur, i)>>1] }

// NumAliases returns how many aliases tag i has.
func (im *Image) NumAliases(i int) int {
	return int(u16(im.aliasOff, i+1) - u16(im.aliasOff, i))
}

// Alias returns the k-th alias of tag i, as a tag index.
func (im *Image) Alias(i, k int) int {
	return int(u16(im.alias, int(u16(im.aliasOff, i))+k))
}

func u16(col []byte, i int) uint16 { return binary.LittleEndian.Uint16(col[2*i:]) }

func u32(col []byte, i int) uint32 { return binary.LittleEndian.Uint32(col[4*i:]) }

// Entry locates one image's section in the index file.
type Entry struct {
	Name   string
	NTags  int
	RawLen int // bytes of the section
	off    int // offset of the section in the file
}

// ReadHeader parses the header of an index file. It does not inflate anything.
func ReadHeader(file []byte) ([]Entry, error) {
	if !bytes.HasPrefix(file, []byte(Magic)) {
		return nil, errors.New("tagdb: bad magic")
	}
	r := reader{b: file, i: len(Magic)}
	n := r.uint()
	if n > 1<<12 {
		return nil, errors.New("tagdb: too many images")
	}
	entries := make([]Entry, n)
	for k := range entries {
		e := &entries[k]
		e.Name = string(r.bytes(r.uint()))
		e.NTags, e.RawLen = r.uint(), r.uint()
		if e.NTags >= 1<<16 || e.RawLen > 1<<26 {
			return nil, errors.New("tagdb: corrupt header")
		}
	}
	off := r.i
	for k := range entries {
		entries[k].off = off
		off += entries[k].RawLen
	}
	if r.err != nil || off != len(file) {
		return nil, errors.New("tagdb: corrupt header")
	}
	return entries, nil
}

// Decode decodes the section of entry e in file, in place: the returned
// Image refers to file's memory, which must not change.
func Decode(file []byte, e Entry) (*Image, error) {
	im, err := decodeSection(file[e.off:e.off+e.RawLen:e.off+e.RawLen], e.NTags)
	if err != nil {
		return nil, fmt.Errorf("tagdb: %s: %w", e.Name, err)
	}
	im.Name = e.Name
	return im, nil
}

func decodeSection(raw []byte, n int) (*Image, error) {
	r := reader{b: raw}
	im := &Image{}
	nd := r.uint()
	if nd > len(raw) {
		return nil, errors.New("corrupt directory count")
	}
	im.Dirs = make([]string, nd)
	for k := range im.Dirs {
		d := r.bytes(r.uint())
		im.Dirs[k] = unsafe.String(unsafe.SliceData(d), len(d)) // a view, like blob below
	}

	blobLen := r.uint()
	im.ends = r.bytes(4 * n)
	blob := r.bytes(blobLen)
	if r.err != nil {
		return nil, errors.New("corrupt tag column")
	}
	prev := uint32(0)
	for i := 0; i < n; i++ {
		end := u32(im.ends, i)
		if end < prev || int(end) > blobLen {
			return nil, errors.New("corrupt tag column")
		}
		prev = end
	}
	if int(prev) != blobLen {
		return nil, errors.New("corrupt tag length")
	}
	// The file is never written (it is the binary's read-only data), so the
	// string may share its memory.
	im.blob = unsafe.String(unsafe.SliceData(blob), len(blob))
	for i := 1; i < n; i++ {
		if im.Tag(i-1) >= im.Tag(i) {
			return nil, errors.New("tags not in byte order")
		}
	}

	im.first = r.bytes(2 * n)
	im.last = r.bytes(2 * n)
	im.dirCur = r.bytes(2 * n)
	im.aliasOff = r.bytes(2 * (n + 1))
	if r.err != nil {
		return nil, r.err
	}
	nAlias := int(u16(im.aliasOff, n))
	im.alias = r.bytes(2 * nAlias)
	if r.err != nil {
		return nil, r.err
	}
	if r.i != len(raw) {
		return nil, errors.New("trailing bytes in section")
	}
	for i := 0; i < n; i++ {
		if int(u16(im.dirCur, i)>>1) >= nd || u16(im.aliasOff, i) > u16(im.aliasOff, i+1) {
			return nil, errors.New("corrupt row")
		}
	}
	for k := 0; k < nAlias; k++ {
		if int(u16(im.alias, k)) >= n {
			return nil, errors.New("corrupt alias")
		}
	}
	return im, nil
}

// reader reads varints and byte strings, remembering the first error.
type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) uint() int {
	if r.err != nil {
		return 0
	}
	v, w := binary.Uvarint(r.b[r.i:])
	if w <= 0 || v > 1<<31 {
		r.err = errors.New("bad varint")
		return 0
	}
	r.i += w
	return int(v)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b)-r.i {
		r.err = io.ErrUnexpectedEOF
		return nil
	}
	s := r.b[r.i : r.i+n]
	r.i += n
	return s
}
