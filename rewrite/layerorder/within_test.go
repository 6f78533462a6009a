package layerorder

import (
	"strings"
	"testing"
)

// withinSplit is the straightforward definition of within, kept as the
// oracle for the allocation-free version.
func withinSplit(p, dir string) bool {
	if rootOf(p) != rootOf(dir) {
		return false
	}
	if dir == "/" || p == dir {
		return true
	}
	ps, ds := strings.Split(p, "/"), strings.Split(strings.TrimSuffix(dir, "/"), "/")
	if len(ds) > len(ps) {
		return false
	}
	for i, d := range ds {
		if d != ps[i] && d != "*" && ps[i] != "*" {
			return false
		}
	}
	return true
}

func TestWithinMatchesSplit(t *testing.T) {
	paths := []string{"", "/", "//", "/app", "/app/", "/app/x", "/app/x/y", "/apps", "/ap", "/home/*/.cache",
		"/home/u/.cache", "/home/u/.cache/pip", "/home/*", "*", "$W0", "$W0/", "$W0/x", "$W0/x/y", "$W1/x",
		"app", "app/x", "/usr/local/bin", "/usr/local", "/usr", "/*/local", "a//b", "/app//x"}
	for _, p := range paths {
		for _, d := range paths {
			if got, want := within(p, d), withinSplit(p, d); got != want {
				t.Errorf("within(%q, %q) = %v, want %v", p, d, got, want)
			}
		}
	}
}
