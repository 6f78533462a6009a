package slimbase

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleSlimBase is DS200.
var RuleSlimBase = &rewrite.Rule{
	ID:      "DS200",
	Name:    "slim-base-image",
	Summary: "the final image is built on a full official image; its -slim variant is several times smaller",
	Explanation: `Official images such as python:3.11, node:22 or ruby:3.3 are built on
buildpack-deps: compilers, make, git, curl, hundreds of -dev packages. Their
-slim variants (python:3.11-slim, ~46 MB compressed instead of ~409 MB) have
the same language runtime on a minimal Debian. dockslim proposes the slim tag
of the same image and release (only tags the official-images index shows as
published), and does the hard part: keeping the build working.

Only stages that end up in the final image are swapped: the last stage and
the stages it builds FROM. A builder stage that other stages COPY --from
gains nothing (its layers are not shipped) and needs the tools most, so it is
left alone and not reported.

Before swapping, dockslim reads every command the stage and the stages built
FROM it run (RUN, ONBUILD RUN, sh -c strings, heredocs, exec form, CMD,
ENTRYPOINT, HEALTHCHECK) and asks the full-vs-slim table (measured on Debian
bookworm) which of them the slim image lacks:
  - missing tools (git, curl, wget, unzip, xz, ssh, ps...) get their Debian
    packages installed: added to the stage's own apt-get install when one runs
    before the first use, else in a new
    "RUN apt-get update && apt-get install -y --no-install-recommends PKGS && rm -rf /var/lib/apt/lists/*"
    right after the FROM. node and debian slim images have no ca-certificates,
    so it is added with network tools. Tools the Dockerfile already installs
    before using them are not added again;
  - more than 4 packages to add: declined (DS202) - the stage leans on the
    full image, and a multi-stage build fits better;
  - compilers (gcc, g++, make, binutils, autoconf...): declined, as is a stage
    that apt-installs -dev packages without a compiler, or that pip/gem/bundler
    installs packages that compile from source (psycopg2, mysqlclient, uwsgi,
    python-ldap, pycairo...; pg, mysql2, puma, nio4r... from literal arguments
    and from requirements files and Gemfile.lock in the build context): slim has
    neither gcc nor the -dev headers. The same packages compiled in a stage
    this one copies from are declined too: they link libraries slim lacks.
    Use psycopg2-binary, or leave it to the multi-stage pass (DS4xx);
  - Debian trixie and bullseye bases (the unsuffixed python, ruby, rust...
    tags are trixie): the table was measured on bookworm, so dockslim asks
    it about the bookworm tags of the same images (python:3.11-bookworm vs
    python:3.11-slim-bookworm) and keeps the answer only for well-known
    packages whose name is the same in that release (git, curl, wget, make,
    gcc...). Any other command it cannot answer for declines the swap with
    that reason; so does any other release (buster, Ubuntu's).

FROM python:${PY_VERSION} with a global ARG default is handled: the FROM
template gets the suffix (python:${PY_VERSION}-slim, so the ARG keeps its
value for its other uses), or, when the change falls inside the variable, the
ARG default is edited if nothing else uses it. --platform flags and registry
prefixes (docker.io/library/python) are kept. A digest (@sha256:...) pins the
old tag's content, so the fix drops it and says so; with --online the new
tag's digest is resolved and pinned instead, and the registry confirms the
tag and gives current sizes.

The message gives the size change from the measured compressed linux/amd64
sizes. The fix is unsafe: the application itself may run programs or load
libraries at run time that the Dockerfile does not show.`,
	Before:        "FROM python:3.11\nRUN git clone https://example.com/app.git /app\nCMD [\"python\", \"/app/main.py\"]",
	After:         "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\nRUN git clone https://example.com/app.git /app\nCMD [\"python\", \"/app/main.py\"]",
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Warning,
	Hadolint:      nil,
	Parfum:        nil,
}

