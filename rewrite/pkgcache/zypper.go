package pkgcache

import (
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleZypperNoRecommends is DS125.
var RuleZypperNoRecommends = &rewrite.Rule{
	ID:      "DS125",
	Name:    "zypper-no-recommends",
	Summary: "zypper install pulls in recommended packages; add --no-recommends",
	Explanation: `zypper installs the packages that the requested ones recommend, unless told
not to. They are not needed for the requested packages to work and make the
image bigger.

dockslim adds --no-recommends right after "install" (or "in"). It leaves the
command alone when it already says --no-recommends or --recommends, or when
an earlier RUN of the stage sets solver.onlyRequires in zypp.conf.`,
	Before:        "RUN zypper -n install curl && zypper clean -a",
	After:         "RUN zypper -n install --no-recommends curl && zypper clean -a",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// RuleZypperNonInteractive is DS126.
var RuleZypperNonInteractive = &rewrite.Rule{
	ID:      "DS126",
	Name:    "zypper-non-interactive",
	Summary: "zypper install without -n waits for an answer that a build cannot give",
	Explanation: `zypper asks for confirmation before it installs, updates or removes packages;
a docker build has no terminal, so the command aborts.

--non-interactive (-n) is a global option of zypper: it goes before the
subcommand and covers every prompt of every subcommand. dockslim inserts -n
right after "zypper" ("zypper -n install ...", the form SUSE's own images
use). Counted as present: -n or --non-interactive before the subcommand, and
-y or --no-confirm after it (the subcommand alias of the same thing).`,
	Before:        "RUN zypper install curl",
	After:         "RUN zypper -n install curl",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Error,
	Hadolint:      []string{"DL3034"},
}

// RuleZypperClean is DS127.
var RuleZypperClean = &rewrite.Rule{
	ID:      "DS127",
	Name:    "zypper-clean",
	Summary: "zypper leaves its metadata and package cache in the layer; add zypper clean -a in the same RUN",
	Explanation: `zypper keeps repository metadata and downloaded packages under
/var/cache/zypp. In a RUN, that cache is written into the layer; deleting it
in a later RUN does not shrink the image.

dockslim appends "zypper clean -a" to the && chain of the last zypper
command of the RUN, in the chain's layout. It does nothing when the RUN
already runs zypper clean (or cc) or removes /var/cache/zypp after it (with
or without /*, among other operands, also through a known variable), when
a --mount covers /var/cache/zypp, when the next RUN only cleans it (DS130
moves that cleanup here), and for exec-form RUN (reported).`,
	Before:        "RUN zypper -n install --no-recommends curl",
	After:         "RUN zypper -n install --no-recommends curl && zypper clean -a",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3036"},
}

// ZypperPass is the zypper pass.
var ZypperPass = &rewrite.Pass{Name: "zypper", Rules: []*rewrite.Rule{
	RuleZypperNoRecommends, RuleZypperNonInteractive, RuleZypperClean,
}, Run: runZypper}

var (
	zypperPrompting = []string{"install", "in", "remove", "rm", "update", "up", "dist-upgrade", "dup", "patch",
		"source-install", "si", "install-new-recommends", "inr", "verify", "ve"}
	zypperCaching = []string{"install", "in", "update", "up", "dist-upgrade", "dup", "patch", "refresh", "ref",
		"source-install", "si", "install-new-recommends", "inr"}
)

func runZypper(c *rewrite.Context) {
	for in, calls := range osRuns(c.File, func(n string) bool { return n == "zypper" }, shellcmd.Zypper.ValueOpts) {
		for _, call := range calls {
			sub := call.Subcmd()
			if sub == "install" || sub == "in" {
				zypperRecommends(c, call)
			}
			if slices.Contains(zypperPrompting, sub) {
				zypperNonInteractive(c, call)
			}
		}
		zypperClean(c, in, calls)
	}
}

func zypperRecommends(c *rewrite.Context, call *osCall) {
	if call.HasArg("--no-recommends", "--recommends") || osConfigured(call.In, "onlyRequires") {
		return
	}
	call.osFix(c, RuleZypperNoRecommends, call.Start(call.Sub), call.InsertAfter(c.File, call.Sub, "--no-recommends"),
		"zypper %s: add --no-recommends so that recommended packages stay out of the image", call.Subcmd())
}

func zypperNonInteractive(c *rewrite.Context, call *osCall) {
	for i := 1; i < len(call.Lits); i++ {
		a := call.Lits[i]
		if i < call.Sub {
			l := shortCluster(a)
			if a == "--non-interactive" || l != "" && !strings.ContainsAny(l[:1], "cRDCps") && strings.Contains(l, "n") {
				return
			}
		} else if i > call.Sub && (a == "-y" || a == "--no-confirm") {
			return
		}
	}
	call.osFix(c, RuleZypperNonInteractive, call.Start(call.Sub), call.InsertAfter(c.File, 0, "-n"),
		"zypper %s: add the global -n (--non-interactive), a build cannot answer zypper's prompts", call.Subcmd())
}

const zyppCache = "/var/cache/zypp"

// zypperClean is DS127.
func zypperClean(c *rewrite.Context, in *parser.Instruction, calls []*osCall) {
	last := -1
	for i, call := range calls {
		if slices.Contains(zypperCaching, call.Subcmd()) {
			last = i
		}
	}
	if last < 0 || mountCovers(in, zyppCache) || laterCleanupHandles(c, in, zyppCache) {
		return
	}
	call := calls[last]
	for _, cmd := range allCmds(in) {
		start, _ := cmd.Span(0)
		if start <= call.Start(0) {
			continue
		}
		if cmd.Name == "zypper" && (cmd.Has("clean") || cmd.Has("cc")) || removesPath(c.File, in, cmd, zyppCache) {
			return
		}
	}
	tail := calls[len(calls)-1]
	if tail.Cmd == nil {
		c.Reportf(RuleZypperClean, call.Start(0),
			"zypper leaves its cache in the layer, and an exec-form RUN cannot clean it; use the shell form and add \"&& zypper clean -a\"")
		return
	}
	edits, ok := tail.appendCleanup(c.File, "zypper clean -a")
	if !ok {
		c.Reportf(RuleZypperClean, call.Start(0), "zypper leaves its cache in the layer, and %s; add \"zypper clean -a\" by hand", tail.cannotAppend())
		return
	}
	osFix(c, RuleZypperClean, rewrite.Safe, call.Start(0), edits,
		"zypper leaves its metadata and package cache in the layer; add \"zypper clean -a\" at the end of the same RUN")
}
