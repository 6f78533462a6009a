package rewrite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestBuildContextHonoursDockerignore(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"requirements.txt", "node_modules/a/index.js", "src/app.py", "docs/x.md", "docs/keep.md", ".git/config"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("# comment\nnode_modules\n.git\n/docs\n!docs/keep.md\n"), 0o644)
	view, raw := OpenBuildContext(dir)
	for name, want := range map[string]bool{
		"requirements.txt": true, "src/app.py": true, "docs/keep.md": true, "docs": true,
		"node_modules": false, "node_modules/a/index.js": false, "docs/x.md": false, ".git/config": false, "missing": false,
	} {
		_, err := fs.Stat(view, name)
		if (err == nil) != want || err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%s): %v, want present %v", name, err, want)
		}
		if _, err := fs.ReadFile(view, name); name == "docs/x.md" && err == nil {
			t.Errorf("ReadFile(%s) reads an excluded file", name)
		}
		if _, err := fs.Stat(raw, name); (err == nil) != (name != "missing") {
			t.Errorf("raw Stat(%s): %v", name, err)
		}
	}
	var names []string
	fs.WalkDir(view, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if want := []string{".dockerignore", "docs/keep.md", "requirements.txt", "src/app.py"}; !slices.Equal(names, want) {
		t.Errorf("walk: %q, want %q", names, want)
	}
	if m, _ := fs.Glob(view, "docs/*.md"); !slices.Equal(m, []string{"docs/keep.md"}) {
		t.Errorf("glob: %q", m)
	}
	if v, r := OpenBuildContext(""); v != nil || r != nil {
		t.Error("no context: want nil views")
	}
	if v, _ := OpenBuildContext(filepath.Join(dir, "requirements.txt")); v != nil {
		t.Error("a file is not a context")
	}
	// Without a .dockerignore both views are the folder.
	v, r := OpenBuildContext(filepath.Join(dir, "src"))
	if v == nil || v != r {
		t.Error("without .dockerignore the view is the folder itself")
	}
}

func TestContextPath(t *testing.T) {
	for in, want := range map[string]string{"/app/x": "app/x", "./a": "a", "a/../b": "b", ".": ".", "/": ".", "../x": "", "a/../../x": ""} {
		got, ok := ContextPath(in)
		if got != want || ok != (want != "") {
			t.Errorf("ContextPath(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// A pass reads the build context through its Context, once per run.
func TestPassSeesBuildContext(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("secret.txt\n"), 0o644)
	rule := &Rule{ID: "DS995", Name: "test-context"}
	var seen, rawSeen []bool
	e, err := NewEngine(&Pass{Name: "test-context", Rules: []*Rule{rule}, Run: func(c *Context) {
		_, err := fs.Stat(c.BuildContext, "secret.txt")
		_, rawErr := fs.Stat(c.RawBuildContext(), "secret.txt")
		seen, rawSeen = append(seen, err == nil), append(rawSeen, rawErr == nil)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run("Dockerfile", []byte("FROM alpine\n"), Options{ContextDir: dir}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, []bool{false}) || !slices.Equal(rawSeen, []bool{true}) {
		t.Errorf("BuildContext saw secret.txt: %v; RawBuildContext: %v", seen, rawSeen)
	}
}
