package diff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var pairs = []struct{ name, a, b string }{
	{"one line", "FROM a\nRUN x\n", "FROM a\nRUN y\n"},
	{"insert at start", "B\nC\n", "A\nB\nC\n"},
	{"append", "A\n", "A\nB\n"},
	{"no newline both", "A\nB", "A\nC"},
	{"newline added", "A\nB", "A\nB\n"},
	{"newline removed", "A\nB\n", "A\nB"},
	{"far apart", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n", "1x\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14x\n"},
	{"near", "1\n2\n3\n4\n5\n6\n7\n8\n", "1x\n2\n3\n4\n5\n6\n7x\n8\n"},
	{"crlf", "FROM a\r\nRUN x\r\n", "FROM a\r\nRUN y\r\nRUN z\r\n"},
	{"delete all", "A\nB\n", ""},
	{"from empty", "", "A\n"},
}

func TestApplyOwn(t *testing.T) {
	for _, p := range pairs {
		d := Unified("Dockerfile", []byte(p.a), []byte(p.b))
		got, err := Apply([]byte(p.a), d)
		if err != nil {
			t.Fatalf("%s: %v\n%s", p.name, err, d)
		}
		if string(got) != p.b {
			t.Errorf("%s: got %q want %q\n%s", p.name, got, p.b, d)
		}
	}
}

func TestEqualIsEmpty(t *testing.T) {
	if d := Unified("x", []byte("a\n"), []byte("a\n")); d != "" {
		t.Errorf("want empty diff, got %q", d)
	}
}

// TestPatchAndGitApply feeds every diff to patch -p1 and git apply.
func TestPatchAndGitApply(t *testing.T) {
	for _, tool := range [][]string{{"patch", "-p1", "-s", "--no-backup-if-mismatch"}, {"git", "apply"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			t.Skipf("%s not installed", tool[0])
		}
		for _, p := range pairs {
			if p.a == "" || p.b == "" {
				continue // creation and deletion need /dev/null headers
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "Dockerfile")
			os.WriteFile(file, []byte(p.a), 0o644)
			cmd := exec.Command(tool[0], tool[1:]...)
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader("# a preamble that tools skip\n" + Unified("Dockerfile", []byte(p.a), []byte(p.b)))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s on %s: %v\n%s", tool[0], p.name, err, out)
			}
			got, _ := os.ReadFile(file)
			if string(got) != p.b {
				t.Errorf("%s on %s: got %q want %q", tool[0], p.name, got, p.b)
			}
		}
	}
}

func TestNewFile(t *testing.T) {
	d := Unified(".dockerignore", nil, []byte(".git\nnode_modules\n"))
	want := "--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1,2 @@\n+.git\n+node_modules\n"
	if d != want {
		t.Errorf("got\n%s\nwant\n%s", d, want)
	}
}
