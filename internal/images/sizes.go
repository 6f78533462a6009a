package images

import (
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

//go:embed data/image-sizes.tsv
var sizesTSV string

// SizeInfo is a measured compressed size.
type SizeInfo struct {
	// Bytes is the compressed (registry transfer) size of the linux/amd64
	// image: what docker pull downloads, not the unpacked size, which is
	// typically 2-3x larger.
	Bytes int64
	// Tag is the tag that was measured: the one asked for, or one of its
	// aliases (the same build as of the index).
	Tag string
	// Date (YYYY-MM-DD) is roughly when the measured build was pushed. Sizes
	// drift with every rebuild; compare sizes of similar dates.
	Date string
}

// sizeRow parses the row of image-sizes.tsv that starts at i (just after
// its newline): image, tag, bytes, commit, date. The file's shape is checked
// by TestEmbeddedSizes; rows are looked up in the text, not loaded into a
// map, because a run asks for a few sizes only.
func sizeRow(i int) (image string, s SizeInfo) {
	row, _, _ := strings.Cut(sizesTSV[i:], "\n")
	f := strings.SplitN(row, "\t", 5)
	if len(f) != 5 {
		return "", SizeInfo{}
	}
	n, _ := strconv.ParseInt(f[2], 10, 64)
	return f[0], SizeInfo{Bytes: n, Tag: f[1], Date: f[4]}
}

// Size returns the measured compressed linux/amd64 size of image:tag ("" is
// latest), falling back to a measured alias of the tag. ok is false when
// nothing was measured: never estimate one.
func Size(image, tag string) (SizeInfo, bool) {
	if tag == "" {
		tag = "latest"
	}
	if image == "" || strings.ContainsAny(image+tag, "\t\n") {
		return SizeInfo{}, false
	}
	if i := strings.Index(sizesTSV, "\n"+image+"\t"+tag+"\t"); i >= 0 {
		if _, s := sizeRow(i + 1); s.Bytes > 0 {
			return s, true
		}
	}
	// The same build under another name. Aliases are not symmetric: a tag
	// lists the other Tags of its stanza but not its SharedTags, so
	// python:3.12 lists 3.12-trixie while 3.12-trixie does not list 3.12.
	im := getImage(image)
	i, ok := im.lookup(tag)
	if !ok {
		return SizeInfo{}, false
	}
	prefix := "\n" + image + "\t"
	for rest := 0; ; {
		k := strings.Index(sizesTSV[rest:], prefix)
		if k < 0 {
			return SizeInfo{}, false
		}
		rest += k + 1
		_, s := sizeRow(rest)
		if j, ok := im.lookup(s.Tag); ok && s.Bytes > 0 && im.sameStanza(i, j) {
			return s, true
		}
	}
}

// CompressedSize returns Size(image, tag).Bytes.
func CompressedSize(image, tag string) (bytes int64, ok bool) {
	s, ok := Size(image, tag)
	return s.Bytes, ok
}

// FormatSize formats a byte count in decimal megabytes, rounded: "~409 MB"
// ("<1 MB" below half a megabyte).
func FormatSize(bytes int64) string {
	mb := math.Round(float64(bytes) / 1e6)
	if mb < 1 {
		return "<1 MB"
	}
	return fmt.Sprintf("~%d MB", int64(mb))
}

// SavingMessage describes the size change of replacing from by to, e.g.
//
//	python:3.11 → python:3.11-slim: ~409 MB → ~46 MB compressed (linux/amd64)
//
// When the two builds were measured more than 180 days apart the dates are
// added ("(linux/amd64; measured 2023-01-20 and 2026-09-09)"). When a size is
// unknown the message says so and ok is false.
func SavingMessage(from, to Ref) (msg string, ok bool) {
	head := from.String() + " → " + to.String() + ": "
	fs, fok := Size(from.Image, from.Tag)
	ts, tok := Size(to.Image, to.Tag)
	switch {
	case !fok && !tok:
		return head + "compressed size unknown for both", false
	case !fok:
		return head + "compressed size unknown for " + from.String(), false
	case !tok:
		return head + "compressed size unknown for " + to.String(), false
	}
	note := "linux/amd64"
	if daysApart(fs.Date, ts.Date) > 180 {
		note += "; measured " + fs.Date + " and " + ts.Date
	}
	return fmt.Sprintf("%s%s → %s compressed (%s)", head, FormatSize(fs.Bytes), FormatSize(ts.Bytes), note), true
}

func daysApart(a, b string) float64 {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return math.Abs(ta.Sub(tb).Hours() / 24)
}
