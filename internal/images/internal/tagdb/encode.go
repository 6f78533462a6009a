package tagdb

import (
	"bytes"
	"encoding/binary"
	"errors"
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
		putString(&header, name)
		putUint(&header, len(rows))
		putUint(&header, len(raw))
		body.Write(raw)
	}
	header.Write(body.Bytes())
	return header.Bytes(), nil
}

func encodeSection(rows []Row) ([]byte, error) {
	// Tag indexes are uint16.
	if len(rows) >= 1<<16 {
		return nil, fmt.Errorf("%d tags, at most %d fit", len(rows), 1<<16-1)
	}
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
			if len(dirs) >= 1<<15 {
				return nil, errors.New("too many directories")
			}
			dirIndex[r.Directory] = len(dirs)
			dirs = append(dirs, r.Directory)
		}
	}

	var b bytes.Buffer
	putUint(&b, len(dirs))
	for _, d := range dirs {
		putString(&b, d)
	}
	blobLen := 0
	for _, r := range rows {
		blobLen += len(r.Tag)
	}
	putUint(&b, blobLen)
	le := binary.LittleEndian
	end := 0
	for _, r := range rows {
		end += len(r.Tag)
		b.Write(le.AppendUint32(nil, uint32(end)))
	}
	for _, r := range rows {
		b.WriteString(r.Tag)
	}
	for _, r := range rows {
		b.Write(le.AppendUint16(nil, r.FirstSeen))
	}
	for _, r := range rows {
		b.Write(le.AppendUint16(nil, r.LastSeen))
	}
	for _, r := range rows {
		v := dirIndex[r.Directory] << 1
		if r.Current {
			v |= 1
		}
		b.Write(le.AppendUint16(nil, uint16(v)))
	}
	var aliases []uint16
	for _, r := range rows {
		b.Write(le.AppendUint16(nil, uint16(len(aliases))))
		if !r.Current && len(r.Aliases) > 0 {
			return nil, fmt.Errorf("%s: aliases on a row that is not current", r.Tag)
		}
		for _, a := range r.Aliases {
			i, ok := index[a]
			if !ok {
				return nil, fmt.Errorf("%s: alias %q is not a tag of the image", r.Tag, a)
			}
			aliases = append(aliases, uint16(i))
		}
	}
	if len(aliases) >= 1<<16 {
		return nil, fmt.Errorf("%d aliases, at most %d fit", len(aliases), 1<<16-1)
	}
	b.Write(le.AppendUint16(nil, uint16(len(aliases))))
	for _, a := range aliases {
		b.Write(le.AppendUint16(nil, a))
	}
	return b.Bytes(), nil
}

func putUint(b *bytes.Buffer, v int) {
	var tmp [binary.MaxVarintLen64]byte
	b.Write(tmp[:binary.PutUvarint(tmp[:], uint64(v))])
}

func putString(b *bytes.Buffer, s string) {
	putUint(b, len(s))
	b.WriteString(s)
}
