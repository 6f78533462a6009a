package layerorder

import (
	"path/filepath"
	"testing"

	"github.com/dockslim/dockslim/internal/testfs"
)

func TestBuildContext(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, map[string]string{"requirements.txt": "x", "node_modules/a/index.js": "x", "src/app.py": "x", "docs/x.md": "x", "docs/keep.md": "x",
		".dockerignore": "# comment\nnode_modules\n/docs\n!docs/keep.md\n"})
	b := openContext(dir)
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
	if openContext("") != nil || openContext(filepath.Join(dir, "requirements.txt")) != nil {
		t.Error("no context expected")
	}
}
