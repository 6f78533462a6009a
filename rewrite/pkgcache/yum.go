package pkgcache

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleDnfNoWeakDeps is DS120.
var RuleDnfNoWeakDeps = &rewrite.Rule{
	ID:      "DS120",
	Name:    "dnf-no-weak-deps",
	Summary: "dnf install pulls in weak dependencies; add --setopt=install_weak_deps=0",
	Explanation: `dnf and microdnf install the "weak dependencies" (Recommends:) of every package
by default, the equivalent of apt's recommended packages. They are not needed
for the requested packages to work and make the image bigger.

dockslim adds --setopt=install_weak_deps=0 right after "install" for dnf,
dnf5 and microdnf (all accept it). It leaves the command alone when it
already sets install_weak_deps (or --no-weak-deps), or when an earlier RUN of
the stage writes install_weak_deps into the configuration. yum is left alone:
the yum of EL7 has no weak dependencies, and on EL8+ yum is dnf but may be
called on either.`,
	Before:        "RUN dnf install -y httpd && dnf clean all",
	After:         "RUN dnf install --setopt=install_weak_deps=0 -y httpd && dnf clean all",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// RuleYumAssumeYes is DS121.
var RuleYumAssumeYes = &rewrite.Rule{
	ID:      "DS121",
	Name:    "yum-assume-yes",
	Summary: "yum/dnf/microdnf install without -y waits for an answer that a build cannot give",
	Explanation: `yum and dnf ask "Is this ok [y/N]" before they install, update or remove
packages; a docker build has no terminal, so the command aborts. (microdnf
accepts -y as well.)

dockslim adds -y right after the subcommand ("group install" and
"module install" get it after the second word). Counted as present: -y,
--assumeyes, a short-option group with a y (-qy), --setopt=assumeyes=..., and
an earlier RUN of the stage that writes assumeyes into the configuration.`,
	Before:        "RUN yum install httpd && yum clean all",
	After:         "RUN yum install -y httpd && yum clean all",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Error,
	Hadolint:      []string{"DL3030", "DL3038"}, // each finding carries its tool's (yumHadolint)
	Parfum:        []string{"yumInstallForceYes"},
}

// RuleYumClean is DS122.
var RuleYumClean = &rewrite.Rule{
	ID:      "DS122",
	Name:    "yum-clean-all",
	Summary: "yum/dnf leave their metadata and package cache in the layer; clean them in the same RUN",
	Explanation: `yum, dnf and microdnf keep repository metadata (often 100 MB or more) and
downloaded packages under /var/cache/yum or /var/cache/dnf. In a RUN that
cache is written into the layer; deleting it in a later RUN does not shrink
the image.

dockslim appends to the && chain of the last yum/dnf command of the RUN, in
the chain's layout: "yum clean all && rm -rf /var/cache/yum" for yum (yum
clean all leaves some of the folder behind), "dnf clean all" for dnf and
dnf5, "microdnf clean all" for microdnf. It does nothing when the RUN
already runs "clean all" (or "clean packages" and "clean metadata", in one
command or two; one of them alone leaves the rest, and is reported) or
removes the cache folder after the last command (rm -rf /var/cache/yum,
/var/cache/dnf or /var/cache/libdnf5, with or without /*, among other
operands, also through a variable whose value is known, or in braces,
/var/cache/{yum,dnf}, which the bash of these images expands),
when a --mount covers the cache folder, when the RUN right after only cleans
it (DS130 moves that cleanup here), and for exec-form RUN (reported).

With --cache-mounts this rule still applies: yum and dnf only keep packages
in a cache mount with keepcache=True, which dockslim does not configure.`,
	Before:        "RUN yum install -y httpd",
	After:         "RUN yum install -y httpd && yum clean all && rm -rf /var/cache/yum",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3032", "DL3040"}, // each finding carries its tool's (yumHadolint)
	Parfum:        []string{"yumInstallRmVarCacheYum"},
}

// YumPass is the yum pass.
var YumPass = &rewrite.Pass{Name: "yum", Rules: []*rewrite.Rule{RuleDnfNoWeakDeps, RuleYumAssumeYes, RuleYumClean}, Run: runYum}

func isYum(name string) bool {
	return name == "yum" || name == "dnf" || name == "dnf5" || name == "microdnf"
}

var (
	// subcommands (and their aliases: dnf's rei, dg, dsync, grp...) that ask
	// for confirmation
	yumPrompting = []string{"install", "in", "install-n", "install-na", "install-nevra", "groupinstall", "localinstall",
		"reinstall", "rei", "remove", "erase", "rm", "update", "upgrade", "up", "localupdate", "update-to", "upgrade-to",
		"update-minimal", "upgrade-minimal", "up-min", "distro-sync", "distrosync", "dsync", "distribution-synchronization",
		"downgrade", "dg", "autoremove", "groupremove", "grouperase", "groupupdate", "swap", "group", "groups", "grp",
		"module", "builddep"}
	yumInstalling = []string{"install", "in", "install-n", "install-na", "install-nevra", "groupinstall", "localinstall"}
	// subcommands whose second word is the real action
	yumTwoWord = []string{"group", "groups", "grp", "module"}
	// subcommands that fill the cache
	yumCaching = []string{"install", "in", "install-n", "install-na", "install-nevra", "groupinstall", "localinstall",
		"reinstall", "rei", "update", "upgrade", "up", "localupdate", "update-to", "upgrade-to",
		"update-minimal", "upgrade-minimal", "up-min", "distro-sync", "distrosync", "dsync", "distribution-synchronization",
		"downgrade", "dg", "group", "groups", "grp", "module", "makecache", "mc", "builddep", "swap", "groupupdate"}
)

// action returns the index after which a subcommand flag goes, and the
// action ("install" for "group install").
func yumAction(call *osCall) (int, string) {
	sub := call.Subcmd()
	if slices.Contains(yumTwoWord, sub) {
		if n := call.arg(call.Sub + 1); n != "" && !strings.HasPrefix(n, "-") {
			return call.Sub + 1, n
		}
	}
	return call.Sub, sub
}

func runYum(c *rewrite.Context) {
	for in, calls := range osRuns(c.File, isYum, shellcmd.Dnf.ValueOpts) {
		for _, call := range calls {
			sub := call.Subcmd()
			at, action := yumAction(call)
			if call.Name != "yum" && (slices.Contains(yumInstalling, sub) || slices.Contains(yumTwoWord, sub) && action == "install") {
				dnfWeakDeps(c, call, at)
			}
			if slices.Contains(yumPrompting, sub) {
				yumYes(c, call, at)
			}
		}
		yumClean(c, in, calls)
	}
}

func dnfWeakDeps(c *rewrite.Context, call *osCall, at int) {
	if call.Any(func(a string) bool { return strings.Contains(a, "weak_deps") || strings.Contains(a, "weak-deps") }) ||
		osConfigured(call.In, "install_weak_deps") {
		return
	}
	call.osFix(c, RuleDnfNoWeakDeps, call.Start(call.Sub), call.InsertAfter(c.File, at, "--setopt=install_weak_deps=0"),
		"%s install: add --setopt=install_weak_deps=0 so that weak dependencies stay out of the image", call.Name)
}

func yumYes(c *rewrite.Context, call *osCall, at int) {
	yes := call.Any(func(a string) bool {
		if a == "--assumeyes" || a == "--assume-yes" || strings.Contains(strings.ToLower(a), "assumeyes") {
			return true
		}
		l := shortCluster(a)
		return l != "" && !strings.ContainsAny(l[:1], "cdexR") && strings.Contains(l, "y")
	})
	if yes || osConfigured(call.In, "assumeyes") {
		return
	}
	yumFix(c, RuleYumAssumeYes, call.Name, call.Opaque, call.Start(call.Sub), call.InsertAfter(c.File, at, "-y"),
		"%s %s: add -y, a build cannot answer the confirmation prompt", call.Name, call.Subcmd())
}

var yumCacheDirs = []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"}

// yumCacheDir is where the program keeps its cache (yum on EL8+ is dnf
// and uses /var/cache/dnf; dockslim cannot tell the base's release).
func yumCacheDir(name string) string {
	switch name {
	case "dnf":
		return "/var/cache/dnf"
	case "dnf5":
		return "/var/cache/libdnf5"
	}
	return "/var/cache/yum"
}

// yumClean is DS122.
func yumClean(c *rewrite.Context, in *parser.Instruction, calls []*osCall) {
	last := -1
	for i, call := range calls {
		if slices.Contains(yumCaching, call.Subcmd()) {
			last = i
		}
	}
	if last < 0 {
		return
	}
	call := calls[last]
	for _, d := range yumCacheDirs {
		if mountCovers(in, d) || laterCleanupHandles(c, in, d) {
			return
		}
	}
	sc := stagestate.Scope{File: c.File, In: in}
	var cleaned []string // what the RUN's clean commands after the last call clean
	for _, cmd := range allCmds(in) {
		start, _ := cmd.Span(0)
		if start <= call.Start(0) {
			continue
		}
		if isYum(cmd.Name) && cmd.Has("clean") {
			cleaned = append(cleaned, yumCleanTargets(cmd)...)
		}
		for _, d := range yumCacheDirs {
			if removesYumCache(sc, cmd, d) {
				return
			}
		}
	}
	if slices.Contains(cleaned, "all") || slices.Contains(cleaned, "packages") && slices.Contains(cleaned, "metadata") {
		return
	}
	last2 := calls[len(calls)-1]
	if last2.Cmd == nil {
		yumReportf(c, RuleYumClean, call, call.Start(0),
			"%s leaves its cache in the layer, and an exec-form RUN cannot clean it; use the shell form and add \"&& %s clean all\"", call.Name, call.Name)
		return
	}
	sudo := sudoPrefix(last2.Cmd)
	text := sudo + call.Name + " clean all"
	if call.Name == "yum" {
		text += " && " + sudo + "rm -rf /var/cache/yum"
	}
	edits, ok := appendToChain(c.File, last2.Cmd, text)
	if !ok || last2.Opaque {
		yumReportf(c, RuleYumClean, call, call.Start(0), "%s leaves its cache in the layer, and %s; add %q by hand", call.Name, last2.cannotAppend(), text)
		return
	}
	what := "leaves its metadata and package cache in the layer"
	if len(cleaned) > 0 {
		what = fmt.Sprintf("clean %s leaves the rest of its cache in the layer (only clean all, or clean packages with clean metadata, empties it)", strings.Join(cleaned, " "))
	}
	yumFix(c, RuleYumClean, call.Name, false, call.Start(0), edits,
		"%s %s; add %q at the end of the same RUN", call.Name, what, text)
}

// yumCleanTargets are the operands of a yum/dnf clean command: "all",
// "packages", "metadata", "dbcache", "expire-cache".
func yumCleanTargets(cmd *shellcmd.Command) []string {
	var out []string
	after := false
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		switch {
		case !ok:
			out = append(out, "all") // a target dockslim cannot read: do not second-guess it
		case a == "clean":
			after = true
		case after && !strings.HasPrefix(a, "-"):
			out = append(out, a)
		}
	}
	return out
}

