package layerorder

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dockslim/dockslim/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// buildContext is the build context folder as Docker sends it: files that
// exist there and that .dockerignore does not exclude. Exclusion is decided
// by moby's own pattern matcher, the one Docker and BuildKit use.
type buildContext struct {
	dir string
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

// contextFor is the build context of an analysis of f, shared by this
// package's passes (and their memos) for that File.
func contextFor(f *parser.File, dir string) *buildContext {
	return f.Memo(contextKey{dir}, func() any { return loadContext(dir) }).(*buildContext)
}

// osStat is os.Stat of a path of the context, memoized.
func (b *buildContext) osStat(name string) statResult {
	if r, ok := b.stats[name]; ok {
		return r
	}
	var r statResult
	if st, err := os.Stat(name); err == nil {
		r = statResult{ok: true, dir: st.IsDir()}
	}
	if b.stats == nil {
		b.stats = map[string]statResult{}
	}
	b.stats[name] = r
	return r
}

// loadContext opens the context folder; nil when dir is "" or not a folder.
func loadContext(dir string) *buildContext {
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil
	}
	b := &buildContext{dir: dir}
	if data, err := os.ReadFile(filepath.Join(dir, ".dockerignore")); err == nil {
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
// to the context) out of the context.
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
	rel = path.Clean(rel)
	if strings.HasPrefix(rel, "../") || rel == ".." || b.excluded(rel) {
		return false, false
	}
	r := b.osStat(filepath.Join(b.dir, filepath.FromSlash(rel)))
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
	return b.osStat(filepath.Join(b.dir, filepath.FromSlash(path.Clean(rel)))).ok
}

// read returns the content of a file in the context ("" and false when it
// is absent or excluded).
func (b *buildContext) read(rel string) (string, bool) {
	if !b.file(rel) {
		return "", false
	}
	name := filepath.Join(b.dir, filepath.FromSlash(path.Clean(rel)))
	if r, ok := b.reads[name]; ok {
		return r.data, r.ok
	}
	var r readResult
	if data, err := os.ReadFile(name); err == nil {
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
	matches, err := filepath.Glob(filepath.Join(b.dir, filepath.FromSlash(pattern)))
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range matches {
		rel, err := filepath.Rel(b.dir, m)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if !b.excluded(rel) {
			out = append(out, rel)
		}
	}
	return out
}