// RuleAlpineBase is DS201.
var RuleAlpineBase = &rewrite.Rule{
	ID:      "DS201",
	Name:    "alpine-base-image",
	Summary: "no slim variant exists; the image's alpine variant is smaller",
	Explanation: `Some official images publish no -slim tags but an -alpine one (php, nginx,
httpd, redis, postgres, memcached, haproxy). Alpine uses musl libc and apk:
apt-get, glibc binaries and extensions built for glibc do not work there.

dockslim proposes the alpine tag only for final-image stages whose commands
are all known to exist in the alpine image (busybox tools, the image's own
server or interpreter), that run no apt/dpkg step, and that neither copy files
from other stages nor are copied from (files would cross libc families). For
images with a slim variant, the slim swap (DS200) is preferred; golang is
left to a multi-stage build (DS202). Unsafe: applied with --unsafe-fixes.
With alpine = false in .dockslim.toml it declines instead (DS202 says why).`,
	Before:        "FROM nginx:1.29\nCOPY site/ /usr/share/nginx/html/",
	After:         "FROM nginx:1.29-alpine\nCOPY site/ /usr/share/nginx/html/",
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
}

// RuleSlimDeclined is DS202.
var RuleSlimDeclined = &rewrite.Rule{
	ID:      "DS202",
	Name:    "slim-base-declined",
	Summary: "a smaller base image would fit, but swapping it would break the build; here is why",
	Explanation: `When DS200 or DS201 find a smaller variant of a final-image base but the
stage needs something it lacks, dockslim does not swap and says why: the
stage compiles (gcc, make, -dev packages, pip/gem packages without binary
wheels), it needs more than 4 extra packages, a command's presence cannot be
determined for that Debian release, the FROM's ARG is shared, or the image
has no slim variant at all (golang, gcc: build there and copy the result into
a small runtime stage; the multi-stage pass does that). When the sizes of
both images are known, the finding gives them: what the decline leaves on
the table. Report only.`,
	Before:        "FROM python:3.11\nRUN pip install psycopg2",
	After:         "FROM python:3.11\nRUN pip install psycopg2-binary",
	Applicability: rewrite.Suggestion,
	Severity:      rewrite.Info,
}

// RuleSmallerVariant is DS203.
var RuleSmallerVariant = &rewrite.Rule{
	ID:      "DS203",
	Name:    "smaller-base-variant",
	Summary: "a smaller, not drop-in, variant of the final image's base exists",
	Explanation: `Some replacements are smaller but not the same image: eclipse-temurin's
JDK for the deprecated openjdk image, php's -cli variant for an -apache/-fpm
image that only runs CLI scripts, debian:<suite>-slim for
buildpack-deps:<suite>. (The JRE for a JDK image is DS207's.)
dockslim reports them with their sizes and what changes; it does not apply
them.`,
	Before:        "FROM buildpack-deps:bookworm\nCOPY app /usr/local/bin/app\nCMD [\"app\"]",
	After:         "FROM debian:bookworm-slim\nCOPY app /usr/local/bin/app\nCMD [\"app\"]",
	Applicability: rewrite.Suggestion,
	Severity:      rewrite.Info,
}

// SlimPass is the slimbase pass.
var SlimPass = &rewrite.Pass{
	Name:  "slimbase",
	Rules: []*rewrite.Rule{RuleSlimBase, RuleAlpineBase, RuleSlimDeclined, RuleSmallerVariant},
	Run:   runSlim,
}

// maxAddedPackages is the most packages dockslim adds to keep a swap
// working. Past it the stage relies on the full image (its tools add up to
// a good part of the saving, and the Dockerfile likely needs more than
// dockslim can see): a multi-stage build is the better fix.
const maxAddedPackages = 4

// toolchain packages mean the stage compiles: slim lacks the -dev headers a
// compile finds in the full image, which no command analysis can see.
var toolchain = []string{
	"gcc", "g++", "cpp", "make", "binutils", "libc6-dev",
	"dpkg-dev", "autoconf", "automake", "libtool", "pkgconf",
	"libc-dev-bin", "binutils-x86-64-linux-gnu",
}

