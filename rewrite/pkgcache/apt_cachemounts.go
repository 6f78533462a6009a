package pkgcache

import (
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

const aptMountFlags = "--mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked"

// aptCacheMounts is DS115; it reports whether the RUN is this rule's (so
// that DS112 leaves it alone).
func aptCacheMounts(c *rewrite.Context, in *parser.Instruction, calls []*osCall, cleaned map[*parser.Stage]bool) bool {
	f := c.File
	if !c.Options.CacheMounts || !canMount(f) || in.Sub != "" || in.JSON || anyOpaque(calls) {
		return false
	}
	var first, download *osCall
	for _, call := range calls {
		if call.Subcmd() == "" {
			continue
		}
		if first == nil {
			first = call
		}
		if download == nil && slices.Contains(aptDownloading, call.Subcmd()) {
			download = call
		}
	}
	if download == nil || mountOverlaps(in, "/var/cache/apt") || mountOverlaps(in, "/var/lib/apt") {
		return false
	}
	// In the mount, the lists leave the layer: a later RUN that installs
	// with them needs its own update.
	readerEdits, _, why := readerUpdates(f, in)
	if why != "" {
		c.Reportf(RuleAptCacheMounts, download.Start(0),
			"%s: could use cache mounts, but the package lists would go with them and %s", download.Name, why)
		return true
	}
	edits := addRunFlags(in, aptMountFlags)
	// Cleanups that would empty the mounts go.
	if drop := aptCacheCleanups(in); len(drop) > 0 {
		rm, ok := removeCommands(f, drop)
		if !ok {
			c.Reportf(RuleAptCacheMounts, download.Start(0),
				"%s: could use cache mounts, but its cleanup commands cannot be taken out of the chain", download.Name)
			return true
		}
		edits = append(edits, rm...)
	}
	var setup []string
	if !removedBefore(f, in, "/etc/apt/apt.conf.d/docker-clean") && !stageMarked(in, cleaned) {
		setup = append(setup, "rm -f /etc/apt/apt.conf.d/docker-clean")
		cleaned[in.Stage] = true
	}
	usesApt := false
	for _, call := range calls {
		usesApt = usesApt || call.Name == "apt" && slices.Contains(aptDownloading, call.Subcmd())
	}
	if usesApt && !osConfigured(in, "Keep-Downloaded-Packages") {
		if first.Cmd.Quoted {
			c.Reportf(RuleAptCacheMounts, download.Start(0),
				"apt: could use cache mounts, but the keep-cache setting cannot be written inside a quoted command")
			return true
		}
		setup = append(setup, `echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache`)
	}
	if len(setup) > 0 {
		prefix := sudoPrefix(first.Cmd)
		for i := range setup {
			setup[i] = prefix + setup[i]
		}
		ins, ok := insertBeforeChain(f, first.Cmd, strings.Join(setup, " && "))
		if !ok {
			return true
		}
		edits = append(edits, ins...)
	}
	edits = append(edits, readerEdits...)
	osFix(c, RuleAptCacheMounts, rewrite.Safe, download.Start(0), edits,
		"%s %s: keep apt's downloads and lists in cache mounts instead of the layer (--cache-mounts)", download.Name, download.Subcmd())
	return true
}

// aptCacheCleanups are the commands of in that would empty apt's cache
// mounts: apt-get clean, and rm of paths in /var/lib/apt or /var/cache/apt.
func aptCacheCleanups(in *parser.Instruction) []*shellcmd.Command {
	var drop []*shellcmd.Command
	for _, cmd := range allCmds(in) {
		if isApt(cmd.Name) && (cmd.Has("clean") || cmd.Has("autoclean")) {
			drop = append(drop, cmd)
			continue
		}
		if paths, ok := rmPaths(cmd); ok {
			inCache := true
			for _, p := range paths {
				inCache = inCache && (pathCovers("/var/lib/apt", p) || pathCovers("/var/cache/apt", p))
			}
			if inCache {
				drop = append(drop, cmd)
			}
		}
	}
	return drop
}

// aptWillMount reports whether DS115 applies to the RUN in --cache-mounts
// mode (so that other rules do not clean apt's folders there).
func aptWillMount(c *rewrite.Context, in *parser.Instruction) bool {
	if !c.Options.CacheMounts || !canMount(c.File) || in.Sub != "" || in.JSON || !in.Is("run") {
		return false
	}
	calls := aptCalls(in)
	return !anyOpaque(calls) && slices.ContainsFunc(calls, func(call *osCall) bool { return slices.Contains(aptDownloading, call.Subcmd()) })
}

// removedBefore reports whether an rm in the stage before in (or in in)
// removes p.
func removedBefore(f *parser.File, in *parser.Instruction, p string) bool {
	for _, prev := range append(stageHistory(in), in) {
		if !prev.Is("run") {
			continue
		}
		for _, cmd := range allCmds(prev) {
			if removesPath(f, prev, cmd, p) {
				return true
			}
		}
	}
	return false
}

// stageMarked reports whether the stage of in, or a stage it builds FROM, is in marks.
func stageMarked(in *parser.Instruction, marks map[*parser.Stage]bool) bool {
	seen := map[*parser.Stage]bool{}
	for st := in.Stage; st != nil && !seen[st]; st = st.Base.StageRef {
		seen[st] = true
		if marks[st] {
			return true
		}
	}
	return false
}
