package tagdb

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"sort"
)

// Encode builds an index file from rows grouped by image. Within an image,
// rows must be sorted by tag in byte order and tags must be unique.
func Encode(images map[string][]Row) ([]byte, error) {
	names := make([]string, 0, len(images))
	for name := range images {
		names = append(names, name)
	}
	sort.Strings(names)

	var header, body bytes.Buffer
	header.WriteString(Magic)
	putUint(&header, len(names))
	for _, name := range names {
		rows := images[name]
		raw, err := encodeSection(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		comp, err := deflate(raw)
		if err != nil {
			return nil, err
		}
		putString(&header, name)
		putUint(&header, len(rows))
		putUint(&header, len(raw))
		putUint(&header, len(comp))
		body.Write(comp)
	}
	header.Write(body.Bytes())
	return header.Bytes(), nil
}

func encodeSection(rows []Row) ([]byte, error) {
	index := make(map[string]int, len(rows))
	for i, r := range rows {
		if i > 0 && rows[i-1].Tag >= r.Tag {
			return nil, fmt.Errorf("tags not sorted or duplicated at %q", r.Tag)
		}
		if r.LastSeen < r.FirstSeen {
			return nil, fmt.Errorf("%s: last_seen before first_seen", r.Tag)
		}
		index[r.Tag] = i
	}

	// Directories in order of first use, so the output is deterministic.
	var dirs []string
	dirIndex := map[string]int{}
	for _, r := range rows {
		if _, ok := dirIndex[r.Directory]; !ok {
			dirIndex[r.Directory] = len(dirs)
			dirs = append(dirs, r.Directory)
		}
	}

	var b bytes.Buffer
	putUint(&b, len(dirs))
	for _, d := range dirs {
		putString(&b, d)
	}
	prev := ""
	for _, r := range rows {
		n := 0
		for n < len(prev) && n < len(r.Tag) && prev[n] == r.Tag[n] {
			n++
		}
		putUint(&b, n)
		putString(&b, r.Tag[n:])
		prev = r.Tag
	}
	for _, r := range rows {
		putUint(&b, int(r.FirstSeen))
	}
	for _, r := range rows {
		putUint(&b, int(r.LastSeen-r.FirstSeen))
	}
	for _, r := range rows {
		v := dirIndex[r.Directory] << 1
		if r.Current {
			v |= 1
		}
		putUint(&b, v)
	}
	for _, r := range rows {
		if !r.Current {
			if len(r.Aliases) > 0 {
				return nil, fmt.Errorf("%s: aliases on a row that is not current", r.Tag)
			}
			continue
		}
		putUint(&b, len(r.Aliases))
		for _, a := range r.Aliases {
			i, ok := index[a]
			if !ok {
				return nil, fmt.Errorf("%s: alias %q is not a tag of the image", r.Tag, a)
			}
			putUint(&b, i)
		}
	}
	return b.Bytes(), nil
}

func deflate(raw []byte) ([]byte, error) {
	var out bytes.Buffer
	w, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func putUint(b *bytes.Buffer, v int) {
	var tmp [binary.MaxVarintLen64]byte
	b.Write(tmp[:binary.PutUvarint(tmp[:], uint64(v))])
}

func putString(b *bytes.Buffer, s string) {
	putUint(b, len(s))
	b.WriteString(s)
}
