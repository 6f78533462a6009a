package pkgcache

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/images"
	"github.com/dockslim/dockslim/internal/strset"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/shellcmd"
	"github.com/dockslim/dockslim/stagestate"
	"github.com/dockslim/dockslim/textedit"
)

// RuleAptNoRecommends is DS110.
var RuleAptNoRecommends = &rewrite.Rule{
	ID:      "DS110",
	Name:    "apt-no-install-recommends",
	Summary: "apt-get install pulls in recommended packages; add --no-install-recommends",
	Explanation: `By default apt-get and apt install every package that the requested ones
"recommend", not only what they need. Recommended packages are often larger
than the requested ones (documentation tools, X libraries, compilers) and are
shipped with the image.

dockslim adds --no-install-recommends right after "install". It leaves the
command alone when it already says --no-install-recommends or
--install-recommends, sets APT::Install-Recommends with -o, or when an
earlier RUN of the stage writes APT::Install-Recommends into apt's
configuration. Exec-form RUN gets the flag as a new array element.

Recommends that later use needs are kept by name: when the command
installs an https client whose CA certificates are only a Recommends
(curl, wget, git, gnupg/dirmngr and every other package that Debian's
package metadata says loses ca-certificates without its recommends), and
the stage does not already have them (shipped by the base image, installed
earlier in the stage chain), the fix adds ca-certificates to the same
command. When the command cannot take it (an sh -c string dockslim cannot
edit), dockslim reports and changes nothing.

If a program needs another recommended package, name that package explicitly.`,
	Before:        "RUN apt-get update && apt-get install -y curl",
	After:         "RUN apt-get update && apt-get install --no-install-recommends -y curl",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3015"},
	Parfum:        []string{"aptGetInstallUseNoRec"},
}

// RuleAptAssumeYes is DS111.
var RuleAptAssumeYes = &rewrite.Rule{
	ID:      "DS111",
	Name:    "apt-assume-yes",
	Summary: "apt-get install without -y waits for an answer that a build cannot give",
	Explanation: `apt-get install, upgrade, remove and similar commands ask for confirmation
before they change anything. A docker build has no terminal, so apt-get reads
end of file and aborts ("Do you want to continue? [Y/n] Abort.").

dockslim adds -y right after the subcommand. It counts as already present:
-y, --yes, --assume-yes, any short-option group with a y (-qy, -yq), quiet
level 2 (-qq, -q -q, -q=2, --quiet=2, which apt documents as implying -y),
-o APT::Get::Assume-Yes=..., and an earlier RUN of the stage that writes
APT::Get::Assume-Yes into apt's configuration.`,
	Before:        "RUN apt-get update && apt-get install curl",
	After:         "RUN apt-get update && apt-get install -y curl",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Error,
	Hadolint:      []string{"DL3014"},
	Parfum:        []string{"aptGetInstallUseY"},
}

// RuleAptListsCleanup is DS112.
var RuleAptListsCleanup = &rewrite.Rule{
	ID:      "DS112",
	Name:    "apt-lists-cleanup",
	Summary: "apt-get update leaves its package lists in the layer; remove /var/lib/apt/lists/* in the same RUN",
	Explanation: `apt-get update downloads the package lists of every configured repository into
/var/lib/apt/lists (tens of MB for Debian and Ubuntu). They are only needed
while apt-get installs, but they stay in the layer of the RUN that downloaded
them; deleting them in a later RUN does not make the image smaller.

dockslim appends "rm -rf /var/lib/apt/lists/*" to the && chain of the last
apt command of a RUN that runs apt-get update and then installs, in the
chain's own layout (same line or a new continued line). It does nothing when
the lists are already removed later in the same RUN, when a --mount of the
RUN covers /var/lib/apt or /var/lib/apt/lists, when the RUN right after
(only metadata instructions between) removes them (rule DS130 then moves
that cleanup into this RUN), or when --cache-mounts is on (DS115).

A RUN that only runs apt-get update is left to DS113: removing the lists
there would break the next RUN's install.

A later RUN that installs with these lists (the next RUN of the stage that
touches them, or the first one of each stage built FROM this one, when it
installs before any apt-get update of its own) would fail with "Unable to
locate package" once they are gone: the fix puts "apt-get update &&" before
that install too, as experts write it (every installing RUN updates and
cleans). When such a RUN cannot take it (exec form, an sh -c string, ONBUILD),
the lists would stay in the image anyway, so dockslim removes nothing and
says why. The cleanup is also not added when the RUN already removes the
lists another way: apt-get dist-clean, an rm among other operands or
through a variable whose value is known, find … -delete. Exec-form RUN cannot take a
cleanup command; dockslim reports it.`,
	Before:        "RUN apt-get update && apt-get install -y --no-install-recommends curl",
	After:         "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3009"},
	Parfum:        []string{"aptGetInstallThenRemoveAptLists"},
}

