package layerorder

import (
	"bytes"
	"io/fs"
	"path"

	"github.com/dockslim/dockslim/rewrite"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// buildContext is the build context folder as Docker sends it: files that
// exist there and that .dockerignore does not exclude, read through
// rewrite.Context.BuildContext. The .dockerignore rules also need the
// folder as it is (RawBuildContext): its .dockerignore's own patterns, to
// ask whether they exclude a path that may not exist, and which files are
// there at all.
type buildContext struct {
	dir  string // Options.ContextDir, for the path of a new .dockerignore
	fsys fs.FS  // Context.BuildContext
	raw  fs.FS  // Context.RawBuildContext()
	// ignore is the parsed .dockerignore (nil when there is none); patterns
	// its entries as read by ignorefile.ReadAll.
	ignore    *patternmatcher.PatternMatcher
	patterns  []string
	hasIgnore bool

	// Memos of the file system, by path: the passes ask about the same
	// manifests many times per analysis, and a system call is costly. The
	// context is taken not to change while dockslim analyses a file (the
	// driver already assumes passes see the same context every round); a
	// buildContext lives for one File (contextFor).
	stats map[string]statResult
	reads map[string]readResult
}

type statResult struct{ ok, dir bool }

type readResult struct {
	data string
	ok   bool
}

type contextKey struct{ dir string }

// contextFor is the build context of an analysis of c.File, shared by this
// package's passes (and their memos) for that File.
func contextFor(c *rewrite.Context) *buildContext {
	return c.File.Memo(contextKey{c.Options.ContextDir}, func() any {
		return loadContext(c.Options.ContextDir, c.BuildContext, c.RawBuildContext())
	}).(*buildContext)
}

// statFS is fs.Stat of a path of fsys, memoized (key tells the views
// apart).
func (b *buildContext) statFS(fsys fs.FS, key, name string) statResult {
	if r, ok := b.stats[key+name]; ok {
		return r
	}
	var r statResult
	if st, err := fs.Stat(fsys, name); err == nil {
		r = statResult{ok: true, dir: st.IsDir()}
	}
	if b.stats == nil {
		b.stats = map[string]statResult{}
	}
	b.stats[key+name] = r
	return r
}

// loadContext opens the context's views; nil when there is no context.
func loadContext(dir string, fsys, raw fs.FS) *buildContext {
	if fsys == nil || raw == nil {
		return nil
	}
	b := &buildContext{dir: dir, fsys: fsys, raw: raw}
	if data, err := fs.ReadFile(raw, ".dockerignore"); err == nil {
		b.hasIgnore = true
		pats, err := ignorefile.ReadAll(bytes.NewReader(data))
		if err == nil {
			b.patterns = pats
			b.ignore, _ = patternmatcher.New(pats)
		}
	}
	return b
}

// excluded reports whether .dockerignore keeps rel (a slash path relative
// to the context, there or not) out of the context.
func (b *buildContext) excluded(rel string) bool {
	if b.ignore == nil {
		return false
	}
	rel = path.Clean(rel)
	if rel == "." {
		return false
	}
	m, err := b.ignore.MatchesOrParentMatches(rel)
	return err == nil && m
}

// stat reports whether rel is in the context (exists, not excluded) and
// whether it is a folder.
func (b *buildContext) stat(rel string) (ok, dir bool) {
	name, in := rewrite.ContextPath(rel)
	if !in {
		return false, false
	}
	r := b.statFS(b.fsys, "", name)
	return r.ok, r.dir
}

// file reports whether rel is a regular file in the context.
func (b *buildContext) file(rel string) bool {
	ok, dir := b.stat(rel)
	return ok && !dir
}

// exists reports whether rel is on disk in the context folder, whether or
// not .dockerignore excludes it.
func (b *buildContext) exists(rel string) bool {
	name, in := rewrite.ContextPath(rel)
	return in && b.statFS(b.raw, "raw\x00", name).ok
}

// read returns the content of a file in the context ("" and false when it
// is absent or excluded).
func (b *buildContext) read(rel string) (string, bool) {
	if !b.file(rel) {
		return "", false
	}
	name, _ := rewrite.ContextPath(rel)
	if r, ok := b.reads[name]; ok {
		return r.data, r.ok
	}
	var r readResult
	if data, err := fs.ReadFile(b.fsys, name); err == nil {
		r = readResult{data: string(data), ok: true}
	}
	if b.reads == nil {
		b.reads = map[string]readResult{}
	}
	b.reads[name] = r
	return r.data, r.ok
}

// glob lists the context files (not excluded) matching a pattern of one
// folder level, like COPY's own wildcard, in sorted order.
func (b *buildContext) glob(pattern string) []string {
	pattern, in := rewrite.ContextPath(pattern)
	if !in {
		return nil
	}
	matches, err := fs.Glob(b.fsys, pattern)
	if err != nil {
		return nil
	}
	return matches
}
