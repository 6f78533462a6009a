// Package multistage splits single-stage builds into a build stage and a
// small runtime stage, for the ecosystems it recognises with confidence:
// one recogniser (and rule) per file, all sharing the stage model (this
// file and commands.go), the checks of what the runtime image can run
// (runtimecheck.go) and the libraries it needs (runtimelibs.go), and the
// runtime-stage builder (render.go), which keeps the image's contract (ENV,
// WORKDIR, USER, EXPOSE, LABEL, VOLUME, HEALTHCHECK, STOPSIGNAL,
// ENTRYPOINT, CMD, the ARGs they use, file ownership) and renders the
// runtime stage in the file's own style.
//
// Only the final stage is examined: in a file that is already multi-stage,
// a final stage that still builds is split like a single-stage file, and a
// final stage that only copies is left alone. Whatever a recogniser cannot
// be sure of, it declines with one Suggestion finding that says why.
package multistage

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// explainCommon is the part of every rule's explanation that this file
// implements.
const explainCommon = `
The runtime stage keeps the image's contract: ENV, WORKDIR and USER are
repeated in it (USER after any user it must create, by the same useradd /
adduser commands the build stage ran), LABEL, EXPOSE, VOLUME, HEALTHCHECK,
STOPSIGNAL, ENTRYPOINT and CMD move to it with their comments, the ARGs
those use are declared again, and files the build stage chowned (or built
as a non-root USER) are copied with --chown. Instructions after the build
step stay where they are and so land in the runtime stage; a RUN there must
be one the runtime image can run (mkdir, chown, useradd, ...) or one that
only belongs to the build (tests, rm), else dockslim declines.

dockslim declines, with a finding that says why, when the runtime command
needs the toolchain (go run, cargo run, mvn spring-boot:run, ...), when it
runs a file the runtime stage would not have, when a USER is neither in
the runtime image nor created by the build stage, when the stage builds
FROM another stage, uses SHELL or ONBUILD, and when a build step is one it
does not know. Only the final stage of a file is examined.

The fix is unsafe: files the program reads at run time from the source tree
(templates, assets) are not copied, and the runtime image has fewer tools.
Review the runtime stage and run the image's smoke test before merging.`

// decline is why a recogniser leaves a candidate file alone.
type decline struct {
	at     int
	reason string
	// noShell is set when the reason is that the runtime image has no
	// shell: a recogniser with a fallback image retries with it.
	noShell bool
}

func declinef(at int, format string, args ...any) *decline {
	return &decline{at: at, reason: fmt.Sprintf(format, args...)}
}

// artifact is a path copied from the build stage into the runtime stage,
// at the same absolute path.
type artifact struct {
	path string
	// dst is where it goes when not at path (a glob's folder, with a
	// trailing slash).
	dst string
	// chown is the --chown value; "auto" asks the shared code to work it
	// out from the build stage (the USER that built it, a later chown).
	chown string
}

// plan is what a recogniser found: how to build the runtime stage.
type plan struct {
	build    *parser.Instruction // the RUN that builds; the split is at or after it
	runtime  runtimeImage
	fallback *runtimeImage // used when the runtime needs a shell the first one lacks
	what     string        // "the binary /app/server", for messages

	artifacts []artifact
	// rootRuns are RUN bodies run first in the runtime stage, as root
	// (installing runtime libraries).
	rootRuns []string
	// pathDirs are directories the runtime stage puts on PATH itself.
	pathDirs []string
	// steps are instructions (upper-case keyword first) run after the
	// repeated ENV / WORKDIR / USER and before the artifacts are copied.
	steps []string
	// replicate picks build-stage instructions that are repeated verbatim in
	// the runtime stage, in order with ENV / WORKDIR / USER (COPY of the
	// sources for interpreted languages).
	replicate func(in *parser.Instruction) bool
	// post are instructions after the artifacts are copied (ldconfig).
	post []string
	// buildOnly tells commands that belong to the build when they follow
	// it (tests, strip): the split moves after them.
	buildOnly func(c command) bool
	// program checks a runtime command that starts with one of the
	// ecosystem's programs (node, java, python, ...): handled is false to
	// fall back to the generic check.
	program func(argv []string, wd string) (handled bool, why string)
	// builderEdits change the build stage (a virtualenv for pip).
	builderEdits []textedit.Edit
	// describe adds to the finding's message what the split does besides
	// copying (the build's flags, the user it runs as) on runtime image rt.
	describe func(rt runtimeImage) string
	// dropWorkdir leaves out of the runtime stage the build stage's WORKDIR
	// when nothing there uses it (see runtimeUsesWorkdir).
	dropWorkdir bool
	// configured says where the runtime image came from when the
	// configuration chose it (see chooseRuntime).
	configured string
}