// removesYumCache reports whether cmd removes the cache folder d. The
// images that run yum and dnf (RHEL, CentOS, Fedora, Amazon Linux, Oracle
// Linux) have bash as /bin/sh, which expands braces: rm -rf
// /var/cache/{yum,dnf} removes both.
func removesYumCache(sc stagestate.Scope, cmd *shellcmd.Command, d string) bool {
	if stagestate.RemovesPath(sc, cmd, d) {
		return true
	}
	if cmd.Name != "rm" {
		return false
	}
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok {
			continue
		}
		for _, p := range expandBraces(a) {
			if stagestate.PathCovers(p, d) {
				return true
			}
		}
	}
	return false
}

// expandBraces expands the first {a,b,...} group of a word (no nesting),
// the way bash does; a word without one is returned as is.
func expandBraces(w string) []string {
	i := strings.IndexByte(w, '{')
	j := strings.IndexByte(w, '}')
	if i < 0 || j < i || !strings.Contains(w[i:j], ",") || strings.ContainsAny(w[i+1:j], "{") {
		return []string{w}
	}
	var out []string
	for _, alt := range strings.Split(w[i+1:j], ",") {
		out = append(out, expandBraces(w[:i]+alt+w[j+1:])...)
	}
	return out
}

// yumHadolint is the hadolint code of a finding of rule r about program
// name: hadolint checks yum with one rule and dnf with another (its dnf
// rules stand for microdnf and dnf5 too).
func yumHadolint(r *rewrite.Rule, name string) string {
	yum := name == "yum"
	switch r {
	case RuleYumAssumeYes:
		if yum {
			return "DL3030"
		}
		return "DL3038"
	case RuleYumClean:
		if yum {
			return "DL3032"
		}
		return "DL3040"
	}
	return ""
}

// yumFix is osCall.osFix (opaque: the call is not editable, report only)
// with the finding's own hadolint code, for a call of program name.
func yumFix(c *rewrite.Context, r *rewrite.Rule, name string, opaque bool, off int, edits []textedit.Edit, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fd := rewrite.Finding{Rule: r, Offset: off, Message: msg, Hadolint: yumHadolint(r, name)}
	if opaque {
		fd.Message += " (it runs inside an sh -c string that dockslim cannot edit: change it by hand)"
	} else {
		fd.Fix = &rewrite.Fix{Applicability: rewrite.Safe, Description: msg, Edits: edits}
	}
	c.Report(fd)
}

// yumReportf reports a finding without a fix, with its own hadolint code.
func yumReportf(c *rewrite.Context, r *rewrite.Rule, call *osCall, off int, format string, args ...any) {
	c.Report(rewrite.Finding{Rule: r, Offset: off, Message: fmt.Sprintf(format, args...), Hadolint: yumHadolint(r, call.Name)})
}
