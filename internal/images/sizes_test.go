package images

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCompressedSize(t *testing.T) {
	for _, tc := range []struct {
		image, tag string
		bytes      int64
		ok         bool
	}{
		{"python", "3.12", 410908459, true},
		{"python", "3.12-slim", 43188023, true},
		{"python", "3.12-alpine", 18037743, true},
		{"node", "22-bookworm-slim", 79893445, true},
		{"golang", "", 312305560, true},            // latest
		{"python", "3.12-trixie", 410908459, true}, // not measured: 3.12 lists it as an alias
		{"python", "3.12.14", 410908459, true},     // 3.12.14 lists 3.12-trixie, not 3.12: still the same stanza
		{"python", "3.12-slim-bookworm", 0, false},
		{"golang", "1.22", 0, false}, // listed in the README as left out
		{"myorg/python", "3.12", 0, false},
	} {
		n, ok := CompressedSize(tc.image, tc.tag)
		if n != tc.bytes || ok != tc.ok {
			t.Errorf("CompressedSize(%s:%s) = %d, %v; want %d, %v", tc.image, tc.tag, n, ok, tc.bytes, tc.ok)
		}
	}
	s, _ := Size("python", "3.12-trixie")
	if s.Tag != "3.12" || s.Date != "2026-08-13" {
		t.Errorf("Size(python:3.12-trixie) = %+v, want measured tag 3.12 of 2026-08-13", s)
	}
	full, _ := CompressedSize("python", "3.12")
	slim, _ := CompressedSize("python", "3.12-slim")
	if full/slim != 9 { // the README's 9.5x
		t.Errorf("python 3.12 full/slim = %d/%d", full, slim)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		409120197: "~409 MB",
		45520747:  "~46 MB",
		2226327:   "~2 MB",
		499999:    "<1 MB",
		500000:    "~1 MB",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSavingMessage(t *testing.T) {
	for _, tc := range []struct {
		from, to Ref
		want     string
		ok       bool
	}{
		{Ref{"python", "3.11"}, Ref{"python", "3.11-slim"},
			"python:3.11 → python:3.11-slim: ~409 MB → ~46 MB compressed (linux/amd64)", true},
		{Ref{"node", "22"}, Ref{"node", "22-alpine"},
			"node:22 → node:22-alpine: ~408 MB → ~61 MB compressed (linux/amd64)", true},
		{Ref{"openjdk", "21"}, Ref{"eclipse-temurin", "21-jre"},
			"openjdk:21 → eclipse-temurin:21-jre: ~255 MB → ~121 MB compressed (linux/amd64; measured 2023-01-20 and 2026-09-09)", true},
		{Ref{"python", "3.11-bookworm"}, Ref{"python", "3.11-slim-bookworm"},
			"python:3.11-bookworm → python:3.11-slim-bookworm: compressed size unknown for both", false},
		{Ref{"golang", "1.22"}, Ref{"golang", "1.22-alpine"},
			"golang:1.22 → golang:1.22-alpine: compressed size unknown for both", false},
		{Ref{"python", "3.12"}, Ref{"python", "3.12-slim-bookworm"},
			"python:3.12 → python:3.12-slim-bookworm: compressed size unknown for python:3.12-slim-bookworm", false},
		{Ref{"node", "20"}, Ref{"node", "22-slim"},
			"node:20 → node:22-slim: compressed size unknown for node:20", false},
	} {
		got, ok := SavingMessage(tc.from, tc.to)
		if got != tc.want || ok != tc.ok {
			t.Errorf("SavingMessage(%s, %s) =\n %q, %v\nwant\n %q, %v", tc.from, tc.to, got, ok, tc.want, tc.ok)
		}
	}
}

// Size scans the embedded text, so its shape is checked here: the header,
// five fields per row, a positive size, a date, each image:tag once.
func TestEmbeddedSizes(t *testing.T) {
	lines := strings.Split(sizesTSV, "\n")
	if lines[0] != "image\ttag\tamd64_compressed_bytes\tsource_commit\tgenerated_on" || lines[len(lines)-1] != "" {
		t.Fatalf("image-sizes.tsv: header %q, last line %q", lines[0], lines[len(lines)-1])
	}
	seen := map[string]bool{}
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.Split(l, "\t")
		if len(f) != 5 {
			t.Fatalf("image-sizes.tsv: bad row %q", l)
		}
		n, err := strconv.ParseInt(f[2], 10, 64)
		if _, derr := time.Parse(time.DateOnly, f[4]); err != nil || n <= 0 || derr != nil || f[0] == "" || f[1] == "" {
			t.Fatalf("image-sizes.tsv: bad size or date in %q", l)
		}
		if seen[f[0]+":"+f[1]] {
			t.Fatalf("image-sizes.tsv: %s:%s twice", f[0], f[1])
		}
		seen[f[0]+":"+f[1]] = true
		if s, ok := Size(f[0], f[1]); !ok || s.Bytes != n || s.Tag != f[1] || s.Date != f[4] {
			t.Errorf("Size(%s:%s) = %+v, %v; want %d of %s", f[0], f[1], s, ok, n, f[4])
		}
	}
	for _, bad := range [][2]string{{"", "3.12"}, {"python", "3.12\t"}, {"python\t3.12", ""}, {"pytho", "3.12"}, {"python", "3.1"}} {
		if _, ok := Size(bad[0], bad[1]); ok {
			t.Errorf("Size(%q, %q) found a row", bad[0], bad[1])
		}
	}
}
