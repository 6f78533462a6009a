package images

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dockslim/dockslim/internal/images/internal/tagdb"
)

// sharedData is ../shared/data seen from the repository root; tests run in
// images/, one level down. CI's clean clone does not have it.
var sharedData = filepath.Join("..", "..", "..", "shared", "data")

// fromArchive are the files of internal/images/data that internal/genrecommends
// makes from Debian's archive, not from ../shared/data.
var fromArchive = []string{"debian-brings-ca-certs.txt", "debian-loses-ca-certs.txt", "debian-brings-libc6-dev.txt", "debian-loses-libc6-dev.txt",
	"debian-build-deps.txt"}

// TestDataInSync regenerates internal/images/data from ../shared/data into a temporary
// directory and compares it byte for byte with what is committed. If this
// fails, run `go generate ./internal/images` and commit internal/images/data.
func TestDataInSync(t *testing.T) {
	if _, err := os.Stat(filepath.Join(sharedData, "official-tags.tsv")); err != nil {
		t.Skipf("skipping: %s not available (%v); the committed internal/images/data is used as is", sharedData, err)
	}
	tmp := t.TempDir()
	if err := tagdb.Generate(sharedData, tmp); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadDir("data")
	if err != nil {
		t.Fatal(err)
	}
	names := func(es []os.DirEntry) (out []string) {
		for _, e := range es {
			if !slices.Contains(fromArchive, e.Name()) {
				out = append(out, e.Name())
			}
		}
		return out
	}
	if !slices.Equal(names(have), names(want)) {
		t.Errorf("internal/images/data holds %q, the generator writes %q", names(have), names(want))
	}
	for _, name := range names(want) {
		gen, _ := os.ReadFile(filepath.Join(tmp, name))
		committed, err := os.ReadFile(filepath.Join("data", name))
		if err != nil || !bytes.Equal(gen, committed) {
			t.Errorf("internal/images/data/%s is out of date (%d bytes committed, %d generated): run go generate ./internal/images", name, len(committed), len(gen))
		}
	}
}
