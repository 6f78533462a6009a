// Package safewrite replaces a file's content without ever losing a byte
// of it: through symlinks to their target, keeping owner, mode bits
// (setuid, setgid, sticky) and hard links, refusing read-only files and
// anything that is not a regular file, and skipping a file that changed
// since it was read.
//
// A file is replaced atomically (a temporary file in its folder, then a
// rename) when that keeps everything: a file with other hard links, or
// whose owner the temporary file cannot take, or in a folder where no file
// can be created, is written in place instead (not atomic, but its links,
// owner and inode stay; a failed write puts the old content back).
package safewrite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Refused is a file left alone on purpose; Reason says why.
type Refused struct {
	Path, Reason string
}

func (e *Refused) Error() string { return e.Path + ": " + e.Reason + ": not written" }

// ErrChanged is the reason of a file that changed since it was read.
const ErrChanged = "changed since dockslim read it (saved by an editor or another tool?)"

// Replace writes data to path, which held old when it was read. A symlink
// is followed and its target written.
func Replace(path string, old, data []byte) error { return replace(path, old, data, nil) }

// replace is Replace with a hook run just before the final check, for tests.
func replace(path string, old, data []byte, beforeCheck func()) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	st, err := os.Lstat(real)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &Refused{path, "not a regular file"}
	}
	if !writable(st) {
		return &Refused{path, fmt.Sprintf("read-only (mode %s)", st.Mode().Perm())}
	}
	if links(st) > 1 {
		return inPlace(path, real, old, data, beforeCheck)
	}
	err = viaRename(path, real, st, old, data, beforeCheck)
	if errors.Is(err, errKeep) {
		return inPlace(path, real, old, data, beforeCheck)
	}
	return err
}

// errKeep: a temporary file cannot stand in for this one (its owner
// cannot be given to it, or its folder takes no new file).
var errKeep = errors.New("cannot replace by rename")

// viaRename writes a temporary file beside real with real's owner and mode,
// checks that real still holds old, and renames it over real.
func viaRename(path, real string, st fs.FileInfo, old, data []byte, beforeCheck func()) error {
	tmp, err := os.CreateTemp(filepath.Dir(real), "."+filepath.Base(real)+".dockslim-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return errKeep
		}
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // a no-op once renamed
	if err := writeClose(tmp, data); err != nil {
		return err
	}
	// The owner first: chown clears the setuid and setgid bits.
	if err := sameOwner(name, st); err != nil {
		return errKeep
	}
	if err := os.Chmod(name, st.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return err
	}
	if beforeCheck != nil {
		beforeCheck()
	}
	if cur, err := os.ReadFile(real); err != nil || !bytes.Equal(cur, old) {
		return &Refused{path, ErrChanged}
	}
	return os.Rename(name, real)
}

// inPlace overwrites real through its own inode, after checking it still
// holds old; a failed write puts old back.
func inPlace(path, real string, old, data []byte, beforeCheck func()) error {
	f, err := os.OpenFile(real, os.O_RDWR|openNonBlock, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return &Refused{path, "not a regular file"}
	}
	if beforeCheck != nil {
		beforeCheck()
	}
	if cur, err := io.ReadAll(f); err != nil || !bytes.Equal(cur, old) {
		return &Refused{path, ErrChanged}
	}
	if err := overwrite(f, data); err != nil {
		if rerr := overwrite(f, old); rerr != nil {
			return fmt.Errorf("%s: writing in place failed (%v) and so did restoring it (%v)", path, err, rerr)
		}
		return fmt.Errorf("%s: writing in place failed, content restored: %v", path, err)
	}
	return nil
}

func overwrite(f *os.File, data []byte) error {
	if _, err := f.WriteAt(data, 0); err != nil {
		return err
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return err
	}
	return f.Sync()
}

// Create writes a new file at path with mode perm; it never replaces one
// that exists (even one created after the caller looked).
func Create(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := writeClose(f, data); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// writeClose writes data to f, syncs and closes it.
func writeClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
