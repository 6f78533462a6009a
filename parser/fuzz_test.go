package parser

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad: Load never panics, and whatever it accepts satisfies the
// model's invariants (the render is the input byte for byte, spans tile the
// file, shell words sit at their offsets).
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("../fixtures/*/*/Dockerfile")
	more, _ := filepath.Glob("../fixtures/*/*/want.Dockerfile")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, tc := range tricky {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Load("Dockerfile", src)
		if err != nil {
			return
		}
		if err := checkInvariants(file); err != nil {
			t.Fatalf("%v\ninput: %q", err, src)
		}
	})
}