// needsKept reports whether the swap from from (which ships k.Pkg) to to
// (which does not) strands a package that needs it: one the swap adds, or
// one the stages install whose k.Pkg is only a Recommends. Installs with
// their recommends count too: DS110 turns them off by default.
func needsKept(f *parser.File, k stagestate.Recommended, from, to images.Ref, stages []*parser.Stage, adds []string) bool {
	if ships, known := k.Ships(from.Image, from.Tag); !known || !ships {
		return false
	}
	if ships, known := k.Ships(to.Image, to.Tag); known && ships {
		return false
	}
	lost, brought := false, false
	check := func(pk string) {
		brought = brought || pk == k.Pkg || k.Brings(pk)
		lost = lost || k.Loses(pk)
	}
	for _, pk := range adds {
		check(pk)
	}
	m := stagestate.Of(f)
	for _, s := range stages {
		for _, in := range s.Instructions {
			if r := m.Run(in); r != nil {
				for _, ins := range r.Installs {
					for _, pk := range ins.Packages {
						check(pk)
					}
				}
			}
		}
	}
	return lost && !brought
}

func runSlim(c *rewrite.Context) {
	f := c.File
	for st, b := range finalBases(f) {
		if !b.Official {
			continue
		}
		if anyLibcConflict(f, st) {
			continue // DS206 decides this stage's base
		}
		swapSlim(c, b)
	}
}

func anyLibcConflict(f *parser.File, st *parser.Stage) bool {
	for _, s := range descendants(f, st) {
		if len(libcConflicts(f, s)) > 0 {
			return true
		}
	}
	return false
}

// plan is a swap being prepared.
type plan struct {
	c      *rewrite.Context
	b      baseImage
	to     images.Ref
	reason string // the candidate's one-line reason
}

func (p *plan) decline(format string, args ...any) {
	p.c.Reportf(RuleSlimDeclined, p.b.Stage.Base.Start, "%s → %s not applied: %s%s", p.b.Text, p.to, fmt.Sprintf(format, args...), sizeNote(p.b.Ref, p.to))
}

// sizeNote gives the sizes of an image and its smaller variant, when both
// are known: what a decline leaves on the table.
func sizeNote(from, to images.Ref) string {
	fs, ok1 := images.CompressedSize(from.Image, from.Tag)
	ts, ok2 := images.CompressedSize(to.Image, to.Tag)
	if !ok1 || !ok2 || ts >= fs {
		return ""
	}
	return fmt.Sprintf(" (%s is %s compressed, %s %s; linux/amd64)", from, images.FormatSize(fs), to, images.FormatSize(ts))
}

func swapSlim(c *rewrite.Context, b baseImage) {
	drop := dropInOrReport(c, b)
	if drop == nil {
		return
	}
	p := &plan{c: c, b: b, to: drop.Ref(), reason: drop.Reason}
	if ti, _ := images.Tag(b.Ref.Image, b.Ref.Tag); ti.Current && !drop.Current {
		p.decline("%s is still rebuilt upstream but %s is not; a base that stops getting security fixes is not worth the saving", b.Ref, p.to)
		return
	}
	if b.Ref.Image == "debian" {
		p.reason = "the same Debian packages without documentation, man pages and locales"
	}
	stages := descendants(c.File, b.Stage)
	installs := aptInstalls(c.File, stages)
	if p.compiles(stages, installs) {
		return
	}
	adds, ok := p.missingPackages(stages, installs)
	if !ok {
		return
	}
	p.fix(installs, adds)
}