// RuleAptUpdateOwnRun is DS113.
var RuleAptUpdateOwnRun = &rewrite.Rule{
	ID:      "DS113",
	Name:    "apt-update-own-run",
	Summary: "apt-get update in a RUN of its own goes stale in the build cache; run it in the RUN that installs",
	Explanation: `A RUN that only runs apt-get update is cached like any other layer. When the
next RUN's package list changes, Docker re-runs the install with the index of
the cached update layer, which may be weeks old: the install fails with 404
errors or installs outdated versions. The update layer also keeps the package
lists (tens of MB) in the image, and costs a layer.

When the RUN right after it installs with apt, dockslim merges the two: the
update RUN is deleted and "apt-get update &&" is put before that install, in
the chain's layout. The fix is safe when the two RUNs are adjacent (no
instruction between them), have the same flags (--mount, --network...), and
the install's chain has no || (where a failing update could be swallowed);
otherwise it is unsafe (applied with --unsafe-fixes). When the next RUN runs
apt-get update itself, the lone update is only deleted. When the next
instruction is not such a RUN, dockslim only reports.`,
	Before: "RUN apt-get update\nRUN apt-get install -y --no-install-recommends curl",
	After:  "RUN apt-get update && apt-get install -y --no-install-recommends curl",
	// Safe when adjacent with the same flags; the finding says which.
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
	Parfum:        []string{"aptGetUpdatePrecedesInstall"},
}

// RuleAptUpgrade is DS114.
var RuleAptUpgrade = &rewrite.Rule{
	ID:      "DS114",
	Name:    "apt-upgrade",
	Summary: "apt-get upgrade in a Dockerfile makes the image bigger and the build unreproducible",
	Explanation: `apt-get upgrade, dist-upgrade and full-upgrade rewrite a large part of the base
image in a new layer: the old files stay in the base layers, the new ones are
added on top, and the result depends on the day of the build. Prefer a newer
or more specific base image tag (rebuilt upstream with the updates), or
upgrade only the packages that need a fix with apt-get install --only-upgrade.

dockslim only reports this; it does not remove the command, since the base
image may really need the updates. (hadolint had DL3005 for this; it was
removed from hadolint, so no equivalent is listed.)`,
	Before:        "FROM debian:bookworm-20230612-slim\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*",
	After:         "FROM debian:bookworm-20240701-slim",
	Applicability: rewrite.Suggestion,
	Severity:      rewrite.Info,
}

// RuleAptCacheMounts is DS115.
var RuleAptCacheMounts = &rewrite.Rule{
	ID:      "DS115",
	Name:    "apt-cache-mounts",
	Summary: "with --cache-mounts: keep apt's downloads and lists in BuildKit cache mounts",
	Explanation: `Only with --cache-mounts. Instead of deleting apt's package lists and
downloaded .deb files, keep them in BuildKit cache mounts, so that they are
never part of a layer and later builds reuse them (faster rebuilds, same
image size).

dockslim adds, to a RUN that installs with apt, the pattern of Docker's
documentation:

  --mount=type=cache,target=/var/cache/apt,sharing=locked
  --mount=type=cache,target=/var/lib/apt,sharing=locked

and puts "rm -f /etc/apt/apt.conf.d/docker-clean" before the first apt
command (the Debian and Ubuntu images ship that file, which deletes every
downloaded .deb, defeating the cache) unless an earlier RUN of the stage
removed it. For "apt" (not apt-get), which deletes its downloads unless told
otherwise, it also writes Binary::apt::APT::Keep-Downloaded-Packages "true"
to /etc/apt/apt.conf.d/keep-cache, as Docker's documentation does. Cleanup
commands that would empty the mounts ("rm -rf /var/lib/apt/lists/*",
"apt-get clean") are taken out of the chain. DS112 does not fire in this mode.

It is not done for exec-form RUN, ONBUILD RUN, RUNs that already have a mount
on those folders, and files that cannot use RUN --mount: a "# syntax="
frontend older than docker/dockerfile:1.2, or a Windows Dockerfile. RUN
--mount needs BuildKit (the default builder since Docker 23.0) or buildah
(Debian's 1.28 reads RUN --mount=type=cache).

The other package managers are left to their cache rules in this mode: apk
caches packages only when /etc/apk/cache exists, and dnf/yum only with
keepcache=True, so a mount alone would not help them.`,
	Before: "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
	After: "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked " +
		"rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update && apt-get install -y --no-install-recommends curl",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Info,
}

