package pkgcache

import (
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleLaterCleanup is DS130.
var RuleLaterCleanup = &rewrite.Rule{
	ID:      "DS130",
	Name:    "later-layer-cleanup",
	Summary: "deleting files in a later RUN does not shrink the image; clean up in the RUN that created them",
	Explanation: `Each RUN is a layer, and a layer only adds to the ones below it: files an
earlier RUN wrote stay in that layer even when a later RUN deletes them (the
later layer only hides them). "RUN apt-get update && apt-get install ..."
followed by "RUN rm -rf /var/lib/apt/lists/*" ships the package lists anyway.

dockslim looks at RUNs made only of cleanup commands (rm, apt-get clean,
yum/dnf/microdnf clean, zypper clean, apk cache clean, pip cache purge, npm
cache clean) that delete what an earlier RUN of the same stage created: apt
lists and archives, apk/yum/dnf/zypper caches, files downloaded by curl or
wget (pip's and npm's caches are left to their own rules, which disable
them). When that RUN comes right before (only LABEL, EXPOSE, MAINTAINER or
STOPSIGNAL between, which cannot read files nor change the environment), the
cleanup is moved to the end of its && chain and the cleanup RUN is deleted.

The merge is safe because the analysis proves the commands run the same way:
nothing between the two RUNs can see the files, both RUNs are plain RUNs (no
ONBUILD, no flags on the cleanup RUN, no mount of the first RUN over the
deleted paths), the cleanup is one && chain of literal paths, relative paths
are only moved when the first RUN never changes directory, and the first RUN
does not call exit. When any of that does not hold (another instruction in
between, exec form, a heredoc), dockslim only reports it, as it does for a
cleanup command inside a RUN that does other work; not for a yum/dnf cache
that DS122 cleans in the RUN that fills it (one finding, with its fix).`,
	Before:        "RUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN rm -rf /var/lib/apt/lists/*",
	After:         "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// LayerCleanupPass is the layercleanup pass.
var LayerCleanupPass = &rewrite.Pass{Name: "layercleanup", Rules: []*rewrite.Rule{RuleLaterCleanup}, Run: runLayerCleanup}

// cleanupTargets returns the paths a cleanup command deletes; ok is false
// when cmd is not a cleanup command (or its paths are not literal).
func cleanupTargets(cmd *shellcmd.Command) (paths []string, ok bool) {
	if cmd.Name == "rm" {
		return rmPaths(cmd)
	}
	lits := cmd.Lits()
	lit := make([]bool, len(lits))
	for i := range lit {
		_, lit[i] = cmd.Arg(i)
	}
	si := shellcmd.SubcommandIndex(lits, lit, nil)
	if si < 0 {
		return nil, false
	}
	sub, next := lits[si], ""
	if si+1 < len(lits) {
		next = lits[si+1]
	}
	switch {
	case isApt(cmd.Name) && (sub == "clean" || sub == "autoclean"):
		return []string{"/var/cache/apt"}, true
	case isYum(cmd.Name) && sub == "clean":
		return yumCacheDirs, true
	case cmd.Name == "zypper" && (sub == "clean" || sub == "cc"):
		return []string{"/var/cache/zypp"}, true
	case cmd.Name == "apk" && sub == "cache" && (next == "clean" || next == "purge"):
		return []string{"/var/cache/apk"}, true
	case shellcmd.IsPip(cmd.Name) && sub == "cache" && (next == "purge" || next == "remove"):
		return []string{"/root/.cache/pip"}, true
	case cmd.Name == "npm" && sub == "cache" && next == "clean":
		return []string{"/root/.npm"}, true
	}
	return nil, false
}

// createdPaths returns what the RUN leaves in its layer among the things
// dockslim knows how to clean: OS package-manager caches and downloaded
// files (pip's and npm's caches are left to their own passes, which disable
// them),
// minus what its mounts cover and, when net is set, what the RUN itself
// cleans.
//
// A cleanup RUN asks it of every earlier RUN of its stage: it is cached on
// the RUN's script and shared, so callers must not modify it.
func createdPaths(f *parser.File, r *parser.Instruction, net bool) []string {
	if !r.Is("run") {
		return nil
	}
	if r.Script != nil {
		return r.Script.Memo(createdKey{net}, func() any { return createdBy(f, r, net) }).([]string)
	}
	return createdBy(f, r, net)
}

type createdKey struct{ net bool }

func createdBy(f *parser.File, r *parser.Instruction, net bool) []string {
	var created, cleaned []string
	cmds := allCmds(r)
	for _, cmd := range cmds {
		if t, ok := cleanupTargets(cmd); ok {
			cleaned = append(cleaned, t...)
			continue
		}
		lits := cmd.Lits()
		lit := make([]bool, len(lits))
		for i := range lit {
			_, lit[i] = cmd.Arg(i)
		}
		sub := ""
		if si := shellcmd.SubcommandIndex(lits, lit, nil); si >= 0 {
			sub = lits[si]
		}
		switch {
		case isApt(cmd.Name) && sub == "update":
			created = append(created, aptLists)
		case isApt(cmd.Name) && slices.Contains(aptDownloading, sub):
			created = append(created, "/var/cache/apt")
		case cmd.Name == "apk" && !cmd.Has("--cache-dir") && (sub == "update" || sub == "upgrade" || sub == "add" && !cmd.Has("--no-cache")):
			created = append(created, "/var/cache/apk")
		case isYum(cmd.Name) && sub != "":
			created = append(created, yumCacheDir(cmd.Name))
		case cmd.Name == "zypper" && sub != "":
			created = append(created, "/var/cache/zypp")
		default:
			if d, ok := downloadTarget(stagestate.Scope{File: f, In: r}, cmd); ok && d.path != "" && (strings.HasPrefix(d.path, "/") || !changesDir(r, -1)) {
				created = append(created, d.path)
			}
		}
	}
	var out []string
	for _, p := range created {
		gone := mountCovers(r, p)
		for _, c := range cleaned {
			gone = gone || net && pathCovers(c, p)
		}
		if !gone && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// cleanupRun is a RUN made only of cleanup commands.
type cleanupRun struct {
	in      *parser.Instruction
	targets []string
}

func asCleanupRun(in *parser.Instruction) *cleanupRun {
	if !in.Is("run") || in.JSON {
		return nil
	}
	cmds := shellcmd.All(in)
	if len(cmds) == 0 {
		return nil
	}
	k := &cleanupRun{in: in}
	for _, cmd := range cmds {
		t, ok := cleanupTargets(cmd)
		if !ok {
			return nil
		}
		k.targets = append(k.targets, t...)
	}
	return k
}

// overlapping returns the targets of k that overlap one of paths.
func (k *cleanupRun) overlapping(paths []string) []string {
	var out []string
	for _, t := range k.targets {
		for _, p := range paths {
			if pathsOverlap(t, p) && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// previousWork returns the instruction before in, in its stage, skipping
// metadata-only instructions; nil when there is none.
func previousWork(in *parser.Instruction) *parser.Instruction {
	if in.Stage == nil {
		return nil
	}
	ins := in.Stage.Instructions
	for i := slices.Index(ins, in) - 1; i >= 0; i-- {
		if !slices.Contains(metadataOnly, ins[i].Keyword) {
			return ins[i]
		}
	}
	return nil
}

// mergeBlocker says why the cleanup RUN k cannot safely move to the end of
// the RUN r (moveInto), or "".
func mergeBlocker(c *rewrite.Context, k *cleanupRun, r *parser.Instruction) string {
	in := k.in
	if in.Sub != "" || r.Sub != "" {
		return "ONBUILD"
	}
	if len(in.Flags) > 0 || len(in.Heredocs) > 0 || in.Script == nil || in.Script.File == nil || len(in.Script.File.Stmts) != 1 {
		return "the cleanup RUN has flags, a heredoc or several statements"
	}
	leaves, ok := andLeaves(in.Script.File.Stmts[0])
	cmds := shellcmd.All(in)
	if !ok || len(leaves) != len(cmds) {
		return "the cleanup is not a plain && chain"
	}
	for _, cmd := range cmds {
		if cmd.Nested || cmd.InSubst || cmd.Quoted || cmd.Piped {
			return "the cleanup is not a plain && chain"
		}
	}
	if r.JSON || len(r.Heredocs) > 0 || r.Script == nil || r.Script.File == nil {
		return "that RUN is in exec form or has a heredoc"
	}
	relative := false
	for _, t := range k.targets {
		if mountOverlaps(r, t) {
			return "a mount of that RUN covers " + t
		}
		if (pathsOverlap(t, "/var/lib/apt") || pathsOverlap(t, "/var/cache/apt")) && aptWillMount(c, r) {
			return "--cache-mounts puts apt's folders of that RUN in cache mounts"
		}
		relative = relative || !strings.HasPrefix(t, "/")
	}
	if relative && changesDir(r, -1) {
		return "that RUN changes directory and the cleanup has relative paths"
	}
	for _, cmd := range allCmds(r) {
		if cmd.Name == "exit" {
			return "that RUN calls exit"
		}
	}
	return ""
}

// laterCleanupHandles reports whether the RUN right after r (metadata
// between) is a cleanup of dir that DS130 moves into r, so that the
// per-manager cleanup rules leave r alone.
func laterCleanupHandles(c *rewrite.Context, r *parser.Instruction, dir string) bool {
	if !c.Options.Selector.Enabled(RuleLaterCleanup) || r.Stage == nil {
		return false
	}
	ins := r.Stage.Instructions
	i := slices.Index(ins, r) + 1
	for i < len(ins) && slices.Contains(metadataOnly, ins[i].Keyword) {
		i++
	}
	if i >= len(ins) {
		return false
	}
	k := asCleanupRun(ins[i])
	if k == nil || len(k.overlapping(createdPaths(c.File, r, true))) == 0 {
		return false
	}
	covers := false
	for _, t := range k.targets {
		covers = covers || pathCovers(t, dir)
	}
	if !covers {
		return false
	}
	if mergeBlocker(c, k, r) != "" {
		return false
	}
	_, ok := moveInto(c.File, k.in, r)
	return ok
}

func runLayerCleanup(c *rewrite.Context) {
	f := c.File
	for _, in := range f.Instructions {
		if !in.Is("run") || in.Stage == nil {
			continue
		}
		if k := asCleanupRun(in); k != nil {
			cleanupRunFinding(c, k)
			continue
		}
		// Cleanup commands inside a RUN that does other work: report only.
		own := createdPaths(f, in, false)
		for _, cmd := range allCmds(in) {
			t, ok := cleanupTargets(cmd)
			if !ok {
				continue
			}
			k := &cleanupRun{in: in, targets: t}
			if len(k.overlapping(own)) > 0 {
				continue
			}
			if r, paths := earlierCreator(f, in, k); r != nil && len(yumFixedElsewhere(c, r, paths)) > 0 {
				paths = yumFixedElsewhere(c, r, paths)
				start, _ := cmd.Span(0)
				c.Reportf(RuleLaterCleanup, start,
					"%s was written by the RUN at line %d; deleting it in a later layer does not shrink the image: clean up in that RUN",
					strings.Join(paths, ", "), r.StartLine)
			}
		}
	}
}

// earlierCreator finds the closest earlier RUN of the stage that left one
// of k's targets in its layer.
func earlierCreator(f *parser.File, in *parser.Instruction, k *cleanupRun) (*parser.Instruction, []string) {
	ins := in.Stage.Instructions
	for i := slices.Index(ins, in) - 1; i >= 0; i-- {
		if aptUpdateOnly(ins[i]) {
			continue // DS113's business: its lists feed the next install
		}
		if ov := k.overlapping(createdPaths(f, ins[i], true)); len(ov) > 0 {
			return ins[i], ov
		}
	}
	return nil, nil
}

func cleanupRunFinding(c *rewrite.Context, k *cleanupRun) {
	f := c.File
	r, paths := earlierCreator(f, k.in, k)
	if r == nil {
		return
	}
	what := strings.Join(paths, ", ")
	if prev := previousWork(k.in); prev != r {
		if paths = yumFixedElsewhere(c, r, paths); len(paths) == 0 {
			return // DS122 cleans the cache in that RUN
		}
		what = strings.Join(paths, ", ")
		c.Reportf(RuleLaterCleanup, k.in.ArgsStart,
			"this RUN deletes %s, written by the RUN at line %d: a later layer cannot shrink the image; clean up in that RUN (instructions between them keep dockslim from moving it)",
			what, r.StartLine)
		return
	}
	why := mergeBlocker(c, k, r)
	if why == "" {
		if edits, ok := moveInto(f, k.in, r); ok {
			osFix(c, RuleLaterCleanup, rewrite.Safe, k.in.ArgsStart, edits,
				"this RUN deletes %s, written by the RUN at line %d: a later layer cannot shrink the image; moved into that RUN",
				what, r.StartLine)
			return
		}
		why = "that RUN's last command cannot take more commands"
	}
	if paths = yumFixedElsewhere(c, r, paths); len(paths) == 0 {
		return // DS122 cleans the cache in that RUN
	}
	what = strings.Join(paths, ", ")
	c.Reportf(RuleLaterCleanup, k.in.ArgsStart,
		"this RUN deletes %s, written by the RUN at line %d: a later layer cannot shrink the image; clean up in that RUN (dockslim cannot move it: %s)",
		what, r.StartLine, why)
}

// aptUpdateOnly reports whether the RUN only runs apt-get update.
func aptUpdateOnly(in *parser.Instruction) bool {
	if !in.Is("run") {
		return false
	}
	calls := aptCalls(in)
	if len(calls) == 0 || !in.JSON && len(calls) != len(allCmds(in)) {
		return false
	}
	for _, call := range calls {
		if call.Subcmd() != "update" {
			return false
		}
	}
	return true
}

// yumFixedElsewhere drops from paths the yum/dnf caches that DS122 cleans
// in the RUN r itself (its shell-form RUN with a yum/dnf call gets "clean
// all" added), so that the later RUN that deletes them is not reported a
// second time when DS130 cannot move it there.
func yumFixedElsewhere(c *rewrite.Context, r *parser.Instruction, paths []string) []string {
	if !c.Options.Selector.Enabled(RuleYumClean) || r.JSON || len(osCalls(r, isYum, shellcmd.Dnf.ValueOpts)) == 0 {
		return paths
	}
	return slices.DeleteFunc(slices.Clone(paths), func(p string) bool {
		return slices.ContainsFunc(yumCacheDirs, func(d string) bool { return pathCovers(d, p) })
	})
}