// dropInOrReport returns the slim image's drop-in candidate for b; without
// one it reports the smaller variants there are, or why there is none, or
// tries an Alpine variant, and returns nil.
func dropInOrReport(c *rewrite.Context, b baseImage) *images.Candidate {
	cands, why := images.SlimCandidates(b.Ref.Image, b.Ref.Tag)
	var drop *images.Candidate
	var others []string
	for i := range cands {
		cd := &cands[i]
		if cd.DropIn && drop == nil {
			drop = cd
		}
		if cd.Variant == "jre" && !isJRE(b.Ref) {
			continue // DS207's: it checks what the image runs
		}
		if c.Options.Bases.NoAlpine && !cd.DropIn && isMusl(*cd) {
			continue // alpine = false: not even suggested
		}
		if !cd.DropIn {
			fs, ok1 := images.CompressedSize(b.Ref.Image, b.Ref.Tag)
			ts, ok2 := images.CompressedSize(cd.Image, cd.Tag)
			if ok1 && ok2 && ts >= fs || cd.Variant == "cli" && !(ok1 && ok2) {
				continue // not (known to be) smaller: nothing to suggest
			}
			msg, _ := images.SavingMessage(b.Ref, cd.Ref())
			others = append(others, msg+": "+cd.Reason)
		}
	}
	if drop != nil {
		return drop
	}
	if len(others) > 0 {
		c.Reportf(RuleSmallerVariant, b.Stage.Base.Start, "%s", strings.Join(others, "; or "))
		return nil
	}
	switch b.Ref.Image {
	case "golang", "gcc":
		note := ""
		if fam, suite := images.Distro(b.Ref.Image, b.Ref.Tag); fam == images.Debian && suite != "" {
			note = sizeNote(b.Ref, images.Ref{Image: "debian", Tag: suite + "-slim"})
		}
		c.Reportf(RuleSlimDeclined, b.Stage.Base.Start, "%s in the final image: %s%s", b.Text, why, note)
		return nil
	}
	swapAlpine(c, b)
	return nil
}

// compiles declines (and returns true) when the stage, or a stage it
// copies from, compiles with the full image's toolchain: -dev packages
// without a compiler, native pip/gem packages.
func (p *plan) compiles(stages []*parser.Stage, installs []aptInstall) bool {
	f, st := p.c.File, p.b.Stage
	hasCompiler := func(stage *parser.Stage, off int) bool {
		for _, cc := range compilers {
			if installedBefore(installs, st, stage, off, cc) {
				return true
			}
		}
		return false
	}
	for _, ai := range installs {
		for _, pkg := range ai.Pkgs {
			if strings.HasSuffix(pkg, "-dev") && !hasCompiler(ai.Stage, 1<<62) {
				p.decline("line %d installs %s, so something compiles against it with the full image's gcc, which %s lacks; a multi-stage build keeps the compiler out of the final image", line(f, ai.Off), pkg, p.to)
				return true
			}
		}
	}
	for _, nb := range nativeBuilds(stages, p.c.BuildContext) {
		if hasCompiler(nb.Stage, nb.Off) && allInstalled(installs, st, nb) {
			continue
		}
		p.decline("%s", nativeReason(f, nb, p.to))
		return true
	}
	for _, s := range stages {
		for _, cf := range copiesFrom(f, s) {
			if cf.From != nil && cf.From != st && p.copiesCompiled(cf) {
				return true
			}
		}
	}
	return false
}

// copiesCompiled declines (and returns true) when cf copies from a stage
// that compiles a native module on a full official image.
func (p *plan) copiesCompiled(cf copyFrom) bool {
	f := p.c.File
	sb, ok := resolveBase(f, rootStage(cf.From))
	if !ok || !sb.Official {
		return false
	}
	if _, full := images.FullLayer(sb.Ref.Image, sb.Ref.Tag); !full {
		return false
	}
	chain := []*parser.Stage{cf.From}
	for x := cf.From; x.Base.StageRef != nil; x = x.Base.StageRef {
		chain = append(chain, x.Base.StageRef)
	}
	if nbs := nativeBuilds(chain, p.c.BuildContext); len(nbs) > 0 {
		p.decline("line %d copies from stage %s, where %s %s compiles on the full image %s; the compiled module links system libraries that %s lacks at run time",
			line(f, cf.In.Start), stageName(cf.From), nbs[0].Tool, nbs[0].Pkg, sb.Text, p.to)
		return true
	}
	return false
}

