package pkgcache

// Where the language package managers keep their caches, and the BuildKit
// cache mounts of --cache-mounts (see lang_helpers.go for the rest).

import (
	"fmt"
	"strings"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// langLiteralPath is v when it is an absolute path without variables.
func langLiteralPath(v string) (string, bool) {
	if !strings.HasPrefix(v, "/") || strings.ContainsAny(v, "$`'\"* ") {
		return "", false
	}
	return strings.TrimRight(v, "/"), true
}

// langCacheDir says where a tool keeps its cache when the command or the
// environment names the folder: an option, variables naming the folder
// itself, or a variable naming a parent folder (XDG_CACHE_HOME) with the
// cache below it.
type langCacheDir struct {
	opt    string   // option naming the folder ("" for none)
	vars   []string // variables naming the folder, in precedence order
	parent string   // variable naming a parent folder ("" for none)
	sub    string   // the cache's folder below parent
}

// named returns the folder the command or its environment names, "" when
// that is not a literal absolute path; named is false when neither names
// one (the tool's default applies).
func (d langCacheDir) named(f *parser.File, lc *langCmd) (dir string, named bool) {
	if d.opt != "" {
		if v, ok := lc.OptValue(d.opt); ok {
			p, _ := langLiteralPath(v)
			return p, true
		}
	}
	for _, n := range d.vars {
		if v, ok := langVar(f, lc, n); ok {
			p, _ := langLiteralPath(v)
			return p, true
		}
	}
	if d.parent != "" {
		if v, ok := langVar(f, lc, d.parent); ok {
			if p, ok := langLiteralPath(v); ok {
				return p + "/" + d.sub, true
			}
			return "", true
		}
	}
	return "", false
}

// langHasMount reports whether a cache or tmpfs mount of the RUN covers
// one of dirs (whatever is written there never reaches the layer), or, for
// suffixes starting with "/", a mount target ends with it (the same cache
// under another user's home: /home/app/.cache/pip). /dev/shm counts as a
// tmpfs mount of every RUN (Docker and BuildKit mount one there), so a
// cache relocated into it (YARN_CACHE_FOLDER=/dev/shm/yarn) is covered.
func langHasMount(in *parser.Instruction, dirs ...string) bool {
	for _, d := range dirs {
		if d == "/dev/shm" || strings.HasPrefix(d, "/dev/shm/") {
			return true
		}
	}
	for _, m := range in.Mounts() {
		if m.Type != bkinstructions.MountTypeCache && m.Type != bkinstructions.MountTypeTmpfs {
			continue
		}
		t := strings.TrimRight(m.Target, "/")
		for _, d := range dirs {
			d = strings.TrimRight(d, "/")
			if d == "" {
				continue
			}
			if t == d || strings.HasPrefix(d, t+"/") || strings.HasSuffix(t, d) && strings.HasPrefix(d, "/.") {
				return true
			}
		}
	}
	return false
}

// langCacheMounted reports a mount of the cache folder dir (see
// langHasMount); at the tool's default folder def, a mount of the same
// cache under another user's home (suffix, "/.cache/pip") counts too.
func langCacheMounted(in *parser.Instruction, dir, def, suffix string) bool {
	if dir == def {
		return langHasMount(in, dir, suffix)
	}
	return langHasMount(in, dir)
}

// langMountEdit inserts BuildKit cache mounts for targets into the RUN's
// flags (addRunFlags). Targets already covered by a cache mount are skipped; nil when none is left.
func langMountEdit(in *parser.Instruction, targets ...string) []textedit.Edit {
	var flags []string
	seen := map[string]bool{}
	for _, t := range targets {
		if langHasMount(in, t) || seen[t] {
			continue
		}
		seen[t] = true
		flags = append(flags, "--mount=type=cache,target="+t)
	}
	if len(flags) == 0 {
		return nil
	}
	return addRunFlags(in, strings.Join(flags, " "))
}

// langMount reports a --cache-mounts finding: with a known, literal cache
// folder and a root user it adds the cache mounts (applicability app), else
// it explains what to mount by hand.
func langMount(c *rewrite.Context, r *rewrite.Rule, lc *langCmd, app rewrite.Applicability, targets []string, tool string, note ...string) {
	in := lc.In
	if len(targets) == 0 {
		c.Reportf(r, lc.Start(), "%s: dockslim does not know where %s keeps its cache here; mount it with RUN --mount=type=cache,target=<cache folder>", tool, tool)
		return
	}
	edits := langMountEdit(in, targets...)
	if edits == nil {
		return
	}
	if langNonRoot(c.File, in) {
		c.Reportf(r, lc.Start(), "%s: a cache mount for %s needs uid=/gid= options for the non-root USER of this stage (and its HOME is not /root); add it by hand", tool, strings.Join(targets, ", "))
		return
	}
	msg := fmt.Sprintf("%s: keep its cache in a BuildKit cache mount (%s) instead of the image layer", tool, strings.Join(targets, ", "))
	if len(note) > 0 {
		msg += "; " + strings.Join(note, "; ")
	}
	c.Report(rewrite.Finding{Rule: r, Offset: lc.Start(), Message: msg,
		Fix: &rewrite.Fix{Applicability: app, Description: msg, Edits: edits}})
}

// langHandledOrMount reports whether a tool's cache needs nothing more:
// handled already (a cache mount, a later cleanup), or (with
// --cache-mounts) reported here for a cache mount of dir ("" when unknown).
func langHandledOrMount(c *rewrite.Context, r *rewrite.Rule, lc *langCmd, dir string, handled bool, tool string) bool {
	if handled {
		return true
	}
	if c.Options.CacheMounts {
		langMountDir(c, r, lc, dir, tool)
		return true
	}
	return false
}

// langMountDir is langMount for a tool with one cache folder, dir ("" when
// unknown).
func langMountDir(c *rewrite.Context, r *rewrite.Rule, lc *langCmd, dir, tool string) {
	var targets []string
	if dir != "" {
		targets = []string{dir}
	}
	langMount(c, r, lc, rewrite.Safe, targets, tool)
}
