package layerorder

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"

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
	st, err := os.Stat(filepath.Join(b.dir, filepath.FromSlash(rel)))
	if err != nil {
		return false, false
	}
	return true, st.IsDir()
}

// file reports whether rel is a regular file in the context.
func (b *buildContext) file(rel string) bool {
	ok, dir := b.stat(rel)
	return ok && !dir
}

// exists reports whether rel is on disk in the context folder, whether or
// not .dockerignore excludes it.
func (b *buildContext) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(b.dir, filepath.FromSlash(path.Clean(rel))))
	return err == nil
}

// read returns the content of a file in the context ("" and false when it
// is absent or excluded).
func (b *buildContext) read(rel string) (string, bool) {
	if !b.file(rel) {
		return "", false
	}
	data, err := os.ReadFile(filepath.Join(b.dir, filepath.FromSlash(path.Clean(rel))))
	if err != nil {
		return "", false
	}
	return string(data), true
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
