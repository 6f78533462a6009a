package slimbase

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleCrossLibc is DS206.
var RuleCrossLibc = &rewrite.Rule{
	ID:      "DS206",
	Name:    "cross-libc-copy",
	Summary: "COPY --from moves compiled files between a glibc stage and a musl (alpine) stage",
	Explanation: `Debian and Ubuntu based images use glibc; Alpine uses musl. A binary, a
Python C extension (site-packages), a native node module or a whole
/usr/local/bin built on one does not run on the other: the build succeeds,
the container fails at run time ("not found", "Error loading shared library",
ImportError). Copying /usr/local/bin from python:3.8-slim-buster into
python:3.8-alpine even replaces the alpine interpreter with the Debian one.

dockslim reports COPY --from of such paths (/usr/local, /usr/lib, /lib, bin
folders, site-packages, dist-packages, virtualenvs, gem bundles; node_modules
as a warning, since pure-JavaScript modules do work) between stages whose base
images are of different libc families, and fixes it by giving the receiving
stage the base image of the stage it copies from, as written (python:3.8-alpine
becomes python:3.8-slim-buster when the builder is python:3.8-slim-buster):
the files then run where they were built. Keeping the builder's variant is
preferred over guessing a smaller one; DS200 may propose the slim variant
afterwards when the builder is a full image.

The finding is reported at the COPY --from it is about, quoted as written;
other copies from the same stage with the same problem are named in it, and
the message says which FROM line the fix changes.

Applicability: the fix is SAFE, applied by a plain "dockslim fix", when the
receiving stage (and any stage built FROM it) runs nothing at build time (no
RUN, no ONBUILD) and is not copied from by another stage: the image as written
cannot work, and the fixed one only differs in the distribution under the
copied files. When the receiving stage runs commands, they would now run on
another distribution: the fix is unsafe (--unsafe-fixes), and it is only
reported when those commands are apk/apt specific. A Go binary copied from a
golang stage into alpine is reported (warning, no fix) unless CGO_ENABLED=0
is set: a cgo-linked binary needs glibc. With alpine = false in .dockslim.toml
a fix that would give a stage an Alpine base is not made (reported only).`,
	Before: "FROM python:3.8-slim-buster as builder\nRUN pip install --no-cache-dir flask gunicorn\n" +
		"FROM python:3.8-alpine\nCOPY --from=builder /usr/local/bin /usr/local/bin",
	After: "FROM python:3.8-slim-buster as builder\nRUN pip install --no-cache-dir flask gunicorn\n" +
		"FROM python:3.8-slim-buster\nCOPY --from=builder /usr/local/bin /usr/local/bin",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Error,
}

// CrossLibcPass is the cross-libc pass.
var CrossLibcPass = &rewrite.Pass{Name: "cross-libc", Rules: []*rewrite.Rule{RuleCrossLibc}, Run: runCrossLibc}

// nativeDirs hold compiled files when copied whole or below.
var nativeDirs = []string{"/usr/local", "/usr/lib", "/lib", "/lib64", "/usr/bin", "/bin", "/usr/sbin", "/sbin", "/opt/venv", "/venv", "/go/bin"}

// nativeWords are path elements that hold compiled files.
var nativeWords = []string{"site-packages", "dist-packages", "venv", ".venv", "bundle", "node_modules"}

// libcConflict is a COPY --from across libc families.
type libcConflict struct {
	Copy       copyFrom
	Src, Dst   baseImage // root bases of the source and receiving stages
	Paths      []string  // the copied paths that hold compiled files
	NodeOnly   bool      // only node_modules: a warning
	GoBinary   bool      // a binary built in a golang stage without CGO_ENABLED=0
	SrcL, DstL string    // libc names
}

