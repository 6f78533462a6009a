package measure

import "context"

// What `dockslim fix --verify` (internal/proof) shares with Run: the same
// scratch copies of the context, the same source edit for the cached-rebuild
// test, the same smoke command grammar, so the two measure alike.

// CopyContext copies a build context folder (regular files, folders,
// symlinks; no .git below the top) to dst.
func CopyContext(src, dst string) error { return copyTree(src, dst) }

// PickSourceFile is the context file the cached-rebuild test edits: the
// first source file by path outside hidden and dependency folders, else any
// regular file ("" when there is none).
func PickSourceFile(dir string) string { return pickSourceFile(dir) }

// AppendEdit appends a comment holding mark to the file, in its language
// (a newline for other files): a one-line source edit.
func AppendEdit(path, mark string) error { return appendEdit(path, mark) }

// SmokeArgv splits a smoke command line into argv with shell quoting rules;
// nil when it is not one command of literal words.
func SmokeArgv(line string) []string { return smokeArgv(line) }

// TagName is a tag-safe name for the Dockerfile at path with contents src:
// its folder's name and a short hash.
func TagName(path string, src []byte) string { return tagName(path, src) }

// Tail is the last n lines of s.
func Tail(s string, n int) string { return tail(s, n) }

// Remover is a Builder that can delete the images it built (their tags;
// the build cache stays).
type Remover interface {
	Remove(ctx context.Context, tag string) error
}

func (b *oci) Remove(ctx context.Context, tag string) error {
	_, _, err := b.run(ctx, "", b.tool, b.cmd("rmi", tag)...)
	return err
}

func (d *docker) Remove(ctx context.Context, tag string) error {
	_, _, err := d.run(ctx, "", "docker", "rmi", tag)
	return err
}