// additions are the packages the slim stage installs for the commands it
// lacks.
type additions struct {
	pkgs  []string
	used  []string // the commands, per package
	first int      // offset of the first use in the stage
}

// missingPackages finds the packages the slim image lacks for the commands
// the stages run; ok is false when it declined.
func (p *plan) missingPackages(stages []*parser.Stage, installs []aptInstall) (adds additions, ok bool) {
	f, st, b := p.c.File, p.b.Stage, p.b
	type need struct {
		pkg   string
		cmds  []string
		first int // offset of the first use in st (huge when only later stages use it)
	}
	var needs []*need
	byPkg := map[string]*need{}
	for _, u := range stageUses(stages) {
		chk := checkCommand(b.Ref, p.to, u.Name)
		switch chk.Presence {
		case images.Unknown:
			p.decline("line %d runs %s, and dockslim cannot tell whether %s has it: %s", line(f, u.Off), u.Name, p.to, chk.Reason)
			return adds, false
		case images.Unaffected:
			continue
		}
		if installedBefore(installs, st, u.Stage, u.Off, chk.Package) {
			continue
		}
		if slices.Contains(toolchain, chk.Package) {
			p.decline("line %d runs %s (package %s): the stage compiles, and %s has no compilers or -dev headers; a multi-stage build keeps them out of the final image", line(f, u.Off), u.Name, chk.Package, p.to)
			return adds, false
		}
		n := byPkg[chk.Package]
		if n == nil {
			n = &need{pkg: chk.Package, first: 1 << 62}
			byPkg[chk.Package] = n
			needs = append(needs, n)
		}
		if !slices.Contains(n.cmds, u.Name) {
			n.cmds = append(n.cmds, u.Name)
		}
		if u.Stage == st && u.Off < n.first {
			n.first = u.Off
		}
	}
	if len(needs) > maxAddedPackages {
		var pkgs []string
		for _, n := range needs {
			pkgs = append(pkgs, n.pkg)
		}
		p.decline("the stage uses %d tools the slim image lacks (%s); more than %d packages to add means it relies on the full image: consider a multi-stage build", len(needs), strings.Join(pkgs, ", "), maxAddedPackages)
		return adds, false
	}
	adds.first = 1 << 62
	for _, n := range needs {
		adds.pkgs = append(adds.pkgs, n.pkg)
		adds.first = min(adds.first, n.first)
		adds.used = append(adds.used, strings.Join(n.cmds, ", "))
	}
	base := adds.pkgs
	for _, k := range stagestate.NeededRecommends {
		if needsKept(p.c.File, k, b.Ref, p.to, stages, base) && !installedBefore(installs, st, st, adds.first, k.Pkg) {
			adds.pkgs = append(adds.pkgs, k.Pkg)
			if adds.first == 1<<62 {
				// only an install whose k is a recommends needs it
				adds.used = append(adds.used, k.Swap)
			}
		}
	}
	return adds, true
}

// fix asks the registry when allowed, then reports the swap with its
// edits: the reference, then the packages.
func (p *plan) fix(installs []aptInstall, adds additions) {
	c, b, f, st := p.c, p.b, p.c.File, p.b.Stage
	var facts onlineFacts
	if c.Options.Online {
		facts = askRegistry(c, b, p.to, b.Digest != "")
		if facts.Missing {
			p.decline("the registry has no tag %s (--online)", p.to)
			return
		}
	}
	newRef := b.withTag(p.to.Tag, facts.Digest)
	edits, how, why := b.retarget(f, newRef)
	if why != "" {
		p.decline("%s", why)
		return
	}
	var notes []string
	if pkgs := adds.pkgs; len(pkgs) > 0 {
		e, where := addPackages(f, installs, st, adds.first, pkgs)
		edits = append(edits, e)
		notes = append(notes, fmt.Sprintf("installs %s %s, for the commands the slim image lacks (%s)", strings.Join(pkgs, " "), where, strings.Join(adds.used, "; ")))
	}
	if how != "" {
		notes = append(notes, how)
	}
	notes = append(notes, p.notes(facts)...)
	msg, saved := sizeMessage(b.Ref, p.to, facts)
	msg += "; " + p.reason
	for _, n := range notes {
		msg += "; " + n
	}
	c.Report(rewrite.Finding{
		Rule: RuleSlimBase, Offset: b.Stage.Base.Start, Message: msg, SavedBytes: saved,
		Fix: &rewrite.Fix{Applicability: rewrite.Unsafe, Description: fmt.Sprintf("%s → %s", b.Text, p.to), Edits: edits},
	})
}