// libcConflicts lists the cross-libc copies into stage st (and the stages
// it builds FROM, whose base it shares).
func libcConflicts(f *parser.File, st *parser.Stage) []libcConflict {
	dst, ok := resolveBase(f, rootStage(st))
	if !ok || !dst.Official {
		return nil
	}
	dl := images.Libc(dst.Ref.Image, dst.Ref.Tag)
	if dl == "" {
		return nil
	}
	var out []libcConflict
	for _, cf := range copiesFrom(f, st) {
		if cf.From == nil {
			continue
		}
		src, ok := resolveBase(f, rootStage(cf.From))
		if !ok || !src.Official {
			continue
		}
		sl := images.Libc(src.Ref.Image, src.Ref.Tag)
		if sl == "" || sl == dl {
			continue
		}
		lc := libcConflict{Copy: cf, Src: src, Dst: dst, SrcL: sl, DstL: dl, NodeOnly: true}
		if src.Ref.Image == "golang" {
			// What a golang stage produces is a Go binary: static unless cgo links it.
			if !cgoDisabled(f, cf.From) {
				lc.GoBinary, lc.NodeOnly, lc.Paths = true, false, cf.Srcs
				out = append(out, lc)
			}
			continue
		}
		// The source or the destination tells: COPY --from=build /install /usr/local.
		dstKind := nativePath(cf.Dest)
		for _, p := range cf.Srcs {
			kind := nativePath(p)
			if dstKind == "native" || kind == "" {
				kind = dstKind
			}
			switch kind {
			case "native":
				lc.NodeOnly = false
				lc.Paths = append(lc.Paths, p)
			case "node":
				lc.Paths = append(lc.Paths, p)
			}
		}
		if len(lc.Paths) > 0 {
			out = append(out, lc)
		}
	}
	return out
}

// nativePath says whether a copied path holds compiled files: "native",
// "node" (node_modules: only native modules break), or "".
func nativePath(p string) string {
	cp := cleanPath(p)
	for _, d := range nativeDirs {
		if cp == d || strings.HasPrefix(cp, d+"/") {
			return "native"
		}
	}
	kind := ""
	for _, w := range strings.Split(cp, "/") {
		switch {
		case w == "node_modules":
			kind = "node"
		case slices.Contains(nativeWords, w):
			return "native"
		}
	}
	return kind
}

// cgoDisabled reports whether stage st (or a stage it builds FROM) sets
// CGO_ENABLED=0 by ENV, ARG default, or on a go command.
func cgoDisabled(f *parser.File, st *parser.Stage) bool {
	for s := st; s != nil; s = s.Base.StageRef {
		for _, in := range s.Instructions {
			if v, ok := (stagestate.Scope{File: f, In: in}).Docker("CGO_ENABLED"); ok && v == "0" {
				return true
			}
			for _, u := range instructionUses(in) {
				if u.Cmd != nil && u.Cmd.Assigns["CGO_ENABLED"] == "0" {
					return true
				}
			}
		}
		if s.Base.StageRef == s {
			break
		}
	}
	return false
}

// apkOrApt are commands that tie a stage to its distribution.
var apkOrApt = []string{"apk", "apt-get", "apt", "dpkg", "aptitude"}

func runCrossLibc(c *rewrite.Context) {
	f := c.File
	for _, st := range f.Stages {
		// One finding per problem: the copies from one stage of one kind
		// (compiled files, node_modules, a Go binary) share a cause and a
		// fix. It is reported at the first of those COPY instructions,
		// quoted as written; the others are named by line.
		var groups [][]libcConflict
		for _, lc := range libcConflicts(f, st) {
			i := slices.IndexFunc(groups, func(g []libcConflict) bool {
				return g[0].Copy.From == lc.Copy.From && g[0].NodeOnly == lc.NodeOnly && g[0].GoBinary == lc.GoBinary
			})
			if i < 0 {
				groups = append(groups, []libcConflict{lc})
			} else {
				groups[i] = append(groups[i], lc)
			}
		}
		for _, g := range groups {
			reportLibcConflict(c, st, g)
		}
	}
}

// quoteInstruction is an instruction as written, with its line:
// "`COPY --from=build /install /usr/local` (line 6)".
func quoteInstruction(f *parser.File, in *parser.Instruction) string {
	return fmt.Sprintf("`%s` (line %d)", strings.TrimRight(in.Text(f), "\r\n"), in.StartLine)
}

