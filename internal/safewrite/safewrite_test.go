//go:build unix

package safewrite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

const oldText, newText = "FROM alpine\nRUN pip install flask\n", "FROM alpine\nRUN pip install --no-cache-dir flask\n"

func setup(t *testing.T, mode fs.FileMode) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(path, []byte(oldText), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

func content(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noTemp: nothing of dockslim's is left in the folder.
func noTemp(t *testing.T, dir string, want int) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	if len(ents) != want {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want %d entries", names, want)
	}
}

func TestReplaceKeepsMode(t *testing.T) {
	dir, path := setup(t, 0o640|fs.ModeSetuid|fs.ModeSetgid)
	before, _ := os.Stat(path)
	if err := Replace(path, []byte(oldText), []byte(newText)); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if content(t, path) != newText || after.Mode() != before.Mode() {
		t.Errorf("mode %v → %v, content %q", before.Mode(), after.Mode(), content(t, path))
	}
	if os.SameFile(before, after) {
		t.Errorf("a file with one link was not replaced atomically (same inode)")
	}
	noTemp(t, dir, 1)
}

func TestReplaceThroughSymlink(t *testing.T) {
	dir, path := setup(t, 0o644)
	link := filepath.Join(dir, "link.Dockerfile")
	if err := os.Symlink("Dockerfile", link); err != nil {
		t.Fatal(err)
	}
	if err := Replace(link, []byte(oldText), []byte(newText)); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the symlink became a %v", st.Mode())
	}
	if content(t, path) != newText {
		t.Errorf("the target was not written")
	}
	noTemp(t, dir, 2)
}

// Read-only files are refused, even as root (whom the kernel would let
// write): the mode bits say so.
func TestReplaceRefusesReadOnly(t *testing.T) {
	_, path := setup(t, 0o444)
	err := Replace(path, []byte(oldText), []byte(newText))
	var r *Refused
	if !errors.As(err, &r) || content(t, path) != oldText {
		t.Fatalf("err %v, content %q", err, content(t, path))
	}
	if got := err.Error(); got != path+": read-only (mode -r--r--r--): not written" {
		t.Errorf("message %q", got)
	}
}

func TestReplaceKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the file another owner")
	}
	_, path := setup(t, 0o664)
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	if err := Replace(path, []byte(oldText), []byte(newText)); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	sys := st.Sys().(*syscall.Stat_t)
	if sys.Uid != 1234 || sys.Gid != 5678 || content(t, path) != newText {
		t.Errorf("owner %d:%d, content %q", sys.Uid, sys.Gid, content(t, path))
	}
}

// A file with other hard links is written in place: every name sees the
// new content and stays the same file.
func TestReplaceKeepsHardLinks(t *testing.T) {
	dir, path := setup(t, 0o644)
	other := filepath.Join(dir, "other")
	if err := os.Link(path, other); err != nil {
		t.Fatal(err)
	}
	if err := Replace(path, []byte(oldText), []byte(newText)); err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(path)
	b, _ := os.Stat(other)
	if !os.SameFile(a, b) || content(t, other) != newText {
		t.Errorf("the hard link was split or not written: %q", content(t, other))
	}
	// Shorter content truncates.
	if err := Replace(path, []byte(newText), []byte("FROM alpine\n")); err != nil || content(t, other) != "FROM alpine\n" {
		t.Errorf("err %v, content %q", err, content(t, other))
	}
	noTemp(t, dir, 2)
}

// A file saved by someone else after dockslim read it is skipped, with a
// message, and keeps the other writer's content; both ways of writing.
func TestReplaceSkipsChangedFile(t *testing.T) {
	for _, linked := range []bool{false, true} {
		dir, path := setup(t, 0o644)
		if linked {
			os.Link(path, filepath.Join(dir, "other"))
		}
		edit := "FROM alpine\nRUN echo saved meanwhile\n"
		err := replace(path, []byte(oldText), []byte(newText), func() {
			os.WriteFile(path, []byte(edit), 0o644)
		})
		var r *Refused
		if !errors.As(err, &r) || r.Reason != ErrChanged || content(t, path) != edit {
			t.Errorf("linked=%v: err %v, content %q", linked, err, content(t, path))
		}
		noTemp(t, dir, map[bool]int{false: 1, true: 2}[linked])
	}
}

// A FIFO is refused without being opened: the run does not hang.
func TestReplaceRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "Dockerfile")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan error)
	go func() { done <- Replace(fifo, []byte(oldText), []byte(newText)) }()
	select {
	case err := <-done:
		var r *Refused
		if !errors.As(err, &r) {
			t.Errorf("err %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Replace hangs on a FIFO")
	}
}

// In a folder where no file can be created, a writable file is still
// written (in place).
func TestReplaceInReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root creates files in any folder")
	}
	dir, path := setup(t, 0o644)
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if err := Replace(path, []byte(oldText), []byte(newText)); err != nil || content(t, path) != newText {
		t.Errorf("err %v, content %q", err, content(t, path))
	}
}

func TestCreateNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".dockerignore")
	if err := Create(p, []byte(".git\n"), 0o644); err != nil || content(t, p) != ".git\n" {
		t.Fatalf("err %v", err)
	}
	if err := Create(p, []byte("other\n"), 0o644); err == nil || content(t, p) != ".git\n" {
		t.Errorf("an existing file was replaced (err %v)", err)
	}
}
