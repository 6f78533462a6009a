package layerorder

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dockslim/dockslim/rewrite"
)

func TestBuildContext(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"requirements.txt", "node_modules/a/index.js", "src/app.py", "docs/x.md", "docs/keep.md"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("# comment\nnode_modules\n/docs\n!docs/keep.md\n"), 0o644)
	open := func(dir string) *buildContext {
		view, raw := rewrite.OpenBuildContext(dir)
		return loadContext(dir, view, raw)
	}
	b := open(dir)
	if b == nil || !b.hasIgnore {
		t.Fatal("context not loaded")
	}
	tests := []struct {
		rel      string
		ok, dir  bool
		excluded bool
	}{
		{"requirements.txt", true, false, false},
		{"src", true, true, false},
		{"node_modules", false, false, true},
		{"node_modules/a/index.js", false, false, true},
		{"docs/x.md", false, false, true},
		{"docs/keep.md", true, false, false},
		{"missing.txt", false, false, false},
		{"../etc/passwd", false, false, false},
	}
	for _, tt := range tests {
		ok, isDir := b.stat(tt.rel)
		if ok != tt.ok || isDir != tt.dir || b.excluded(tt.rel) != tt.excluded {
			t.Errorf("%s: stat=%v,%v excluded=%v; want %v,%v,%v", tt.rel, ok, isDir, b.excluded(tt.rel), tt.ok, tt.dir, tt.excluded)
		}
	}
	if got := b.glob("src/*.py"); len(got) != 1 || got[0] != "src/app.py" {
		t.Errorf("glob: %v", got)
	}
	if got := b.glob("docs/*.md"); len(got) != 1 || got[0] != "docs/keep.md" {
		t.Errorf("glob of a partly excluded folder: %v", got)
	}
	if !b.exists("node_modules/a/index.js") || b.exists("missing.txt") {
		t.Error("exists must see the folder as it is")
	}
	if open("") != nil || open(filepath.Join(dir, "requirements.txt")) != nil {
		t.Error("no context expected")
	}
}
