package tagdb

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files produced by Generate in the output directory.
const (
	IndexFile    = "official-tags.bin"
	SizesFile    = "image-sizes.tsv"
	FullSlimFile = "debian-full-vs-slim.tsv"
	SlimCmdsFile = "debian-slim-commands.txt"
)

// copied are the small data files that are embedded unchanged.
var copied = []string{SizesFile, FullSlimFile, SlimCmdsFile}

const tagsHeader = "image\ttag\tfirst_seen\tlast_seen\tcurrent\tdirectory\taliases"

// Generate reads official-tags.tsv and the small data files from srcDir and
// writes the embedded forms to outDir.
func Generate(srcDir, outDir string) error {
	tsv, err := os.ReadFile(filepath.Join(srcDir, "official-tags.tsv"))
	if err != nil {
		return err
	}
	images, err := ParseTSV(tsv)
	if err != nil {
		return err
	}
	index, err := Encode(images)
	if err != nil {
		return err
	}
	outputs := map[string][]byte{IndexFile: index}
	for _, name := range copied {
		b, err := os.ReadFile(filepath.Join(srcDir, name))
		if err != nil {
			return err
		}
		outputs[name] = b
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	for name, b := range outputs {
		if err := writeFile(filepath.Join(outDir, name), b); err != nil {
			return err
		}
	}
	return nil
}

// ParseTSV parses official-tags.tsv strictly: exact header, seven columns,
// valid dates, current in {0,1}, rows sorted by image then tag.
func ParseTSV(data []byte) (map[string][]Row, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	if !sc.Scan() || sc.Text() != tagsHeader {
		return nil, fmt.Errorf("official-tags.tsv: unexpected header (want %q)", tagsHeader)
	}
	images := map[string][]Row{}
	prevImage := ""
	line := 1
	for sc.Scan() {
		line++
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("official-tags.tsv:%d: %d columns, want 7", line, len(f))
		}
		first, err1 := day(f[2])
		last, err2 := day(f[3])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("official-tags.tsv:%d: bad date", line)
		}
		if f[4] != "0" && f[4] != "1" {
			return nil, fmt.Errorf("official-tags.tsv:%d: current must be 0 or 1", line)
		}
		if f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("official-tags.tsv:%d: empty image or tag", line)
		}
		if f[0] < prevImage {
			return nil, fmt.Errorf("official-tags.tsv:%d: images not sorted", line)
		}
		prevImage = f[0]
		r := Row{Tag: f[1], FirstSeen: first, LastSeen: last, Current: f[4] == "1", Directory: f[5]}
		if f[6] != "" {
			r.Aliases = strings.Split(f[6], ",")
		}
		images[f[0]] = append(images[f[0]], r)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return images, nil
}

func day(s string) (uint16, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	d := t.Sub(Epoch).Hours() / 24
	if d < 0 || d > 65535 {
		return 0, fmt.Errorf("date %s out of range", s)
	}
	return uint16(d), nil
}

// writeFile replaces path atomically so an interrupted run leaves the old file.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