func reportLibcConflict(c *rewrite.Context, st *parser.Stage, g []libcConflict) {
	f := c.File
	lc := g[0]
	var paths []string
	for _, o := range g {
		paths = append(paths, o.Paths...)
	}
	what := "compiled files"
	switch {
	case lc.GoBinary:
		what = "a Go binary"
	case lc.NodeOnly:
		what = "node_modules"
	}
	head := fmt.Sprintf("%s copies %s from stage %s, which is %s (%s), into this stage, whose base %s is %s",
		quoteInstruction(f, lc.Copy.In), what, stageName(lc.Copy.From), lc.Src.Text, lc.SrcL, lc.Dst.Text, lc.DstL)
	var also []string
	for _, o := range g[1:] {
		if o.Copy.In != lc.Copy.In {
			also = append(also, quoteInstruction(f, o.Copy.In))
		}
	}
	tail := ""
	if len(also) > 0 {
		tail = "; " + strings.Join(also, " and ") + " copies from the same stage and has the same problem"
	}
	off := lc.Copy.In.Start
	switch {
	case lc.GoBinary:
		c.Report(rewrite.Finding{Rule: RuleCrossLibc, Severity: rewrite.Warning, Offset: off,
			Message: head + ": a Go binary built with cgo (the default when gcc is present) needs " + lc.SrcL + "; set CGO_ENABLED=0 for the go build, or use a " + lc.SrcL + " runtime image" + tail})
		return
	case lc.NodeOnly:
		c.Report(rewrite.Finding{Rule: RuleCrossLibc, Severity: rewrite.Warning, Offset: off,
			Message: head + ": native node modules (.node files) built for " + lc.SrcL + " do not load on " + lc.DstL + "; run npm install in a stage of the same family" + tail})
		return
	}
	msg := head + ": binaries and C extensions built for " + lc.SrcL + " do not run on " + lc.DstL
	if hasPath(paths, "/usr/local/bin") && lc.Dst.Ref.Image == lc.Src.Ref.Image {
		msg += " (the copied /usr/local/bin even replaces this image's interpreter)"
	}
	msg += tail
	app, why := libcFixApplicability(f, st, lc)
	if c.Options.Bases.NoAlpine && lc.SrcL == "musl" {
		app, why = rewrite.Suggestion, "alpine = false in "+rewrite.ConfigSource+": dockslim does not switch this stage to Alpine"
	}
	if app == rewrite.Suggestion {
		c.Reportf(RuleCrossLibc, off, "%s; use the same libc family in both stages (%s)", msg, why)
		return
	}
	dst := lc.Dst.Stage.Base
	from := lc.Dst.Stage.From
	mode := "safe, applied by dockslim fix"
	if app == rewrite.Unsafe {
		mode = "unsafe, needs --unsafe-fixes"
	}
	fromText := strings.TrimRight(from.Text(f), "\r\n")
	fixed := string(f.Src[from.Start:dst.Start]) + lc.Src.Text + string(f.Src[dst.End:from.Start+len(fromText)])
	msg += fmt.Sprintf("; the fix changes line %d: %s → %s, the builder's base, so the copied files run where they were built (%s: %s)",
		from.StartLine, fromText, fixed, mode, why)
	c.Report(rewrite.Finding{Rule: RuleCrossLibc, Offset: off, Message: msg,
		Fix: &rewrite.Fix{Applicability: app, Description: fmt.Sprintf("line %d: %s → %s", from.StartLine, lc.Dst.Text, lc.Src.Text),
			Edits: editsFor(dst, lc.Src.Text)}})
}

func editsFor(ref parser.ImageRef, text string) []textedit.Edit {
	return []textedit.Edit{{Start: ref.Start, End: ref.End, Text: text}}
}

func hasPath(paths []string, p string) bool {
	for _, x := range paths {
		if cleanPath(x) == p || strings.HasPrefix(p, cleanPath(x)+"/") {
			return true
		}
	}
	return false
}

// libcFixApplicability decides how the receiving stage may take the
// builder's base.
func libcFixApplicability(f *parser.File, st *parser.Stage, lc libcConflict) (rewrite.Applicability, string) {
	dstRoot := lc.Dst.Stage
	if lc.Dst.Ref.Image != lc.Src.Ref.Image && !slices.Contains(bareDistro, lc.Dst.Ref.Image) {
		return rewrite.Suggestion, fmt.Sprintf("%s and %s are different images", lc.Dst.Ref.Image, lc.Src.Ref.Image)
	}
	stages := descendants(f, dstRoot)
	runs := 0
	for _, s := range stages {
		for _, in := range s.Instructions {
			if in.Is("run") {
				runs++
			}
		}
		for _, u := range stageUses([]*parser.Stage{s}) {
			if slices.Contains(apkOrApt, u.Name) && u.In.Is("run") {
				return rewrite.Suggestion, fmt.Sprintf("line %d runs %s, which is tied to this stage's distribution", line(f, u.Off), u.Name)
			}
		}
		if len(copiedFromBy(f, s)) > 0 && s != lc.Copy.From {
			return rewrite.Unsafe, "other stages copy from this one and would get files of the other family"
		}
	}
	if runs > 0 {
		return rewrite.Unsafe, "this stage runs commands, which would now run on another distribution"
	}
	return rewrite.Safe, "the stage runs nothing at build time, and as written it cannot work"
}

// bareDistro images carry no language runtime: any image can replace them
// when the runtime comes from the copied files.
var bareDistro = []string{"alpine", "debian", "ubuntu", "busybox"}
