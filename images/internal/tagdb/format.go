// Package tagdb is the on-disk form of the official-images tag index
// (official-tags.tsv): the encoder used by the generator and the decoder used
// by package images at run time.
//
// Layout (all integers are unsigned varints):
//
//	"dstags1\n"
//	nImages
//	nImages × { len(name) name  nTags  rawLen  compLen }   sorted by name
//	nImages × section                                       same order, compLen bytes each
//
// A section is one image's rows, deflate-compressed (raw deflate, no gzip
// header), so a lookup only inflates the image it asks about. Uncompressed,
// a section is column by column (columns compress better than rows):
//
//	nDirs, nDirs × { len dir }           distinct directories of the image
//	nTags × { shared suffixLen suffix }  tags in byte order, front-coded against the previous tag
//	nTags × firstSeen                    days since Epoch
//	nTags × (lastSeen - firstSeen)       days
//	nTags × (dirIndex<<1 | current)
//	for each current row: nAliases, nAliases × tagIndex
package tagdb

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Magic starts every index file; bump the digit when the layout changes.
const Magic = "dstags1\n"

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

// Image is the decoded index of one official image. Tags are sorted in byte
// order; every per-tag slice is indexed like Ends.
type Image struct {
	Name     string
	Blob     string   // all tags, concatenated
	Ends     []uint32 // tag i is Blob[Ends[i-1]:Ends[i]] (Ends[-1] = 0)
	First    []uint16
	Last     []uint16
	Dir      []uint16 // index into Dirs
	Current  []bool
	Dirs     []string
	AliasOff []uint32 // aliases of tag i are Aliases[AliasOff[i]:AliasOff[i+1]]
	Aliases  []uint32 // tag indexes
}

// Len is the number of tags.
func (im *Image) Len() int { return len(im.Ends) }

// Tag returns tag i.
func (im *Image) Tag(i int) string {
	start := uint32(0)
	if i > 0 {
		start = im.Ends[i-1]
	}
	return im.Blob[start:im.Ends[i]]
}

// Entry locates one image's section in the index file.
type Entry struct {
	Name   string
	NTags  int
	RawLen int
	off    int // offset of the compressed section in the file
	comp   int
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
		e.NTags, e.RawLen, e.comp = r.uint(), r.uint(), r.uint()
	}
	off := r.i
	for k := range entries {
		entries[k].off = off
		off += entries[k].comp
	}
	if r.err != nil || off != len(file) {
		return nil, errors.New("tagdb: corrupt header")
	}
	return entries, nil
}

// Decode inflates and decodes the section of entry e from file.
func Decode(file []byte, e Entry) (*Image, error) {
	raw := make([]byte, e.RawLen)
	fr := flate.NewReader(bytes.NewReader(file[e.off : e.off+e.comp]))
	if _, err := io.ReadFull(fr, raw); err != nil {
		return nil, fmt.Errorf("tagdb: inflate %s: %w", e.Name, err)
	}
	im, err := decodeSection(raw, e.NTags)
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
		im.Dirs[k] = string(r.bytes(r.uint()))
	}

	blob := make([]byte, 0, n*12)
	im.Ends = make([]uint32, n)
	last := 0 // start of the previous tag in blob
	for i := 0; i < n; i++ {
		shared, sl := r.uint(), r.uint()
		suffix := r.bytes(sl)
		if r.err != nil || shared > len(blob)-last {
			return nil, errors.New("corrupt tag column")
		}
		start := len(blob)
		blob = append(blob, blob[last:last+shared]...)
		blob = append(blob, suffix...)
		last = start
		im.Ends[i] = uint32(len(blob))
	}
	im.Blob = string(blob)

	im.First = make([]uint16, n)
	im.Last = make([]uint16, n)
	im.Dir = make([]uint16, n)
	im.Current = make([]bool, n)
	for i := range im.First {
		im.First[i] = uint16(r.uint())
	}
	for i := range im.Last {
		im.Last[i] = im.First[i] + uint16(r.uint())
	}
	for i := range im.Dir {
		v := r.uint()
		im.Current[i] = v&1 == 1
		im.Dir[i] = uint16(v >> 1)
		if int(im.Dir[i]) >= nd {
			return nil, errors.New("corrupt directory index")
		}
	}
	im.AliasOff = make([]uint32, n+1)
	for i := 0; i < n; i++ {
		im.AliasOff[i] = uint32(len(im.Aliases))
		if !im.Current[i] {
			continue
		}
		na := r.uint()
		for ; na > 0 && r.err == nil; na-- {
			t := r.uint()
			if t >= n {
				return nil, errors.New("corrupt alias")
			}
			im.Aliases = append(im.Aliases, uint32(t))
		}
	}
	im.AliasOff[n] = uint32(len(im.Aliases))
	if r.err != nil {
		return nil, r.err
	}
	if r.i != len(raw) {
		return nil, errors.New("trailing bytes in section")
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