// AptPass is the apt pass.
var AptPass = &rewrite.Pass{Name: "apt", Rules: []*rewrite.Rule{
	RuleAptNoRecommends, RuleAptAssumeYes, RuleAptListsCleanup, RuleAptUpdateOwnRun,
	RuleAptUpgrade, RuleAptCacheMounts,
}, Run: runApt}

func isApt(name string) bool { return shellcmd.IsApt(name) }

// apt's options that take a separate value: the shared table.
var aptValueOpts = shellcmd.Apt.ValueOpts

var (
	// subcommands that ask for confirmation
	aptPrompting = strset.Set{"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade",
		"remove", "purge", "autoremove", "autopurge", "build-dep"}
	// subcommands that download packages into /var/cache/apt
	aptDownloading = strset.Set{"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "build-dep"}
	aptUpgrades    = strset.Set{"upgrade", "dist-upgrade", "full-upgrade"}
)

const aptLists = "/var/lib/apt/lists"

func runApt(c *rewrite.Context) {
	// stages whose docker-clean file a DS115 fix of this run removes
	cleaned := map[*parser.Stage]bool{}
	for _, in := range c.File.Instructions {
		if !in.Is("run") {
			continue
		}
		calls := osCalls(in, isApt, aptValueOpts)
		if len(calls) == 0 {
			continue
		}
		for _, call := range calls {
			sub := call.Subcmd()
			if shellcmd.AptSimulates(shellcmd.Apt.Parse(call.Lits, call.Lit)) {
				continue // -s: nothing is downloaded, installed or asked
			}
			if sub == "install" {
				aptRecommends(c, call)
			}
			if aptPrompting.Has(sub) {
				aptYes(c, call)
			}
			if aptUpgrades.Has(sub) {
				c.Reportf(RuleAptUpgrade, call.Start(call.Sub),
					"%s %s rewrites base-image files in a new layer and depends on the day of the build; prefer a newer base image tag", call.Name, sub)
			}
		}
		if !aptCacheMounts(c, in, calls, cleaned) {
			aptListsCleanup(c, in, calls)
		}
		aptUpdateOwnRun(c, in, calls)
	}
}

func aptRecommends(c *rewrite.Context, call *osCall) {
	if call.Any(func(a string) bool {
		return strings.HasPrefix(a, "--no-install-recommends") || strings.HasPrefix(a, "--install-recommends") ||
			strings.Contains(strings.ToLower(a), "install-recommends")
	}) || osConfigured(call.In, "APT::Install-Recommends") {
		return
	}
	if ins := modelInstall(c.File, call); ins != nil && ins.Unknown > 0 {
		c.Reportf(RuleAptNoRecommends, call.Start(call.Sub),
			"%s install: --no-install-recommends would keep recommended packages out, but some packages are named through variables dockslim cannot resolve, so it cannot tell which of them later steps need; add the flag by hand (with the packages they need)", call.Name)
		return
	}
	edits := call.InsertAfter(c.File, call.Sub, "--no-install-recommends")
	client, keep := caCertsNeeded(c.File, call)
	if client == "" {
		call.osFix(c, RuleAptNoRecommends, call.Start(call.Sub), edits,
			"%s install: add --no-install-recommends so that recommended packages stay out of the image", call.Name)
		return
	}
	if keep == nil {
		c.Reportf(RuleAptNoRecommends, call.Start(call.Sub),
			"%s install: --no-install-recommends would drop ca-certificates, which %s needs for https, and dockslim cannot add the package to this command; add both by hand", call.Name, client)
		return
	}
	call.osFix(c, RuleAptNoRecommends, call.Start(call.Sub), append(edits, keep...),
		"%s install: add --no-install-recommends so that recommended packages stay out of the image, and ca-certificates, a recommended package that %s needs for https", call.Name, client)
}

// modelInstall is the stage model's view of the install call runs (its
// packages with variables resolved), or nil.
func modelInstall(f *parser.File, call *osCall) *stagestate.Install {
	r := stagestate.Of(f).Run(call.In)
	if r == nil {
		return nil
	}
	for i := range r.Installs {
		ins := &r.Installs[i]
		if call.Cmd == nil && ins.Cmd == nil || call.Cmd != nil && ins.Cmd != nil && ins.Start == call.Start(0) {
			return ins
		}
	}
	return nil
}

// caCertsNeeded returns the first package of an install that loses
// ca-certificates without its recommends (curl, wget, git: Debian's
// package metadata says which), when the stage does not already have them
// (shipped by the base, installed earlier or in this command); keep is
// the edit that adds ca-certificates to the command, nil when it cannot.
func caCertsNeeded(f *parser.File, call *osCall) (client string, keep []textedit.Edit) {
	ops := shellcmd.Apt.Parse(call.Lits, call.Lit).Operands
	var pkgs []string
	if ins := modelInstall(f, call); ins != nil {
		pkgs = ins.Packages // variables resolved
	}
	for _, p := range pkgs {
		if p == "ca-certificates" || images.BringsCACerts(p) {
			return "", nil // named, or a dependency of another package
		}
		if client == "" && images.LosesCACerts(p) {
			client = p
		}
	}
	if client == "" {
		return "", nil
	}
	if r := stagestate.Of(f).Run(call.In); r != nil {
		if r.Before.CACerts {
			return "", nil
		}
		for _, ins := range r.Installs {
			if ins.Cmd != nil && call.Cmd != nil && ins.Cmd == call.Cmd {
				break
			}
			if slices.Contains(ins.Packages, "ca-certificates") {
				return "", nil
			}
		}
	}
	if len(ops) == 0 || call.Opaque {
		return client, nil
	}
	last := ops[len(ops)-1]
	if call.Cmd == nil {
		return client, JSONInsertAfter(f, call.In, last, "ca-certificates")
	}
	// The separator between the last two packages, or before the only one
	// when it sits on a line of its own: one package a line stays so.
	sep, prev := " ", last-1
	if len(ops) > 1 {
		prev = ops[len(ops)-2]
	}
	if between := string(f.Src[call.End(prev):call.Start(last)]); len(ops) > 1 || strings.Contains(between, "\n") {
		sep = shellcmd.LayoutSeparator(between)
	}
	return client, InsertAt(call.End(last), sep+"ca-certificates")
}

func aptYes(c *rewrite.Context, call *osCall) {
	if aptAssumesYes(call.Lits) || osConfigured(call.In, "Assume-Yes") {
		return
	}
	call.osFix(c, RuleAptAssumeYes, call.Start(call.Sub), call.InsertAfter(c.File, call.Sub, "-y"),
		"%s %s: add -y, a build cannot answer apt's confirmation prompt", call.Name, call.Subcmd())
}

// aptAssumesYes reports whether apt's arguments already answer yes.
func aptAssumesYes(lits []string) bool {
	quiet := 0
	for i := 1; i < len(lits); i++ {
		a := lits[i]
		switch {
		case a == "--yes" || a == "--assume-yes" || strings.HasPrefix(a, "--yes=") || strings.HasPrefix(a, "--assume-yes="):
			return true
		case a == "--quiet":
			quiet++
		case strings.HasPrefix(a, "--quiet="):
			n, _ := strconv.Atoi(a[len("--quiet="):])
			quiet += n
		case strings.HasPrefix(a, "-q="):
			n, _ := strconv.Atoi(a[len("-q="):])
			quiet += n
		case a == "-o" || a == "--option":
			if i+1 < len(lits) && isAssumeYesOpt(lits[i+1]) {
				return true
			}
			i++
		case strings.HasPrefix(a, "--option="):
			if isAssumeYesOpt(a[len("--option="):]) {
				return true
			}
		case aptValueOpts.Has(a):
			i++
		default:
			letters := shortCluster(a)
			if letters == "" {
				continue
			}
			if strings.ContainsRune("octaP", rune(letters[0])) {
				// -oFoo=bar: the rest of the word is a value
				if letters[0] == 'o' && isAssumeYesOpt(letters[1:]) {
					return true
				}
				continue
			}
			if strings.Contains(letters, "y") {
				return true
			}
			quiet += strings.Count(letters, "q")
		}
	}
	return quiet >= 2
}

func isAssumeYesOpt(v string) bool {
	return strings.HasPrefix(strings.ToLower(v), "apt::get::assume-yes")
}

// aptListsCleanup is DS112.
func aptListsCleanup(c *rewrite.Context, in *parser.Instruction, calls []*osCall) {
	lastUpdate := -1
	for i, call := range calls {
		if call.Subcmd() == "update" {
			lastUpdate = i
		}
	}
	if lastUpdate < 0 || calls[lastUpdate].Cmd == nil {
		return
	}
	work := false
	for _, call := range calls[lastUpdate+1:] {
		if s := call.Subcmd(); s != "" && s != "update" {
			work = true
		}
	}
	if !work || mountCovers(in, aptLists) {
		return
	}
	update := calls[lastUpdate]
	if removedAfterUpdate(stagestate.Of(c.File).Run(in)) {
		return // removed later in the RUN already (rm among other operands, dist-clean, a variable)
	}
	if laterCleanupHandles(c, in, aptLists) {
		return
	}
	last := calls[len(calls)-1]
	e, ok := shellcmd.AppendToChain(c.File, last.Cmd, sudoPrefix(last.Cmd)+"rm -rf /var/lib/apt/lists/*")
	if !ok || last.Opaque || update.Opaque {
		why := last.cannotAppend()
		if update.Opaque {
			why = update.cannotAppend()
		}
		c.Reportf(RuleAptListsCleanup, update.Start(0),
			"%s update leaves its package lists in the layer, and %s; remove /var/lib/apt/lists/* at its end by hand", update.Name, why)
		return
	}
	edits := []textedit.Edit{e}
	// A later RUN that installs with these lists gets its own update. If
	// one of them (or one that then reads its lists) cannot take one, the
	// lists stay in the image anyway: removing them here would only break it.
	more, lines, why := readerUpdates(c.File, in)
	if why != "" {
		c.Reportf(RuleAptListsCleanup, update.Start(0),
			"%s update leaves its package lists in the layer, but %s; not removing them", update.Name, why)
		return
	}
	edits = append(edits, more...)
	if len(lines) > 0 {
		osFix(c, RuleAptListsCleanup, rewrite.Safe, update.Start(0), edits,
			"%s update leaves its package lists in the layer; remove /var/lib/apt/lists/* at the end of the same RUN, and run apt-get update in the later RUN(s) that install with them (%s)", update.Name, lineList(lines))
		return
	}
	osFix(c, RuleAptListsCleanup, rewrite.Safe, update.Start(0), edits,
		"%s update leaves its package lists in the layer; remove /var/lib/apt/lists/* at the end of the same RUN", update.Name)
}

// lineList is "line 4", "lines 4 and 7", "lines 4, 7 and 9".
func lineList(lines []string) string {
	if len(lines) == 1 {
		return "line " + lines[0]
	}
	return "lines " + strings.Join(lines[:len(lines)-1], ", ") + " and " + lines[len(lines)-1]
}

// readerUpdates returns the edits that give each RUN reading the package
// lists in leaves (stagestate.ListsReaders) an apt-get update of its own,
// and their input lines; why says which RUN cannot take one, if any.
func readerUpdates(f *parser.File, in *parser.Instruction) (edits []textedit.Edit, lines []string, why string) {
	if r := stagestate.Of(f).Run(in); in.Sub != "" || r == nil || !r.After.Lists {
		// ONBUILD: its readers are in other builds; lists already gone:
		// the later RUNs never had them.
		return nil, nil, ""
	}
	readers, blocked := listsReaders(f, in)
	if blocked != nil {
		line, _ := f.Position(blocked.In.Start)
		return nil, nil, fmt.Sprintf("the RUN at line %d installs with them later and dockslim cannot give it an apt-get update of its own (%s)", line, readerWhy(blocked.In, blocked.Ops[0]))
	}
	for _, r := range readers {
		line, _ := f.Position(r.In.Start)
		op := r.Ops[0]
		ins, ok := shellcmd.InsertBeforeChain(f, op.Cmd, sudoPrefix(op.Cmd)+"apt-get update")
		if !ok {
			return nil, nil, fmt.Sprintf("the RUN at line %d installs with them and its chain cannot take an apt-get update", line)
		}
		edits = append(edits, ins)
		lines = append(lines, strconv.Itoa(line))
	}
	return edits, lines, ""
}

// removedAfterUpdate reports whether a command of the RUN removes the
// lists after its last apt-get update.
func removedAfterUpdate(r *stagestate.Run) bool {
	if r == nil {
		return false
	}
	removed := false
	for _, op := range r.Ops {
		switch op.Kind {
		case stagestate.Update:
			removed = false
		case stagestate.Removes:
			removed = true
		}
	}
	return removed
}

// listsReaders returns the RUNs that install with the lists in leaves
// (see stagestate.ListsReaders). blocked is a RUN, among them or among the
// readers of their own lists once they update, that cannot take an update.
func listsReaders(f *parser.File, in *parser.Instruction) (readers []*stagestate.Run, blocked *stagestate.Run) {
	m := stagestate.Of(f)
	seen := map[*parser.Instruction]bool{}
	var walk func(in *parser.Instruction, direct bool) *stagestate.Run
	walk = func(in *parser.Instruction, direct bool) *stagestate.Run {
		for _, r := range m.ListsReaders(in) {
			if seen[r.In] {
				continue
			}
			seen[r.In] = true
			if !updatable(r) {
				return r
			}
			if direct {
				readers = append(readers, r)
			}
			if b := walk(r.In, false); b != nil {
				return b
			}
		}
		return nil
	}
	blocked = walk(in, true)
	return readers, blocked
}

// updatable reports whether an apt-get update can be put before the RUN's
// first install.
func updatable(r *stagestate.Run) bool {
	op := r.Ops[0]
	return r.In.Sub == "" && op.Cmd != nil && !op.Opaque && !op.Cmd.Quoted && !op.Cmd.InSubst
}

// readerWhy says why a RUN cannot take an apt-get update.
func readerWhy(in *parser.Instruction, op stagestate.AptOp) string {
	switch {
	case in.Sub != "":
		return "an ONBUILD RUN"
	case op.Cmd == nil:
		return "exec form"
	case op.Opaque || op.Cmd.Quoted:
		return "the install runs inside an sh -c string"
	}
	return "the install runs inside a command substitution"
}

// aptUpdateOwnRun is DS113: a RUN that only runs apt-get update.
func aptUpdateOwnRun(c *rewrite.Context, in *parser.Instruction, calls []*osCall) {
	f := c.File
	if len(calls) != 1 || calls[0].Subcmd() != "update" || calls[0].Opaque {
		return
	}
	call := calls[0]
	report := func(why string) {
		c.Reportf(RuleAptUpdateOwnRun, call.Start(0),
			"%s update in a RUN of its own: its index goes stale in the build cache and its lists stay in a layer; run it in the RUN that installs (%s)", call.Name, why)
	}
	if in.JSON {
		report("exec form: dockslim cannot merge it")
		return
	}
	cmd := call.Cmd
	if len(shellcmd.All(in)) != 1 || in.Script == nil || in.Script.File == nil || len(in.Script.File.Stmts) != 1 ||
		cmd.Top != cmd.Stmt || cmd.Quoted || len(in.HeredocScripts) > 0 {
		return // the RUN does more than update; leave it
	}
	text := stmtText(f, in.Script, cmd.Top)
	next := nextInstruction(f, in)
	if next == nil || !next.Is("run") || next.Sub != in.Sub || in.Sub != "" || next.JSON || len(next.HeredocScripts) > 0 || strings.Contains(text, "\n") {
		report("the next instruction is not a RUN dockslim can merge it into")
		return
	}
	var first *osCall
	for _, nc := range osCalls(next, isApt, aptValueOpts) {
		if nc.Subcmd() != "" {
			first = nc
			break
		}
	}
	if first == nil || (first.Subcmd() != "update" && !aptDownloading.Has(first.Subcmd())) {
		report("the next RUN does not install with apt")
		return
	}
	del := deleteInstruction(f, in)
	if first.Subcmd() == "update" {
		osFix(c, RuleAptUpdateOwnRun, rewrite.Safe, call.Start(0), []textedit.Edit{del},
			"%s update in a RUN of its own is redundant: the next RUN updates the index itself; delete it", call.Name)
		return
	}
	if first.Opaque || first.Cmd.Quoted || first.Cmd.InSubst {
		report("the install is inside a quoted or substituted command")
		return
	}
	ins, ok := shellcmd.InsertBeforeChain(f, first.Cmd, text)
	if !ok {
		report("the install's chain cannot take it")
		return
	}
	app, why := rewrite.Safe, "the RUNs are adjacent with the same flags"
	if !sameFlags(in, next) {
		app, why = rewrite.Unsafe, "the RUNs have different flags, so the update would now run with the install's"
	} else if _, ok := andLeaves(first.Cmd.Top); !ok {
		app, why = rewrite.Unsafe, "the install's chain has ||, which could swallow a failing update"
	}
	osFix(c, RuleAptUpdateOwnRun, app, call.Start(0), []textedit.Edit{del, ins},
		"%s update in a RUN of its own goes stale in the build cache and keeps its lists in a layer; merge it into the next RUN (%s)", call.Name, why)
}

func nextInstruction(f *parser.File, in *parser.Instruction) *parser.Instruction {
	if in.Index+1 >= len(f.Instructions) {
		return nil
	}
	n := f.Instructions[in.Index+1]
	if n.Stage != in.Stage {
		return nil
	}
	return n
}

func sameFlags(a, b *parser.Instruction) bool {
	if len(a.Flags) != len(b.Flags) {
		return false
	}
	for i := range a.Flags {
		if a.Flags[i].Name != b.Flags[i].Name || a.Flags[i].Value != b.Flags[i].Value {
			return false
		}
	}
	return true
}

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
		if download == nil && aptDownloading.Has(call.Subcmd()) {
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
	var edits []textedit.Edit
	if len(in.Flags) == 0 {
		edits = append(edits, InsertAt(in.ArgsStart, aptMountFlags+" ")...)
	} else {
		edits = append(edits, InsertAt(in.Flags[len(in.Flags)-1].End, " "+aptMountFlags)...)
	}
	// Cleanups that would empty the mounts go.
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
	if len(drop) > 0 {
		rm, ok := removeCommands(f, drop)
		if !ok {
			c.Reportf(RuleAptCacheMounts, download.Start(0),
				"%s: could use cache mounts, but its cleanup commands cannot be taken out of the chain", download.Name)
			return true
		}
		edits = append(edits, rm...)
	}
	var setup []string
	if !removedBefore(in, "/etc/apt/apt.conf.d/docker-clean") && !stageMarked(in, cleaned) {
		setup = append(setup, "rm -f /etc/apt/apt.conf.d/docker-clean")
		cleaned[in.Stage] = true
	}
	usesApt := false
	for _, call := range calls {
		usesApt = usesApt || call.Name == "apt" && aptDownloading.Has(call.Subcmd())
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
		e, ok := shellcmd.InsertBeforeChain(f, first.Cmd, strings.Join(setup, " && "))
		if !ok {
			return true
		}
		edits = append(edits, e)
	}
	edits = append(edits, readerEdits...)
	osFix(c, RuleAptCacheMounts, rewrite.Safe, download.Start(0), edits,
		"%s %s: keep apt's downloads and lists in cache mounts instead of the layer (--cache-mounts)", download.Name, download.Subcmd())
	return true
}

// aptWillMount reports whether DS115 applies to the RUN in --cache-mounts
// mode (so that other rules do not clean apt's folders there).
func aptWillMount(c *rewrite.Context, in *parser.Instruction) bool {
	if !c.Options.CacheMounts || !canMount(c.File) || in.Sub != "" || in.JSON || !in.Is("run") {
		return false
	}
	calls := osCalls(in, isApt, aptValueOpts)
	return !anyOpaque(calls) && slices.ContainsFunc(calls, func(call *osCall) bool { return aptDownloading.Has(call.Subcmd()) })
}

// removedBefore reports whether an rm in the stage before in (or in in)
// removes p.
func removedBefore(in *parser.Instruction, p string) bool {
	for _, prev := range append(stageHistory(in), in) {
		if !prev.Is("run") {
			continue
		}
		for _, cmd := range allCmds(prev) {
			if removesPath(cmd, p) {
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
