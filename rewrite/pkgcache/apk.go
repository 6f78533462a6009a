package pkgcache

import (
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleApkNoCache is DS116.
var RuleApkNoCache = &rewrite.Rule{
	ID:      "DS116",
	Name:    "apk-no-cache",
	Summary: "apk add keeps the package index in the layer; add --no-cache",
	Explanation: `Without --no-cache, apk add stores the repository indexes it downloads under
/var/cache/apk, and they are shipped in the layer. With --no-cache it fetches
a fresh index into memory and writes nothing there, so "apk update" before it
and "rm -rf /var/cache/apk/*" after it become unnecessary (DS117, DS118).

dockslim adds --no-cache right after "add" (a new element in exec form). It
leaves the command alone when it already has --no-cache or a --cache-dir,
when it has --no-network (nothing is downloaded, so nothing is cached), when
a --mount of the RUN covers /var/cache/apk or /etc/apk/cache, and when the
same RUN removes /var/cache/apk (or everything in it) after the command: the
flag would not change the image then. (That rm is only redundant once every
apk add of the RUN has --no-cache: DS118.)

With --cache-mounts this rule still applies: apk only caches packages when
/etc/apk/cache exists, which Alpine images do not set up, so a cache mount
alone would not speed anything up.`,
	Before:        "RUN apk add curl",
	After:         "RUN apk add --no-cache curl",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3019"},
	Parfum:        []string{"apkAddUseNoCache"},
}

// RuleApkRedundantUpdate is DS117.
var RuleApkRedundantUpdate = &rewrite.Rule{
	ID:      "DS117",
	Name:    "apk-redundant-update",
	Summary: "apk update (or --update) next to apk add --no-cache is redundant",
	Explanation: `apk add --no-cache always fetches a fresh index. An "apk update" before it only
downloads the same index a second time and leaves it in /var/cache/apk (in
the layer); "--update"/"-U" on the same command does nothing more.

dockslim removes the --update word, and removes an "apk update" with its &&
joint, keeping the chain's layout, when every other apk command of the RUN is
"add --no-cache" (another apk command, such as upgrade or search, would need
the index). It only removes a plain member of an && chain or a statement of
its own; an update inside ||, a pipe or a condition is left alone.`,
	Before:        "RUN apk update && apk add --no-cache --update curl",
	After:         "RUN apk add --no-cache curl",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Info,
}

// RuleApkRedundantCacheRm is DS118.
var RuleApkRedundantCacheRm = &rewrite.Rule{
	ID:      "DS118",
	Name:    "apk-redundant-cache-rm",
	Summary: "rm -rf /var/cache/apk/* after apk add --no-cache removes nothing",
	Explanation: `With --no-cache, apk writes nothing to /var/cache/apk, so deleting it after
"apk add --no-cache" only adds noise to the RUN.

dockslim removes an rm whose paths are all /var/cache/apk or inside it, with
its && joint, when every apk command of the RUN is "add --no-cache" and
every apk command earlier in the stage is "add --no-cache", "del", or an
"add" that left nothing in the cache (--no-network, or its RUN removed the
cache after it): nothing else may have filled the cache. The rm must be a plain member of an &&
chain or a statement of its own; a RUN that only runs that rm is left to
DS130.`,
	Before:        "RUN apk add --no-cache curl && rm -rf /var/cache/apk/*",
	After:         "RUN apk add --no-cache curl",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Info,
}

// ApkPass is the apk pass.
var ApkPass = &rewrite.Pass{Name: "apk", Rules: []*rewrite.Rule{
	RuleApkNoCache, RuleApkRedundantUpdate, RuleApkRedundantCacheRm,
}, Run: runApk}

func isApk(n string) bool { return n == "apk" }

const apkCache = "/var/cache/apk"

func runApk(c *rewrite.Context) {
	for in, calls := range osRuns(c.File, isApk, shellcmd.Apk.ValueOpts) {
		for _, call := range calls {
			if call.Subcmd() != "add" {
				continue
			}
			if !call.HasArg("--no-cache") {
				apkNoCache(c, call)
				continue
			}
			for i := 1; i < len(call.Lits); i++ {
				if call.Lit[i] && (call.Lits[i] == "--update" || call.Lits[i] == "-U" || call.Lits[i] == "--update-cache") {
					call.osFix(c, RuleApkRedundantUpdate, call.Start(i), call.RemoveArg(i),
						"apk add --no-cache fetches a fresh index already; %s is redundant", call.Lits[i])
				}
			}
		}
		if calls[0].Cmd != nil && !anyOpaque(calls) {
			apkRedundantSteps(c, in, calls)
		}
	}
}

func apkNoCache(c *rewrite.Context, call *osCall) {
	if call.Any(func(a string) bool { return a == "--cache-dir" || len(a) > 12 && a[:12] == "--cache-dir=" }) ||
		mountCovers(call.In, apkCache) || mountCovers(call.In, "/etc/apk/cache") {
		return
	}
	// --no-network downloads nothing, so nothing is cached; an rm of the
	// cache later in the RUN already keeps it out of the layer. --no-cache
	// would not change the image then.
	if apkLeavesNoCache(c.File, call) {
		return
	}
	call.osFix(c, RuleApkNoCache, call.Start(call.Sub), call.InsertAfter(c.File, call.Sub, "--no-cache"),
		"apk add: add --no-cache so that the package index stays out of the layer")
}

// apkLeavesNoCache reports whether an apk add without --no-cache leaves
// nothing in /var/cache/apk all the same: it has --no-network, or its RUN
// removes the cache after it.
func apkLeavesNoCache(f *parser.File, call *osCall) bool {
	return call.Subcmd() == "add" &&
		(call.HasArg("--no-network") || call.Cmd != nil && removedAfter(f, call.In, call.Start(0), apkCache))
}

// apkNoCacheAdd reports whether the call is `apk add --no-cache`.
func apkNoCacheAdd(call *osCall) bool { return call.Subcmd() == "add" && call.HasArg("--no-cache") }

// apkRedundantSteps is DS117 (apk update) and DS118 (rm of the cache).
func apkRedundantSteps(c *rewrite.Context, in *parser.Instruction, calls []*osCall) {
	var updates []*osCall
	adds := 0
	for _, call := range calls {
		switch {
		case apkNoCacheAdd(call):
			adds++
		case call.Subcmd() == "update" && len(call.Lits) == call.Sub+1:
			updates = append(updates, call)
		default:
			return // another apk command may need the index or fill the cache
		}
	}
	if adds == 0 {
		return
	}
	if len(updates) > 0 {
		var cmds []*shellcmd.Command
		lastAdd := calls[len(calls)-1].Start(0)
		for _, u := range updates {
			if u.Start(0) > lastAdd {
				return
			}
			cmds = append(cmds, u.Cmd)
		}
		if edits, ok := removeCommands(c.File, cmds); ok {
			osFix(c, RuleApkRedundantUpdate, rewrite.Safe, updates[0].Start(0), edits,
				"apk add --no-cache fetches a fresh index already; this apk update only leaves a copy in /var/cache/apk")
		}
		return // the rm is looked at once the update is gone
	}
	for _, prev := range stageHistory(in) {
		if !prev.Is("run") {
			continue
		}
		for _, call := range osCalls(prev, isApk, shellcmd.Apk.ValueOpts) {
			if !apkNoCacheAdd(call) && call.Subcmd() != "del" && !apkLeavesNoCache(c.File, call) {
				return
			}
		}
	}
	if mountOverlaps(in, apkCache) {
		return
	}
	var rms []*shellcmd.Command
	for _, cmd := range allCmds(in) {
		paths, ok := rmPaths(cmd)
		if !ok {
			continue
		}
		all := true
		for _, p := range paths {
			all = all && pathCovers(apkCache, p)
		}
		if all {
			rms = append(rms, cmd)
		}
	}
	if len(rms) == 0 {
		return
	}
	edits, ok := removeCommands(c.File, rms)
	if !ok {
		return
	}
	start, _ := rms[0].Span(0)
	osFix(c, RuleApkRedundantCacheRm, rewrite.Safe, start, edits,
		"apk add --no-cache writes nothing to /var/cache/apk; this rm is redundant")
}
