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
