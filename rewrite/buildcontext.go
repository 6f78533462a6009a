package rewrite

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// The build context as the passes read it.
//
// Context.BuildContext is the context folder as the builder sees it: a file
// that .dockerignore excludes does not exist there (Open, Stat, ReadFile and
// ReadDir say fs.ErrNotExist or leave it out), with exclusion decided by
// moby's own pattern matcher, the one Docker and BuildKit use. It is nil
// when there is no context (standard input without --context, or a folder
// that does not exist). Every pass reads the context through it.
//
// Context.RawBuildContext is the escape hatch: the same folder with every
// file in it, whatever .dockerignore says. It is only for rules about
// .dockerignore itself (its own text; whether a file a .dockerignore entry
// would exclude is there at all, to decide whether to propose the entry).
//
// Names are slash paths relative to the context (ContextPath turns a
// Dockerfile path, "/app/x" or "./x", into one). The folder is taken not
// to change during a run: the views of a folder are built once per run
// (cached in Env), and the .dockerignore read then.

// contextView is the pair of views of one context folder.
type contextView struct {
	raw      fs.FS // nil: no context
	filtered fs.FS
}

type contextKey struct{ dir string }

// buildContext returns the views of opts.ContextDir, made once per run.
func buildContext(opts Options) contextView {
	dir := opts.ContextDir
	if dir == "" {
		return contextView{}
	}
	return opts.Env.Memo(contextKey{dir}, func() any { return openContext(dir) }).(contextView)
}

// OpenBuildContext returns the two views of a context folder that a pass
// gets as Context.BuildContext and Context.RawBuildContext (nil, nil when
// dir is "" or not a folder). The driver makes them once per run; this is
// for tests and tools.
func OpenBuildContext(dir string) (view, raw fs.FS) {
	v := openContext(dir)
	return v.filtered, v.raw
}

func openContext(dir string) contextView {
	if dir == "" {
		return contextView{}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return contextView{}
	}
	raw := os.DirFS(dir)
	v := contextView{raw: raw, filtered: raw}
	if data, err := fs.ReadFile(raw, ".dockerignore"); err == nil {
		if pats, err := ignorefile.ReadAll(bytes.NewReader(data)); err == nil && len(pats) > 0 {
			if pm, err := patternmatcher.New(pats); err == nil {
				v.filtered = &ignoringFS{root: raw, pm: pm}
			}
		}
	}
	return v
}

// ContextPath turns a path as a Dockerfile names a context file ("/a/b",
// "./a", "a/../b") into a name of the context's fs.FS; ok is false for a
// path outside the context ("../x").
func ContextPath(name string) (string, bool) {
	p := path.Clean(strings.TrimLeft(name, "/"))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// ignoringFS is a context folder less what .dockerignore excludes.
type ignoringFS struct {
	root fs.FS
	// pm compiles its patterns lazily on first match, which is not safe
	// for concurrent use: files run in parallel and share the view.
	mu sync.Mutex
	pm *patternmatcher.PatternMatcher
}

// excluded reports whether .dockerignore keeps name out of the context.
func (x *ignoringFS) excluded(name string) bool {
	if name == "." {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	m, err := x.pm.MatchesOrParentMatches(name)
	return err == nil && m
}

// hidden reports whether name is not in the view: excluded, and not a
// folder that a `!` exception may bring files back into (Docker sends such
// a folder with the files the exception keeps; its listing leaves the
// others out).
func (x *ignoringFS) hidden(name string) bool {
	if !x.excluded(name) {
		return false
	}
	if st, err := fs.Stat(x.root, name); err != nil || !st.IsDir() {
		return true
	}
	for _, p := range x.pm.Patterns() {
		if !p.Exclusion() {
			continue
		}
		s := p.String()
		if i := strings.IndexAny(s, "*?[\\"); i >= 0 {
			s = s[:i] // the literal part of the exception
		}
		if strings.HasPrefix(s, name+"/") || strings.HasPrefix(name+"/", s) {
			return false
		}
	}
	return true
}

func (x *ignoringFS) check(op, name string) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if x.hidden(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return nil
}

func (x *ignoringFS) Open(name string) (fs.File, error) {
	if err := x.check("open", name); err != nil {
		return nil, err
	}
	f, err := x.root.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return &ignoringDir{File: f, fsys: x, name: name}, nil
	}
	return f, nil
}

func (x *ignoringFS) Stat(name string) (fs.FileInfo, error) {
	if err := x.check("stat", name); err != nil {
		return nil, err
	}
	return fs.Stat(x.root, name)
}

func (x *ignoringFS) ReadFile(name string) ([]byte, error) {
	if err := x.check("read", name); err != nil {
		return nil, err
	}
	return fs.ReadFile(x.root, name)
}

func (x *ignoringFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := x.check("readdir", name); err != nil {
		return nil, err
	}
	ents, err := fs.ReadDir(x.root, name)
	return x.keep(name, ents), err
}

// keep drops the hidden entries of folder dir.
func (x *ignoringFS) keep(dir string, ents []fs.DirEntry) []fs.DirEntry {
	return slices.DeleteFunc(ents, func(e fs.DirEntry) bool { return x.hidden(path.Join(dir, e.Name())) })
}

// ignoringDir is an open folder of an ignoringFS: its ReadDir leaves the
// excluded entries out.
type ignoringDir struct {
	fs.File
	fsys *ignoringFS
	name string
	ents []fs.DirEntry // read on first ReadDir
	read bool
}

func (d *ignoringDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		d.read = true
		ents, err := fs.ReadDir(d.fsys.root, d.name)
		if err != nil {
			return nil, err
		}
		d.ents = d.fsys.keep(d.name, ents)
	}
	if n <= 0 {
		out := d.ents
		d.ents = nil
		return out, nil
	}
	if len(d.ents) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.ents))
	out := d.ents[:n]
	d.ents = d.ents[n:]
	return out, nil
}
