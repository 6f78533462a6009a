package layerorder

import (
	"testing"

	"github.com/dockslim/dockslim/rewrite"
)

// TestMayCopyContext: the text test that makes a large file run whole
// when DS303/DS304 may report on it: a COPY or ADD of the whole context
// (on a continuation line too, in exec form), with a context.
func TestMayCopyContext(t *testing.T) {
	ctx := rewrite.Options{ContextDir: "."}
	for src, want := range map[string]bool{
		"FROM a\nCOPY . /app\n":                  true,
		"FROM a\ncopy ./ /app\n":                 true,
		"FROM a\nADD --chown=1 * /app/\n":        true,
		"FROM a\nCOPY [\".\", \"/app\"]\n":       true,
		"FROM a\nCOPY --link \\\n  . /app\n":     true,
		"FROM a\nCOPY src /app\nRUN cd / && x\n": false,
		"FROM a\n# COPY . /app\n":                false,
		"FROM a\nRUN cp -r . /app\n":             false,
	} {
		if got := mayCopyContext([]byte(src), ctx); got != want {
			t.Errorf("%q: %v, want %v", src, got, want)
		}
	}
	if mayCopyContext([]byte("FROM a\nCOPY . /app\n"), rewrite.Options{}) {
		t.Errorf("without a context the pass reports nothing")
	}
}
