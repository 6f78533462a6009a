package layerorder

import (
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/rewrite"
)

// openContext is the build context in dir as the passes see it (nil when
// dir is not a folder).
func openContext(dir string) *buildContext {
	view, raw := rewrite.OpenBuildContext(dir)
	return loadContext(dir, view, raw)
}

// testAnalysis is the analysis of src, with the build context in dir ("":
// none).
func testAnalysis(t *testing.T, src, dir string) *analysis {
	t.Helper()
	f := parsertest.Load(t, src)
	a := &analysis{f: f, models: models(f)}
	if dir != "" {
		a.ctx = openContext(dir)
	}
	return a
}