// addBinaries copies the binaries at paths, owned as the build left them.
func (p *plan) addBinaries(paths []string) {
	for _, b := range paths {
		p.artifacts = append(p.artifacts, artifact{path: b, chown: "auto"})
	}
	p.what = "the binary " + strings.Join(paths, ", ")
	if len(paths) > 1 {
		p.what = "the binaries " + strings.Join(paths, ", ")
	}
}

// stageInfo is the examined (final) stage of a file.
type stageInfo struct {
	c     *rewrite.Context
	f     *parser.File
	st    *parser.Stage
	image parser.ImageRef // the FROM image, global ARG defaults expanded
}

// recogniser finds a plan for one ecosystem: (nil, nil) when the stage is
// not a candidate for it.
type recogniser func(si *stageInfo) (*plan, *decline)

// newPass makes the pass running rec for rule.
func newPass(name string, rule *rewrite.Rule, rec recogniser) *rewrite.Pass {
	return &rewrite.Pass{Name: "multistage-" + name, Rules: []*rewrite.Rule{rule}, Run: func(c *rewrite.Context) {
		run(c, rule, rec)
	}}
}

func run(c *rewrite.Context, rule *rewrite.Rule, rec recogniser) {
	si := examine(c)
	if si == nil || si.last("cmd") == nil && si.last("entrypoint") == nil {
		// No CMD or ENTRYPOINT: a base or tool image, not an app to run.
		return
	}
	p, d := rec(si)
	if p == nil && d == nil {
		return
	}
	var edits []textedit.Edit
	var rt runtimeImage
	if d == nil {
		d = si.chooseRuntime(rule, p)
	}
	if d == nil {
		edits, rt, d = si.finish(p)
	}
	if d != nil {
		c.Reportf(rule, d.at, "not split into build and runtime stages: %s", d.reason)
		return
	}
	msg := fmt.Sprintf("%s ships its build toolchain; split it into a build stage and a runtime stage FROM %s that gets only %s",
		si.image.Raw, rt.ref, p.what)
	if p.describe != nil {
		if more := p.describe(rt); more != "" {
			msg += "; " + more
		}
	}
	if p.configured != "" {
		msg += "; " + p.configured
	}
	c.Report(rewrite.Finding{Rule: rule, Offset: si.st.From.Start, Message: msg,
		Fix: &rewrite.Fix{Applicability: rewrite.Unsafe, Description: msg, Edits: edits}})
}

// examine returns the final stage, or nil when the file has none.
func examine(c *rewrite.Context) *stageInfo {
	f := c.File
	if len(f.Stages) == 0 {
		return nil
	}
	st := f.Stages[len(f.Stages)-1]
	img := st.Base
	if img.FromArg {
		if v, ok := f.ExpandMeta(img.Raw); ok {
			raw := img.Raw
			img = f.SplitImageRef(v)
			img.Raw = raw
		} else {
			img = parser.ImageRef{Raw: img.Raw, FromArg: true}
		}
	}
	return &stageInfo{c: c, f: f, st: st, image: img}
}

type envMap map[string]string

func (e envMap) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e envMap) Keys() []string {
	var out []string
	for k := range e {
		out = append(out, k)
	}
	return out
}

// repo is the official image name of the FROM ("" for other registries).
func (si *stageInfo) repo() string {
	if si.image.Registry != "" && si.image.Registry != "docker.io" {
		return ""
	}
	return strings.TrimPrefix(si.image.Repository, "library/")
}

// tag is the FROM tag ("latest" when none).
func (si *stageInfo) tag() string {
	if si.image.Tag == "" {
		return "latest"
	}
	return si.image.Tag
}

func (si *stageInfo) family() string { return builderFamily(si.repo(), si.tag()) }

// after lists the stage's instructions after in.
func (si *stageInfo) after(in *parser.Instruction) []*parser.Instruction {
	var out []*parser.Instruction
	for _, x := range si.st.Instructions {
		if x.Index > in.Index {
			out = append(out, x)
		}
	}
	return out
}

