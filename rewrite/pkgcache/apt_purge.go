package pkgcache

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/rewrite"
)

// explainAutoRemove is what both purge rules prove before --auto-remove.
const explainAutoRemove = `
What --auto-remove takes is bounded with Debian bookworm's own package
metadata (internal/images, generated from Packages.xz and Contents-amd64.gz):
the Depends (and, for packages installed with them, Recommends) closure of
the purged packages, less debootstrap's minbase and the closure of every
package the stage chain installed by name or marked manual, which apt keeps.
dockslim then checks that nothing later needs it: no command a later RUN of
the stage (or of a stage built FROM it), CMD, ENTRYPOINT or HEALTHCHECK runs
comes from those packages (unless an apt install brings it back first), no
script it cannot read runs, and the run-time libraries that programs built
in the stage link (those of the -dev packages that go, and gcc's opt-in
OpenMP, atomics and quad-math run-times) are marked manual first with
apt-mark manual, which keeps them and what they need. It declines, saying
why, on other bases than official Debian bookworm ones (python:3.12-slim-
bookworm, debian:bookworm-slim; buildpack-deps based images install build
packages themselves), after a remove without --auto-remove (its leftovers
would go too), for packages its table does not have, and for anything
later that needs what would go.`

// RuleAptAutoRemove is DS132.
var RuleAptAutoRemove = &rewrite.Rule{
	ID:      "DS132",
	Name:    "apt-purge-auto-remove",
	Summary: "apt-get purge leaves the packages the purged ones pulled in; add --auto-remove",
	Explanation: `apt-get purge (or remove) removes the packages it names, not what apt
installed with them: purging gcc leaves cpp, gcc-12, binutils and their
libraries in the layer, marked as automatically installed and needed by
nothing. --auto-remove removes those too, in the same RUN, so that the
layer never holds them.

dockslim adds --auto-remove (and marks the run-time libraries that must stay
manual) to a purge of packages the same RUN installed; purging in a later
RUN cannot shrink the image, and apt-get autoremove later in the RUN already
does it.` + explainAutoRemove,
	Before:        "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && pip install --no-cache-dir psycopg2 && apt-get purge -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*",
	After:         "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && pip install --no-cache-dir psycopg2 && apt-mark manual libpq5 libgomp1 libatomic1 libquadmath0 && apt-get purge --auto-remove -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// RuleBuildDepsPurge is DS133.
var RuleBuildDepsPurge = &rewrite.Rule{
	ID:      "DS133",
	Name:    "apt-purge-build-deps",
	Summary: "compilers and -dev packages installed only to build stay in the image; purge them in the same RUN",
	Explanation: `Building native extensions (pip install of packages that compile, gem
install, node-gyp, make) needs gcc and the -dev packages of the C libraries
they bind; running them needs only the shared libraries. When the same RUN
installs the build packages and builds, purging the build packages at the
end of that RUN keeps them out of the layer: the image gets the result of the
build and the run-time libraries, not the compilers.

dockslim appends to the RUN an apt-mark manual of the run-time libraries
(libpq-dev gives libpq5, from the -dev → library table of Debian's metadata)
and an apt-get purge -y --auto-remove of the build-only packages the RUN
installed (compilers, build tools, -dev packages; other packages stay).
When the install and the build are in different RUNs, a purge would not
shrink the image: dockslim says so and points at the build stage (DS405 for
Python) or a single RUN.` + explainAutoRemove,
	Before:        "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && pip install --no-cache-dir psycopg2 && rm -rf /var/lib/apt/lists/*",
	After:         "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && pip install --no-cache-dir psycopg2 && rm -rf /var/lib/apt/lists/* && apt-mark manual libpq5 libgomp1 libatomic1 libquadmath0 && apt-get purge -y --auto-remove gcc libpq-dev",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// AptPurgePass is the apt-purge pass.
var AptPurgePass = &rewrite.Pass{Name: "apt-purge", Rules: []*rewrite.Rule{RuleAptAutoRemove, RuleBuildDepsPurge}, Run: runAptPurge}

func runAptPurge(c *rewrite.Context) {
	m := stagestate.Of(c.File)
	for _, in := range c.File.Instructions {
		r := m.Run(in)
		if r == nil || in.Sub != "" || in.Stage == nil {
			continue
		}
		for _, p := range r.Purges {
			autoRemove(c, m, r, p)
		}
		buildDepsPurge(c, m, r)
	}
}

// autoRemove is DS132 for one purge.
func autoRemove(c *rewrite.Context, m *stagestate.Model, r *stagestate.Run, p stagestate.Purge) {
	if p.AutoRemove || (p.Verb != "purge" && p.Verb != "remove") || p.Unknown > 0 || len(p.Packages) == 0 {
		return
	}
	for _, q := range r.Purges {
		if q.Start > p.Start && q.AutoRemove {
			return // a later autoremove of the RUN does it
		}
	}
	if !installedBefore(r, p.Start, p.Packages) {
		return // installed in an earlier layer: nothing to shrink here
	}
	ar := m.AutoRemove(r.In, p.Start, p.Packages, false)
	what := fmt.Sprintf("%s %s %s leaves what they pulled in (%s) in the layer", p.Cmd.Name, p.Verb, strings.Join(p.Packages, " "), sample(ar.Takes))
	if ar.Why != "" {
		c.Reportf(RuleAptAutoRemove, p.Start, "%s; dockslim does not add --auto-remove: %s", what, ar.Why)
		return
	}
	if p.Cmd == nil || p.Opaque || p.Cmd.Quoted || p.Cmd.InSubst {
		c.Reportf(RuleAptAutoRemove, p.Start, "%s; add --auto-remove (it runs where dockslim cannot edit it)", what)
		return
	}
	call := &osCall{Call: shellcmd.Call{In: r.In, Cmd: p.Cmd, Lits: p.Cmd.Lits()}}
	call.Sub = shellcmd.Apt.Parse(call.Lits, litMask(p.Cmd)).VerbIndex
	edits := call.InsertAfter(c.File, call.Sub, "--auto-remove")
	msg := what + "; added --auto-remove"
	if len(ar.Keep) > 0 {
		edits = append(edits, markManual(r, &p, ar.Keep))
		msg += fmt.Sprintf(", with the run-time libraries programs built here link marked manual first (%s)", strings.Join(ar.Keep, ", "))
	}
	osFix(c, RuleAptAutoRemove, rewrite.Safe, p.Start, edits, "%s", msg)
}

// installedBefore reports whether the RUN installed every one of pkgs by
// name before offset at.
func installedBefore(r *stagestate.Run, at int, pkgs []string) bool {
	for _, p := range pkgs {
		found := false
		for _, ins := range r.Installs {
			found = found || ins.Start < at && slices.Contains(ins.Packages, p)
		}
		if !found {
			return false
		}
	}
	return true
}

func litMask(cmd *shellcmd.Command) []bool {
	out := make([]bool, len(cmd.Args))
	for i := range out {
		_, out[i] = cmd.Arg(i)
	}
	return out
}

// sample names the first packages of a list, for messages.
func sample(pkgs []string) string {
	if len(pkgs) == 0 {
		return "their dependencies"
	}
	if len(pkgs) > 4 {
		return strings.Join(pkgs[:4], ", ") + fmt.Sprintf(" and %d more", len(pkgs)-4)
	}
	return strings.Join(pkgs, ", ")
}

// buildDepsPurge is DS133 for one RUN.
func buildDepsPurge(c *rewrite.Context, m *stagestate.Model, r *stagestate.Run) {
	bi := m.BuildInstall(r)
	first, pkgs, build := bi.First, bi.Packages, bi.Build
	if len(pkgs) == 0 || waitsForDS132(r) || waitsForDS110(c, r) {
		return
	}
	if stagestate.BuildpackBase(r.In.Stage) {
		return // the base has the build packages already: purging saves nothing
	}
	if build == nil {
		if later := bi.Later; later != nil {
			line, _ := c.File.Position(later.Start())
			c.Reportf(RuleBuildDepsPurge, first.Start,
				"build-only packages stay in the image (%s, for `%s` at line %d, in another RUN); a purge in a later RUN cannot shrink it: install, build and purge in one RUN, or build in a build stage%s",
				strings.Join(pkgs, ", "), later.Name, line, ds405(later))
		}
		return
	}
	all := pkgs
	ext := ownPurge(r)
	if ext != nil {
		all = append(slices.Clone(ext.Packages), pkgs...)
	}
	ar := m.AutoRemove(r.In, r.In.End, all, true)
	line, _ := c.File.Position(build.Start())
	what := fmt.Sprintf("build-only packages stay in the image (%s, for `%s` at line %d)", strings.Join(pkgs, ", "), build.Name, line)
	if ar.Why != "" {
		c.Reportf(RuleBuildDepsPurge, first.Start, "%s; dockslim does not purge them: %s; a build stage%s keeps them out of the image", what, ar.Why, ds405(build))
		return
	}
	if ext != nil {
		extendPurge(c, r, ext, pkgs, ar.Keep, first.Start, what)
		return
	}
	text := ""
	prefix := sudoPrefix(first.Cmd)
	if len(ar.Keep) > 0 {
		text = prefix + "apt-mark manual " + strings.Join(ar.Keep, " ") + " && "
	}
	text += prefix + first.Cmd.Name + " purge -y --auto-remove " + strings.Join(pkgs, " ")
	e, ok := shellcmd.AppendToChain(c.File, lastTop(r.In.Script), text)
	if !ok || r.In.JSON || len(r.In.Heredocs) > 0 {
		c.Reportf(RuleBuildDepsPurge, first.Start, "%s; purge them at the end of the RUN (dockslim cannot append to it)", what)
		return
	}
	msg := what + "; purged at the end of the RUN with --auto-remove"
	if len(ar.Keep) > 0 {
		msg += fmt.Sprintf(", the run-time libraries kept (%s)", strings.Join(ar.Keep, ", "))
	}
	osFix(c, RuleBuildDepsPurge, rewrite.Safe, first.Start, []textedit.Edit{e}, "%s", msg)
}

// ownPurge is a purge --auto-remove of build-only packages after the
// RUN's last install (one DS133 added): more build packages join it.
func ownPurge(r *stagestate.Run) *stagestate.Purge {
	if len(r.Purges) == 0 || len(r.Installs) == 0 {
		return nil
	}
	p := &r.Purges[len(r.Purges)-1]
	if !p.AutoRemove || p.Cmd == nil || p.Opaque || p.Unknown > 0 || p.Start < r.Installs[len(r.Installs)-1].Start ||
		!slices.ContainsFunc(p.Packages, images.BuildOnly) || slices.ContainsFunc(p.Packages, func(x string) bool { return !images.BuildOnly(x) }) {
		return nil
	}
	return p
}

// waitsForDS132 reports a purge without --auto-remove after the RUN's
// installs: DS132 makes it one first, which the build packages then join.
func waitsForDS132(r *stagestate.Run) bool {
	for _, p := range r.Purges {
		if !p.AutoRemove && (p.Verb == "purge" || p.Verb == "remove") && len(r.Installs) > 0 && p.Start > r.Installs[0].Start {
			return true
		}
	}
	return false
}

// waitsForDS110 reports an install of the RUN that DS110 will give
// --no-install-recommends (and, for gcc, libc6-dev, which is then purged
// too): the purge follows in the next round, with one list.
func waitsForDS110(c *rewrite.Context, r *stagestate.Run) bool {
	if !c.Options.Selector.Enabled(RuleAptNoRecommends) {
		return false
	}
	for _, ins := range r.Installs {
		if !ins.NoRecommends && ins.Cmd != nil && !ins.Opaque && ins.Unknown == 0 && !ins.Cmd.Has("--install-recommends") {
			return true
		}
	}
	return false
}

// extendPurge adds pkgs to the purge p, and the libraries to keep to the
// apt-mark manual before it (or a new one).
func extendPurge(c *rewrite.Context, r *stagestate.Run, p *stagestate.Purge, pkgs, keep []string, off int, what string) {
	edits := []textedit.Edit{{Start: p.Cmd.End(), End: p.Cmd.End(), Text: " " + strings.Join(pkgs, " ")}}
	msg := what + "; added to the purge at the end of the RUN"
	if len(keep) > 0 {
		edits = append(edits, markManual(r, p, keep))
		msg += fmt.Sprintf(", the run-time libraries kept (%s)", strings.Join(keep, ", "))
	}
	osFix(c, RuleBuildDepsPurge, rewrite.Safe, off, edits, "%s", msg)
}

// markManual is the edit that marks libs manual before the purge p: they
// join the RUN's last apt-mark manual before it, or a new one goes right
// before the purge.
func markManual(r *stagestate.Run, p *stagestate.Purge, libs []string) textedit.Edit {
	for i := len(r.Marks) - 1; i >= 0; i-- {
		if mk := r.Marks[i]; mk.Manual && mk.Cmd != nil && mk.Start < p.Start && !mk.Cmd.Quoted {
			return textedit.Edit{Start: mk.Cmd.End(), End: mk.Cmd.End(), Text: " " + strings.Join(libs, " ")}
		}
	}
	at := p.Cmd.Script.Offset(p.Cmd.Stmt.Pos())
	return textedit.Edit{Start: at, End: at, Text: sudoPrefix(p.Cmd) + "apt-mark manual " + strings.Join(libs, " ") + " && "}
}

// ds405 points Python builds at the multi-stage rule.
func ds405(build *shellcmd.Call) string {
	if shellcmd.IsPip(build.Name) || strings.HasPrefix(build.Name, "python") {
		return " (DS405)"
	}
	return ""
}
