package tagdb

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const sample = tagsHeader + `
alpine	3.21	2024-12-05	2026-08-01	1	x86_64/	3.21.7
alpine	3.21.7	2026-08-01	2026-08-01	1	x86_64/	3.21
python	3.11	2022-10-24	2026-08-13	1	3.11/trixie	3.11-trixie
python	3.11-slim-buster	2022-10-24	2023-06-07	0	3.11/slim-buster	
python	3.11-trixie	2025-08-11	2026-08-13	1	3.11/trixie	3.11
`

func TestRoundTrip(t *testing.T) {
	images, err := ParseTSV([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	file, err := Encode(images)
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, file, images)
}

// TestRoundTripShared checks the whole real index when the shared data is
// there (it is not in CI's clean clone).
func TestRoundTripShared(t *testing.T) {
	tsv, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "..", "shared", "data", "official-tags.tsv"))
	if err != nil {
		t.Skip("shared data not available:", err)
	}
	images, err := ParseTSV(tsv)
	if err != nil {
		t.Fatal(err)
	}
	file, err := Encode(images)
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, file, images)
}

func checkRoundTrip(t *testing.T, file []byte, images map[string][]Row) {
	t.Helper()
	entries, err := ReadHeader(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		im, _ := Decode(file, e)
		if _, ok := im.Find("no-such-tag"); ok {
			t.Fatalf("%s: found a tag that does not exist", e.Name)
		}
	}
	if len(entries) != len(images) {
		t.Fatalf("%d images, want %d", len(entries), len(images))
	}
	for _, e := range entries {
		im, err := Decode(file, e)
		if err != nil {
			t.Fatal(err)
		}
		rows := images[e.Name]
		if im.Len() != len(rows) {
			t.Fatalf("%s: %d tags, want %d", e.Name, im.Len(), len(rows))
		}
		for i, want := range rows {
			got := Row{
				Tag: im.Tag(i), FirstSeen: im.FirstSeen(i), LastSeen: im.LastSeen(i),
				Current: im.Current(i), Directory: im.Directory(i),
			}
			for k := 0; k < im.NumAliases(i); k++ {
				got.Aliases = append(got.Aliases, im.Tag(im.Alias(i, k)))
			}
			if j, ok := im.Find(want.Tag); !ok || j != i {
				t.Fatalf("%s: Find(%q) = %d, %v; want %d", e.Name, want.Tag, j, ok, i)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s row %d:\n got %+v\nwant %+v", e.Name, i, got, want)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, in := range map[string]string{
		"header":   "image\ttag\n",
		"columns":  tagsHeader + "\npython\t3.11\n",
		"date":     tagsHeader + "\npython\t3.11\t2022-13-01\t2026-08-13\t1\t.\t\n",
		"current":  tagsHeader + "\npython\t3.11\t2022-10-01\t2026-08-13\t2\t.\t\n",
		"unsorted": tagsHeader + "\npython\t3.11\t2022-10-01\t2026-08-13\t1\t.\t\nalpine\t3\t2022-10-01\t2026-08-13\t1\t.\t\n",
	} {
		if _, err := ParseTSV([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Encode catches what only makes sense per image.
	for name, rows := range map[string][]Row{
		"duplicate":    {{Tag: "a"}, {Tag: "a"}},
		"alias":        {{Tag: "a", Current: true, Aliases: []string{"b"}}},
		"old alias":    {{Tag: "a", Aliases: []string{"a"}}},
		"time reverse": {{Tag: "a", FirstSeen: 2, LastSeen: 1}},
	} {
		if _, err := Encode(map[string][]Row{"x": rows}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCorruptInput(t *testing.T) {
	images, _ := ParseTSV([]byte(sample))
	file, _ := Encode(images)
	if _, err := ReadHeader(file[:len(file)-1]); err == nil {
		t.Error("truncated file: no error")
	}
	if _, err := ReadHeader(append([]byte("x"), file...)); err == nil {
		t.Error("bad magic: no error")
	}
}