// before lists the stage's instructions before in (FROM excluded).
func (si *stageInfo) before(in *parser.Instruction) []*parser.Instruction {
	var out []*parser.Instruction
	for _, x := range si.st.Instructions[1:] {
		if x.Index < in.Index {
			out = append(out, x)
		}
	}
	return out
}

// last returns the stage's last instruction with keyword kw, or nil.
func (si *stageInfo) last(kw string) *parser.Instruction {
	var out *parser.Instruction
	for _, in := range si.st.Instructions {
		if in.Keyword == kw {
			out = in
		}
	}
	return out
}

// contextFile reads a file of the build context (.dockerignore applied),
// when dockslim knows it.
func (si *stageInfo) contextFile(name string) ([]byte, bool) {
	p, ok := rewrite.ContextPath(name)
	if !si.hasContext() || !ok {
		return nil, false
	}
	b, err := fs.ReadFile(si.c.BuildContext, p)
	return b, err == nil
}

// hasContext reports whether the build context is known.
func (si *stageInfo) hasContext() bool { return si.c.BuildContext != nil }

// landable reports whether a RUN command can run in the runtime image
// with the same effect: file and user housekeeping.
func (si *stageInfo) landable(c command, rt runtimeImage) bool {
	switch n := c.name(); n {
	case "mkdir", "chown", "chmod", "ln", "touch", "echo", "true", "rm":
		return rt.shell()
	case "useradd", "groupadd", "adduser", "addgroup", "usermod":
		return rt.userTool(n, si.family())
	}
	return false
}

// finish checks the stage against a plan and renders the edits.
func (si *stageInfo) finish(p *plan) ([]textedit.Edit, runtimeImage, *decline) {
	from := si.st.From
	if si.st.Base.StageRef != nil {
		return nil, runtimeImage{}, declinef(from.Start, "the stage builds FROM stage %q, whose environment dockslim would have to repeat", si.st.Base.Raw)
	}
	for _, in := range si.st.Instructions {
		if in.Keyword == "shell" || in.Keyword == "onbuild" {
			return nil, runtimeImage{}, declinef(in.Start, "the stage uses %s, which dockslim does not carry into a runtime stage", strings.ToUpper(in.Keyword))
		}
	}
	edits, d := si.render(p, p.runtime)
	if d != nil && d.noShell && p.fallback != nil {
		edits, d = si.render(p, *p.fallback)
		return edits, *p.fallback, d
	}
	return edits, p.runtime, d
}

// split finds the last instruction of the build stage: the build RUN, or a
// later RUN that only belongs to the build.
func (si *stageInfo) split(p *plan, rt runtimeImage) (*parser.Instruction, *decline) {
	split := p.build
	landed := false // something after split already lands in the runtime stage
	for _, in := range si.after(p.build) {
		switch {
		case in.Is("run"):
			cs, ok := commandsOf(in)
			if !ok || len(cs) == 0 {
				return nil, declinef(in.Start, "the RUN at line %d after the build step is a heredoc or does not parse as shell, so dockslim cannot tell what it does", in.StartLine)
			}
			if all(cs, func(c command) bool { return c.name() == "rm" || p.buildOnly != nil && p.buildOnly(c) }) {
				if landed {
					return nil, declinef(in.Start, "the RUN at line %d belongs to the build but follows instructions for the runtime", in.StartLine)
				}
				split = in
				continue
			}
			if all(cs, func(c command) bool { return si.landable(c, rt) }) {
				landed = true
				continue
			}
			if !rt.shell() && all(cs, func(c command) bool { return si.landable(c, debianSlim("bookworm")) }) {
				return nil, &decline{at: in.Start, noShell: true, reason: fmt.Sprintf("the RUN at line %d would need a shell in %s", in.StartLine, rt.ref)}
			}
			return nil, declinef(in.Start, "the RUN at line %d after the build step (%s) is neither a build step nor one the runtime image can run", in.StartLine, firstWords(cs))
		case in.Is("copy") || in.Is("add"):
			landed = true
		}
	}
	return split, nil
}

// artifactPaths are where the runtime stage puts the artifacts.
func (p *plan) artifactPaths() []string {
	var out []string
	for _, a := range p.artifacts {
		d := a.path
		if a.dst != "" {
			d = a.dst
		}
		out = append(out, strings.TrimSuffix(d, "/"))
	}
	return out
}