// notes are the swap's remarks on the digest, the registry and the platform.
func (p *plan) notes(facts onlineFacts) []string {
	b := p.b
	var notes []string
	if b.Digest != "" {
		if facts.Digest != "" {
			notes = append(notes, "the digest is replaced by "+p.to.String()+"'s current one (--online)")
		} else {
			notes = append(notes, fmt.Sprintf("WARNING: the digest @%s pinned %s's content and is dropped; pin %s's digest again (dockslim fix --online resolves it)", b.Digest, b.Ref, p.to))
		}
	}
	if facts.Err != nil {
		notes = append(notes, facts.errNote())
	}
	if pl := b.Stage.Platform; pl != "" && pl != "linux/amd64" && !strings.Contains(pl, "$") {
		notes = append(notes, "sizes are for linux/amd64; this stage builds for "+pl)
	}
	return notes
}

func allInstalled(installs []aptInstall, root *parser.Stage, nb nativeBuild) bool {
	for _, d := range nb.Deps {
		if !installedBefore(installs, root, nb.Stage, nb.Off, d) {
			return false
		}
	}
	return true
}

func nativeReason(f *parser.File, nb nativeBuild, to images.Ref) string {
	what := nb.Pkg
	switch {
	case nb.Pkg == "--no-binary":
		return fmt.Sprintf("line %d: pip install --no-binary compiles from source with gcc, which %s lacks", line(f, nb.Off), to)
	case nb.Tool == "node-gyp" || nb.Pkg == "native addon":
		return fmt.Sprintf("line %d builds a native node addon (python3, make, g++), which %s lacks", line(f, nb.Off), to)
	case strings.HasPrefix(nb.Pkg, "a local project"):
		return fmt.Sprintf("line %d: pip installs %s, which compiles with gcc, which %s lacks; a multi-stage build (compile in a builder stage) keeps the saving",
			line(f, nb.Off), nb.Pkg, to)
	case nb.Pkg == "psycopg2":
		what += " (psycopg2-binary has wheels)"
	}
	deps := "gcc"
	if len(nb.Deps) > 0 {
		deps += " and " + strings.Join(nb.Deps, ", ")
	}
	return fmt.Sprintf("line %d: %s installs %s, which publishes no binary package for Linux and compiles with %s, which %s lacks; a multi-stage build (compile in a builder stage) keeps the saving",
		line(f, nb.Off), nb.Tool, what, deps, to)
}

// sizeMessage formats the size change (registry sizes when --online gave
// them) and returns the bytes saved (0 when unknown).
func sizeMessage(from, to images.Ref, facts onlineFacts) (string, int64) {
	if facts.FromSize > 0 && facts.ToSize > 0 {
		return fmt.Sprintf("%s → %s: %s → %s compressed (linux/amd64, from the registry)", from, to,
			images.FormatSize(facts.FromSize), images.FormatSize(facts.ToSize)), max(0, facts.FromSize-facts.ToSize)
	}
	msg, _ := images.SavingMessage(from, to)
	fs, ok1 := images.CompressedSize(from.Image, from.Tag)
	ts, ok2 := images.CompressedSize(to.Image, to.Tag)
	if !ok1 || !ok2 {
		return msg, 0
	}
	return msg, max(0, fs-ts)
}

func line(f *parser.File, off int) int {
	l, _ := f.Position(off)
	return l
}

func stageName(st *parser.Stage) string {
	if st.Name != "" {
		return st.Name
	}
	return fmt.Sprint(st.Index)
}
