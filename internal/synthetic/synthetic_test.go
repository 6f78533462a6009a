package synthetic

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/parser"
)

// TestDockerfile: the benchmarks' input parses and has about the lines asked for.
func TestDockerfile(t *testing.T) {
	for _, n := range []int{50, 500} {
		src := Dockerfile(n)
		f, err := parser.Load("Dockerfile", src)
		if err != nil || f.Invalid != nil {
			t.Fatalf("%d lines: %v %v", n, err, f.Invalid)
		}
		if got := strings.Count(string(src), "\n"); got < n*9/10 || got > n*11/10 {
			t.Errorf("asked for %d lines, got %d", n, got)
		}
	}
}

// TestShapes: the scale inputs are valid Dockerfiles of about the size
// asked for, the same for a seed and different across seeds, not one
// stage repeated.
func TestShapes(t *testing.T) {
	for name, gen := range map[string]func(uint64, int) []byte{"varied": Varied, "toolchain": Toolchain} {
		src := gen(1, 200_000)
		f, err := parser.Load("Dockerfile", src)
		if err != nil || f.Invalid != nil {
			t.Fatalf("%s: %v %v", name, err, f.Invalid)
		}
		if len(src) < 200_000 || len(src) > 300_000 {
			t.Errorf("%s: %d bytes for 200000", name, len(src))
		}
		if string(gen(1, 20_000)) != string(gen(1, 20_000)) || string(gen(1, 20_000)) == string(gen(2, 20_000)) {
			t.Errorf("%s: not determined by its seed", name)
		}
		distinct := map[string]bool{}
		for _, st := range f.Stages {
			distinct[string(src[st.From.End:min(st.From.End+300, len(src))])] = true
		}
		if len(distinct) < len(f.Stages)*9/10 {
			t.Errorf("%s: %d distinct stages of %d", name, len(distinct), len(f.Stages))
		}
	}
}

// TestTree: every service's Dockerfile is valid and its COPY sources the
// generator knows are in its context.
func TestTree(t *testing.T) {
	svcs := Tree(3, 50)
	dirs := map[string]bool{}
	for _, s := range svcs {
		f, err := parser.Load(s.Dir+"/Dockerfile", s.Dockerfile)
		if err != nil || f.Invalid != nil {
			t.Fatalf("%s: %v %v\n%s", s.Dir, err, f.Invalid, s.Dockerfile)
		}
		if dirs[s.Dir] || s.Context["requirements.txt"] == "" {
			t.Errorf("%s: repeated, or without its context", s.Dir)
		}
		dirs[s.Dir] = true
	}
}
