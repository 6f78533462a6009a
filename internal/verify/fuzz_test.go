package verify

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dockslim/dockslim/parser"
)

// FuzzCheck: Check never panics on what the parser accepts, and a file
// introduces nothing against itself.
func FuzzCheck(f *testing.F) {
	seeds, _ := filepath.Glob("../../fixtures/*/*/Dockerfile")
	more, _ := filepath.Glob("../../fixtures/*/*/want.Dockerfile")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := parser.Load("Dockerfile", src)
		if err != nil {
			return
		}
		Check(file)
		if got := Introduced(file, file); len(got) != 0 {
			t.Fatalf("Introduced(f, f) = %v", got)
		}
	})
}
