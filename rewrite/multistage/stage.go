// Package multistage splits single-stage builds into a build stage and a
// small runtime stage, for the ecosystems it recognises with confidence:
// one recogniser (and rule) per file, all sharing this file, which keeps
// the image's contract (ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME,
// HEALTHCHECK, STOPSIGNAL, ENTRYPOINT, CMD, the ARGs they use, file
// ownership) and renders the runtime stage in the file's own style.
//
// Only the final stage is examined: in a file that is already multi-stage,
// a final stage that still builds is split like a single-stage file, and a
// final stage that only copies is left alone. Whatever a recogniser cannot
// be sure of, it declines with one Suggestion finding that says why.
package multistage

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"

	"github.com/dockslim/dockslim/internal/strset"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/shellcmd"
	"github.com/dockslim/dockslim/stagestate"
	"github.com/dockslim/dockslim/textedit"
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
		edits, rt, d = si.finish(p)
	}
	if d != nil {
		c.Reportf(rule, d.at, "not split into build and runtime stages: %s", d.reason)
		return
	}
	msg := fmt.Sprintf("%s ships its build toolchain; split it into a build stage and a runtime stage FROM %s that gets only %s",
		si.image.Raw, rt.ref, p.what)
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
		env := map[string]string{}
		for _, in := range f.MetaArgs {
			names, defs := in.ArgDefs()
			for _, n := range names {
				if d := defs[n]; d != nil {
					env[n] = *d
				}
			}
		}
		res, err := bkshell.NewLex(rune(f.Escape)).ProcessWordWithMatches(img.Raw, envMap(env))
		if err != nil || len(res.Unmatched) > 0 {
			img = parser.ImageRef{Raw: img.Raw, FromArg: true}
		} else {
			raw := img.Raw
			img = parser.SplitImageRef(res.Result)
			img.Raw = raw
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

// command is one simple command of a RUN, shell or exec form.
type command struct {
	in      *parser.Instruction
	argv    []string // literal values, "" where not literal
	lit     []bool
	assigns map[string]string
	sh      *shellcmd.Command // nil for exec form
}

func (c command) arg(i int) string {
	if i < 0 || i >= len(c.argv) {
		return ""
	}
	return c.argv[i]
}

// name is the base name of the program.
func (c command) name() string {
	if len(c.argv) == 0 {
		return ""
	}
	return path.Base(c.argv[0])
}

// literal reports whether every word is literal text.
func (c command) literal() bool {
	for _, l := range c.lit {
		if !l {
			return false
		}
	}
	return true
}

// text is the command re-quoted for a new RUN line.
func (c command) text() (string, bool) {
	if !c.literal() {
		return "", false
	}
	words := make([]string, len(c.argv))
	for i, a := range c.argv {
		q, err := syntax.Quote(a, syntax.LangPOSIX)
		if err != nil {
			return "", false
		}
		words[i] = q
	}
	return strings.Join(words, " "), true
}

// positional returns the arguments after argv[0] that are not options nor
// option values (valueOpts take the next word unless written --opt=value).
func (c command) positional(valueOpts strset.Set) []string {
	var out []string
	for i := 1; i < len(c.argv); i++ {
		a := c.argv[i]
		switch {
		case a == "--":
			return append(out, c.argv[i+1:]...)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if valueOpts.Has(a) {
				i++
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

// commandsOf returns the commands of a RUN (nil for other instructions).
// ok is false when the RUN cannot be read (heredoc, shell that does not parse).
func commandsOf(in *parser.Instruction) (out []command, ok bool) {
	if !in.Is("run") {
		return nil, true
	}
	if in.JSON {
		if shellcmd.ExecScriptIndex(in) >= 0 {
			// ["sh", "-c", "script"]: its commands, editable when the
			// string maps to the file, else read only.
			if s := shellcmd.ExecScript(in); s != nil {
				return fromScript(in, s)
			}
			opaque := shellcmd.Opaque(in)
			out := make([]command, 0, len(opaque))
			for _, sc := range opaque {
				c := fromShell(in, sc)
				c.sh = nil
				out = append(out, c)
			}
			return out, len(opaque) > 0
		}
		c := command{in: in, assigns: map[string]string{}}
		for _, a := range in.JSONArgs {
			c.argv = append(c.argv, a.Value)
			c.lit = append(c.lit, true)
		}
		return []command{c}, len(c.argv) > 0
	}
	if len(in.Heredocs) > 0 || in.Script == nil || in.Script.Err != nil {
		return nil, false
	}
	return fromScript(in, in.Script)
}

func fromScript(in *parser.Instruction, s *parser.Script) ([]command, bool) {
	if s.Err != nil {
		return nil, false
	}
	var out []command
	for _, sc := range shellcmd.Commands(s) {
		out = append(out, fromShell(in, sc))
	}
	return out, true
}

// fromShell is the command view of a shell command.
func fromShell(in *parser.Instruction, sc *shellcmd.Command) command {
	c := command{in: in, assigns: sc.Assigns, sh: sc}
	for i := range sc.Args {
		v, ok := sc.Arg(i)
		c.argv = append(c.argv, v)
		c.lit = append(c.lit, ok)
	}
	return c
}

// runCommands returns the commands of every RUN of the stage before limit
// (nil: all), skipping RUNs it cannot read.
func (si *stageInfo) runCommands(limit *parser.Instruction) []command {
	var out []command
	for _, in := range si.st.Instructions {
		if limit != nil && in.Index >= limit.Index {
			break
		}
		cs, _ := commandsOf(in)
		out = append(out, cs...)
	}
	return out
}

// env reports a variable set by ENV or ARG before in (or on the command).
func (si *stageInfo) env(in *parser.Instruction, c *command, name string) (string, bool) {
	if c != nil {
		if v, ok := c.assigns[name]; ok {
			return v, true
		}
	}
	return stagestate.Scope{File: si.f, In: in}.Docker(name)
}

// expand expands variables in a word as buildkit would before in; ok is
// false when a variable is unknown.
func (si *stageInfo) expand(in *parser.Instruction, word string) (string, bool) {
	if !strings.Contains(word, "$") {
		return word, true
	}
	env := envMap{}
	res, err := bkshell.NewLex(rune(si.f.Escape)).ProcessWordWithMatches(word, env)
	if err != nil {
		return "", false
	}
	for name := range res.Unmatched {
		v, ok := si.env(in, nil, name)
		if !ok {
			return "", false
		}
		env[name] = v
	}
	res, err = bkshell.NewLex(rune(si.f.Escape)).ProcessWordWithMatches(word, env)
	return res.Result, err == nil && len(res.Unmatched) == 0
}

// workdirAt is the working directory for instruction in ("/" by default).
func (si *stageInfo) workdirAt(in *parser.Instruction) (string, bool) {
	wd := "/"
	for _, x := range si.st.Instructions {
		if in != nil && x.Index >= in.Index {
			break
		}
		if x.Keyword != "workdir" {
			continue
		}
		args := x.Args()
		if len(args) == 0 {
			continue
		}
		dir, ok := si.expand(x, args[0])
		if !ok {
			return "", false
		}
		wd = abs(wd, dir)
	}
	return wd, true
}

// userAt is the USER for instruction in ("" for root).
func (si *stageInfo) userAt(in *parser.Instruction) string {
	user := ""
	for _, x := range si.st.Instructions {
		if x.Index >= in.Index {
			break
		}
		if x.Keyword == "user" && len(x.Args()) > 0 {
			user = x.Args()[0]
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "root" || u == "0" {
		return ""
	}
	return user
}

func abs(wd, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(wd, p)
}

// covers reports whether dir is p or one of its parents.
func covers(dir, p string) bool {
	return dir == p || dir == "/" || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// kw writes an instruction keyword in the file's casing.
func (si *stageInfo) kw(upper string) string {
	from := si.st.From
	ind := len(from.Indent(si.f))
	word := string(si.f.Src[from.Start+ind : min(from.Start+ind+4, len(si.f.Src))])
	if word == "from" {
		return strings.ToLower(upper)
	}
	return upper
}

// stageName is the build stage's name: its own, or a free one.
func (si *stageInfo) stageName() (name string, isNew bool) {
	if si.st.Name != "" {
		return si.st.Name, false
	}
	for _, n := range []string{"build", "builder", "build-stage"} {
		if si.f.StageByName(n) == nil {
			return n, true
		}
	}
	return fmt.Sprintf("build-%d", si.st.Index), true
}

// userCommands are the user-management commands and the options of each
// that take a value, to find the names they create.
var userCommands = map[string]strset.Set{
	"useradd": strset.Set{"-b", "-c", "-d", "-e", "-f", "-g", "-G", "-k", "-K", "-p", "-R", "-P", "-s", "-u", "-Z",
		"--base-dir", "--comment", "--home-dir", "--expiredate", "--inactive", "--gid", "--groups", "--skel",
		"--key", "--password", "--root", "--prefix", "--shell", "--uid", "--selinux-user"},
	"groupadd": strset.Set{"-g", "-K", "-p", "-R", "-P", "--gid", "--key", "--password", "--root", "--prefix"},
	"adduser": strset.Set{"--home", "--shell", "--uid", "--gid", "--ingroup", "--gecos", "--comment", "--firstuid",
		"--lastuid", "--firstgid", "--lastgid", "--conf", "-h", "-g", "-s", "-G", "-u", "-k"},
	"addgroup": strset.Set{"--gid", "-g", "--conf", "--firstgid", "--lastgid"},
	"usermod": strset.Set{"-c", "-d", "-e", "-f", "-g", "-G", "-l", "-p", "-R", "-P", "-s", "-u", "-Z", "--comment",
		"--home", "--expiredate", "--inactive", "--gid", "--groups", "--login", "--password", "--root",
		"--prefix", "--shell", "--uid"},
}

// createdName is the user or group a user-management command creates.
func createdName(c command) string {
	pos := c.positional(userCommands[c.name()])
	if len(pos) == 0 {
		return ""
	}
	switch c.name() {
	case "useradd", "groupadd":
		return pos[len(pos)-1]
	case "adduser", "addgroup":
		if len(pos) == 1 {
			return pos[0]
		}
	}
	return ""
}

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

func firstWords(cs []command) string {
	var names []string
	seen := map[string]bool{}
	for _, c := range cs {
		if n := c.name(); n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

func all(cs []command, pred func(command) bool) bool {
	for _, c := range cs {
		if !pred(c) {
			return false
		}
	}
	return true
}

// runtimeStage collects the text of the new stage.
type runtimeStage struct {
	si    *stageInfo
	lines []string
}

func (r *runtimeStage) add(s string) { r.lines = append(r.lines, s) }

// addVerbatim adds an instruction's source text (with its comments when
// withComments), without its final line ending.
func (r *runtimeStage) addVerbatim(in *parser.Instruction, withComments bool) {
	start := in.Start
	if withComments && len(in.Comments) > 0 {
		start = in.Comments[0].Start
	}
	r.add(strings.TrimRight(string(r.si.f.Src[start:in.End]), "\r\n"))
}

// moved are the instructions that only describe the image: they move from
// the build stage to the runtime stage.
var moved = strset.Set{"label", "expose", "volume", "healthcheck", "stopsignal", "entrypoint", "cmd", "maintainer"}

// render builds the edits for a plan with runtime image rt.
func (si *stageInfo) render(p *plan, rt runtimeImage) ([]textedit.Edit, *decline) {
	f := si.f
	split, d := si.split(p, rt)
	if d != nil {
		return nil, d
	}
	name, isNew := si.stageName()
	for i := range p.artifacts {
		if p.artifacts[i].chown == "auto" {
			p.artifacts[i].chown = si.ownerOf(p.artifacts[i].path, p.build, split)
		}
	}
	creates, d := si.users(split, rt, p)
	if d != nil {
		return nil, d
	}
	if len(creates) > 0 || len(p.rootRuns) > 0 || len(rt.runs) > 0 {
		if !rt.shell() {
			return nil, &decline{at: si.st.From.Start, noShell: true, reason: "the runtime stage must create a user but " + rt.ref + " has no shell"}
		}
	}
	if d := si.checkPrograms(p, rt, split); d != nil {
		return nil, d
	}

	before := si.before(split)
	var carried, move []*parser.Instruction
	for _, in := range before {
		switch {
		case moved.Has(in.Keyword):
			move = append(move, in)
		case in.Keyword == "env" || in.Keyword == "workdir" || in.Keyword == "user":
			carried = append(carried, in)
		case p.replicate != nil && p.replicate(in):
			carried = append(carried, in)
		}
	}
	args := si.neededArgs(split, append(append([]*parser.Instruction(nil), carried...), move...), p)

	r := &runtimeStage{si: si}
	fromLine := si.kw("FROM") + " "
	if fl, ok := si.st.From.Flag("platform"); ok {
		fromLine += string(f.Src[fl.Start:fl.End]) + " "
	}
	r.add(fromLine + rt.ref)
	for _, in := range args {
		r.addVerbatim(in, false)
	}
	if len(creates) > 0 {
		r.add(si.kw("RUN") + " " + strings.Join(creates, " && "))
	}
	for _, body := range append(append([]string(nil), rt.runs...), p.rootRuns...) {
		r.add(si.kw("RUN") + " " + body)
	}
	for _, in := range carried {
		r.addVerbatim(in, false)
	}
	for _, s := range p.steps {
		kw, rest, _ := strings.Cut(s, " ")
		r.add(si.kw(kw) + " " + rest)
	}
	for _, a := range p.artifacts {
		line := si.kw("COPY") + " --from=" + name
		if a.chown != "" {
			line += " --chown=" + a.chown
		}
		dst := a.path
		if a.dst != "" {
			dst = a.dst
		}
		r.add(line + " " + a.path + " " + dst)
	}
	for _, s := range p.post {
		kw, rest, _ := strings.Cut(s, " ")
		r.add(si.kw(kw) + " " + rest)
	}
	for _, in := range move {
		r.addVerbatim(in, true)
	}

	nl := f.Newline()
	var edits []textedit.Edit
	if isNew {
		as := " AS "
		if si.kw("FROM") == "from" {
			as = " as "
		}
		edits = append(edits, textedit.Edit{Start: si.st.From.ArgsEnd, End: si.st.From.ArgsEnd, Text: as + name})
	}
	edits = append(edits, p.builderEdits...)
	for _, in := range move {
		edits = append(edits, si.deletion(in))
	}
	text := nl + strings.Join(r.lines, nl) + nl
	if split.End == len(f.Src) && !strings.HasSuffix(string(f.Src), "\n") {
		text = nl + text
	}
	edits = append(edits, textedit.Edit{Start: split.End, End: split.End, Text: text})
	return edits, nil
}

// deletion removes an instruction with its comment lines, and a blank line
// after it when one is also before it (so no double blank line is left).
func (si *stageInfo) deletion(in *parser.Instruction) textedit.Edit {
	f := si.f
	start, endLine := in.StartLine, in.EndLine
	if len(in.Comments) > 0 {
		start = in.Comments[0].Line
	}
	blank := func(n int) bool { return n >= 1 && n <= f.LineCount() && strings.TrimSpace(f.Line(n)) == "" }
	if (start == 1 || blank(start-1)) && blank(endLine+1) {
		endLine++
	}
	return textedit.Edit{Start: f.LineStart(start), End: f.LineEnd(endLine)}
}

// neededArgs returns the stage's ARG instructions (before the split) that
// declare a variable used by instructions the runtime stage gets.
func (si *stageInfo) neededArgs(split *parser.Instruction, runtimeIns []*parser.Instruction, p *plan) []*parser.Instruction {
	used := map[string]bool{}
	lex := bkshell.NewLex(rune(si.f.Escape))
	note := func(word string) {
		if res, err := lex.ProcessWordWithMatches(word, envMap{}); err == nil {
			for n := range res.Unmatched {
				used[n] = true
			}
		}
	}
	expands := strset.Set{"env", "workdir", "user", "label", "expose", "volume", "stopsignal", "copy", "add", "arg"}
	for _, in := range append(runtimeIns, si.after(split)...) {
		if !expands.Has(in.Keyword) {
			continue
		}
		for _, fl := range in.Flags {
			note(fl.Value)
		}
		note(in.ArgsText(si.f))
	}
	for _, a := range p.artifacts {
		note(a.path)
		note(a.chown)
	}
	var out []*parser.Instruction
	for _, in := range si.before(split) {
		if in.Keyword != "arg" {
			continue
		}
		names, _ := in.ArgDefs()
		for _, n := range names {
			if used[n] {
				out = append(out, in)
				break
			}
		}
	}
	return out
}

// ownerOf is the --chown for an artifact the build step made: the USER the
// build ran as, or the owner a later `chown` in the build stage gave it.
func (si *stageInfo) ownerOf(p string, build, split *parser.Instruction) string {
	owner := si.userAt(build)
	for _, in := range si.st.Instructions {
		if in.Index < build.Index || in.Index > split.Index || !in.Is("run") {
			continue
		}
		wd, _ := si.workdirAt(in)
		cs, _ := commandsOf(in)
		for _, c := range cs {
			if c.name() != "chown" {
				continue
			}
			pos := c.positional(nil)
			if len(pos) < 2 {
				continue
			}
			for _, target := range pos[1:] {
				if covers(abs(wd, target), p) {
					owner = pos[0]
				}
			}
		}
	}
	return owner
}

// users checks every user the runtime stage needs (USER, --chown) and
// returns the commands that create the ones its image lacks.
func (si *stageInfo) users(split *parser.Instruction, rt runtimeImage, p *plan) ([]string, *decline) {
	type need struct {
		name string
		at   int
	}
	var needs []need
	addOwner := func(owner string, at int) {
		if owner == "" {
			return
		}
		u, g, _ := strings.Cut(owner, ":")
		needs = append(needs, need{u, at})
		if g != "" {
			needs = append(needs, need{g, at})
		}
	}
	for _, in := range si.st.Instructions {
		if in.Keyword == "user" && len(in.Args()) > 0 {
			addOwner(in.Args()[0], in.Start)
		}
		if in.Index > split.Index && (in.Is("copy") || in.Is("add")) {
			if fl, ok := in.Flag("chown"); ok {
				addOwner(fl.Value, in.Start)
			}
		}
	}
	for _, a := range p.artifacts {
		addOwner(a.chown, p.build.Start)
	}
	createdBefore := map[string]bool{}
	createdAfter := map[string]bool{}
	var mgmt []command
	for _, in := range si.st.Instructions {
		cs, _ := commandsOf(in)
		for _, c := range cs {
			if userCommands[c.name()] == nil {
				continue
			}
			n := createdName(c)
			if in.Index > split.Index {
				createdAfter[n] = true
			} else {
				createdBefore[n] = true
				mgmt = append(mgmt, c)
			}
		}
	}
	replicate := false
	for _, n := range needs {
		switch {
		case strings.Contains(n.name, "$"):
			return nil, declinef(n.at, "the user %q is a variable dockslim cannot follow", n.name)
		case rt.hasUser(n.name) || createdAfter[n.name]:
		case createdBefore[n.name]:
			replicate = true
		default:
			return nil, declinef(n.at, "%s has no user %q and dockslim found no useradd/adduser creating it in the build stage", rt.ref, n.name)
		}
	}
	if !replicate {
		return nil, nil
	}
	var out []string
	for _, c := range mgmt {
		if !rt.userTool(c.name(), si.family()) {
			return nil, &decline{at: c.in.Start, noShell: !rt.shell(),
				reason: fmt.Sprintf("the build stage creates its user with %s, which %s cannot run the same way", c.name(), rt.ref)}
		}
		t, ok := c.text()
		if !ok {
			return nil, declinef(c.in.Start, "the %s command at line %d uses variables dockslim cannot repeat", c.name(), c.in.StartLine)
		}
		out = append(out, t)
	}
	return out, nil
}

// toolchain are programs that build: a runtime command that uses them
// needs the build stage's image.
var toolchain = strset.Set{"go", "cargo", "rustc", "rustup", "mvn", "mvnw", "gradle", "gradlew", "javac",
	"gcc", "g++", "cc", "c++", "clang", "make", "cmake", "pip", "pip3", "tsc", "ts-node", "webpack", "vite"}

// checkPrograms checks that the runtime stage has what ENTRYPOINT / CMD
// and HEALTHCHECK run.
func (si *stageInfo) checkPrograms(p *plan, rt runtimeImage, split *parser.Instruction) *decline {
	wd, ok := si.workdirAt(nil)
	if !ok {
		return declinef(si.st.From.Start, "the WORKDIR uses a variable dockslim cannot follow")
	}
	var checks []*parser.Instruction
	if ep := si.last("entrypoint"); ep != nil {
		checks = append(checks, ep)
	} else if cmd := si.last("cmd"); cmd != nil {
		checks = append(checks, cmd)
	} else {
		return declinef(si.st.From.Start, "the stage has no CMD or ENTRYPOINT, so dockslim cannot tell what the runtime stage must run")
	}
	if hc := si.last("healthcheck"); hc != nil {
		checks = append(checks, hc)
	}
	for _, in := range checks {
		argvs, shell, ok := programsOf(in)
		if !ok {
			return declinef(in.Start, "dockslim cannot read the command of %s at line %d", strings.ToUpper(in.Keyword), in.StartLine)
		}
		if shell && !rt.shell() {
			return &decline{at: in.Start, noShell: true, reason: fmt.Sprintf("%s at line %d needs a shell, which %s lacks", strings.ToUpper(in.Keyword), in.StartLine, rt.ref)}
		}
		for _, argv := range argvs {
			if why := si.checkProgram(p, rt, split, argv, wd); why != "" {
				return declinef(in.Start, "%s at line %d %s", strings.ToUpper(in.Keyword), in.StartLine, why)
			}
		}
	}
	return nil
}

// programsOf returns the commands an ENTRYPOINT / CMD / HEALTHCHECK runs,
// and whether a shell runs them.
func programsOf(in *parser.Instruction) (argvs [][]string, shell, ok bool) {
	var script *parser.Script
	switch {
	case in.Keyword == "healthcheck":
		v, err := bkinstructions.ParseInstruction(in.Node)
		hc, isHC := v.(*bkinstructions.HealthCheckCommand)
		if err != nil || !isHC || hc.Health == nil || len(hc.Health.Test) == 0 {
			return nil, false, false
		}
		switch hc.Health.Test[0] {
		case "NONE":
			return nil, false, true
		case "CMD":
			return [][]string{hc.Health.Test[1:]}, false, true
		case "CMD-SHELL":
			script = parser.ParseShell(strings.Join(hc.Health.Test[1:], " "), 0)
		default:
			return nil, false, false
		}
	case in.JSON:
		var argv []string
		for _, a := range in.JSONArgs {
			argv = append(argv, a.Value)
		}
		i := shellcmd.ExecScriptIndex(in)
		if i < 0 {
			return [][]string{argv}, false, len(argv) > 0
		}
		script = parser.ParseShell(argv[i], 0) // read for program names only
	default:
		script = in.Script
	}
	if script == nil || script.Err != nil {
		return nil, true, false
	}
	for _, c := range shellcmd.Commands(script) {
		argv := make([]string, len(c.Args))
		for i := range c.Args {
			v, lit := c.Arg(i)
			if !lit && i == 0 {
				return nil, true, false
			}
			argv[i] = v
		}
		argvs = append(argvs, argv)
	}
	return argvs, true, true
}

// toolchainAtRuntime declines a stage with no build step whose ENTRYPOINT
// or CMD runs the toolchain (go run, cargo run, mvn spring-boot:run, ...).
func (si *stageInfo) toolchainAtRuntime() *decline {
	for _, kw := range []string{"entrypoint", "cmd"} {
		in := si.last(kw)
		if in == nil {
			continue
		}
		argvs, _, _ := programsOf(in)
		for _, argv := range argvs {
			if len(argv) > 0 && toolchain.Has(path.Base(argv[0])) {
				return declinef(in.Start, "%s at line %d runs %s, which builds at start and needs the toolchain in the image; build in a build stage and run the result",
					strings.ToUpper(kw), in.StartLine, strings.Join(argv[:min(len(argv), 2)], " "))
			}
		}
	}
	return nil
}

// defaultPath is the PATH of the runtime images.
var defaultPath = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// checkProgram says why the runtime stage could not run argv ("" when it can).
func (si *stageInfo) checkProgram(p *plan, rt runtimeImage, split *parser.Instruction, argv []string, wd string) string {
	if len(argv) == 0 || argv[0] == "" {
		return "runs a program dockslim cannot tell"
	}
	prog := argv[0]
	base := path.Base(prog)
	if toolchain.Has(base) || base == "npx" {
		return fmt.Sprintf("runs %s, which needs the build toolchain at run time", strings.Join(argv[:min(len(argv), 2)], " "))
	}
	if p.program != nil {
		if handled, why := p.program(argv, wd); handled {
			return why
		}
	}
	if strings.Contains(prog, "/") {
		if si.runtimeHas(p, split, abs(wd, prog)) {
			return ""
		}
		return fmt.Sprintf("runs %s, which the runtime stage would not have (only %s is copied)", prog, p.what)
	}
	if rt.hasCommand(base) {
		return ""
	}
	dirs := append(append([]string(nil), defaultPath...), p.pathDirs...)
	for _, in := range si.st.Instructions {
		for _, kv := range in.EnvPairs() {
			if kv[0] == "PATH" {
				dirs = append(dirs, strings.Split(kv[1], ":")...)
			}
		}
	}
	for _, d := range dirs {
		if si.runtimeHas(p, split, path.Join(d, base)) {
			return ""
		}
	}
	return fmt.Sprintf("runs %s, which the runtime image %s does not have", base, rt.ref)
}

// runtimeHas reports whether the runtime stage has a file: an artifact, or
// a COPY / ADD that lands in the runtime stage.
func (si *stageInfo) runtimeHas(p *plan, split *parser.Instruction, file string) bool {
	for _, a := range p.artifacts {
		if covers(a.path, file) || a.dst != "" && covers(strings.TrimSuffix(a.dst, "/"), file) {
			return true
		}
	}
	for _, in := range si.st.Instructions {
		landed := in.Index > split.Index || p.replicate != nil && p.replicate(in)
		if !landed || !(in.Is("copy") || in.Is("add")) {
			continue
		}
		args := in.Args()
		if len(args) < 2 || in.Index <= si.st.From.Index {
			continue
		}
		wd, _ := si.workdirAt(in)
		dst := args[len(args)-1]
		d := abs(wd, dst)
		if strings.HasSuffix(dst, "/") || dst == "." || len(args) > 2 {
			for _, src := range args[:len(args)-1] {
				if src == "." || strings.HasSuffix(src, "/") {
					if covers(d, file) {
						return true
					}
				} else if path.Join(d, path.Base(src)) == file || covers(path.Join(d, path.Base(src)), file) {
					return true
				}
			}
		} else if covers(d, file) {
			return true
		}
	}
	return false
}

// apt reads the apt-get / apt install commands of the build stage before
// limit and sorts the packages: runtime libraries for the -dev packages
// (devRuntimeLibs), packages to install as they are, build tools to drop.
// rt is the runtime image the libraries go to. It declines rather than
// leave the runtime stage without a library a -dev package links: for a
// -dev package without a known runtime library, for runtime libraries on
// an image that is not Debian of the table's release (the names are
// bookworm's), for apk (Alpine packages have another naming), and for a
// RUN that does not parse as shell, which could install anything.
func (si *stageInfo) apt(limit *parser.Instruction, skip strset.Set, rt runtimeImage) (libs []string, d *decline) {
	seen := map[string]bool{}
	var mapped []string // runtime libraries that come from the -dev table
	var cmds []command
	for _, in := range si.st.Instructions {
		if limit != nil && in.Index >= limit.Index {
			break
		}
		cs, ok := commandsOf(in)
		if !ok {
			cs, ok = heredocCommands(in)
		}
		if !ok {
			return nil, declinef(in.Start, "the RUN at line %d does not parse as shell, so dockslim cannot tell which -dev packages it installs, whose runtime libraries the runtime stage would need", in.StartLine)
		}
		cmds = append(cmds, cs...)
	}
	for _, c := range cmds {
		if c.name() == "apk" {
			return nil, declinef(c.in.Start, "the build stage installs Alpine packages (line %d); dockslim maps Debian -dev packages to runtime libraries only, so it cannot tell which libraries the runtime stage needs", c.in.StartLine)
		}
		if (c.name() != "apt-get" && c.name() != "apt") || !hasWord(c.argv, "install") {
			continue
		}
		sub := false
		for i := 1; i < len(c.argv); i++ {
			a := c.argv[i]
			if !c.lit[i] {
				return nil, declinef(c.in.Start, "apt-get install at line %d names packages with variables, so dockslim cannot tell which runtime libraries they need", c.in.StartLine)
			}
			if a == "install" {
				sub = true
				continue
			}
			if !sub || strings.HasPrefix(a, "-") {
				continue
			}
			pkg, _, _ := strings.Cut(a, "=")
			pkg = strings.TrimSuffix(pkg, ":amd64")
			add, d := libsFor(c.in, pkg)
			if d != nil {
				return nil, d
			}
			if isDev(pkg) {
				mapped = append(mapped, add...)
			}
			for _, l := range add {
				if !seen[l] && !skip.Has(l) {
					seen[l] = true
					libs = append(libs, l)
				}
			}
		}
	}
	if d := si.libsOn(si.st.From.Start, mapped, skip, rt); d != nil {
		return nil, si.wrongRelease(si.st.From.Start, libs, rt) // every package, named for that release
	}
	return libs, nil
}

// heredocCommands returns the commands of a shell-form RUN with heredocs:
// its own line and the bodies the shell runs as scripts (RUN <<EOF, RUN
// bash <<EOF); other heredocs are data.
func heredocCommands(in *parser.Instruction) ([]command, bool) {
	if !in.Is("run") || in.JSON || in.Script == nil || in.Script.Err != nil {
		return nil, false
	}
	out, ok := fromScript(in, in.Script)
	for _, h := range in.HeredocScripts {
		cs, hok := fromScript(in, h)
		out, ok = append(out, cs...), ok && hok
	}
	return out, ok
}

// isDev reports whether a Debian package is a -dev package.
func isDev(pkg string) bool { return strings.HasSuffix(pkg, "-dev") || strings.Contains(pkg, "-dev:") }

// libsFor is what the runtime stage installs for a package the build stage
// installed at in: the runtime libraries of a -dev package, nothing for a
// build tool, the package itself otherwise.
func libsFor(in *parser.Instruction, pkg string) ([]string, *decline) {
	switch {
	case buildTools.Has(pkg) || strings.HasPrefix(pkg, "linux-headers") || strings.HasPrefix(pkg, "python3.") && strings.HasSuffix(pkg, "-dev"):
		return nil, nil
	case isDev(pkg):
		rl, ok := devRuntimeLibs(pkg)
		if !ok {
			return nil, declinef(in.Start, "the build stage installs %s (line %d), and dockslim knows no runtime library for it (its table comes from Debian %s package metadata), so the runtime stage would lack the library it links", pkg, in.StartLine, devLibsRelease)
		}
		return rl, nil
	}
	return []string{pkg}, nil
}

// libsOn declines when runtime libraries from the -dev table (named for
// devLibsRelease) would go to a runtime image of another release or
// distribution, where apt knows them by other names or not at all.
func (si *stageInfo) libsOn(at int, libs []string, skip strset.Set, rt runtimeImage) *decline {
	var need []string
	for _, l := range dedupe(libs) {
		if !skip.Has(l) {
			need = append(need, l)
		}
	}
	if len(need) == 0 || rt.family == "debian" && rt.suite == devLibsRelease {
		return nil
	}
	return si.wrongRelease(at, need, rt)
}

// wrongRelease is the decline for runtime libraries named for
// devLibsRelease that would go to rt, of another release or distribution.
func (si *stageInfo) wrongRelease(at int, need []string, rt runtimeImage) *decline {
	if rt.family != "debian" {
		return declinef(at, "the runtime needs %s, named for Debian %s, but the runtime image %s is not Debian", strings.Join(need, ", "), devLibsRelease, rt.ref)
	}
	s := rt.suite
	if s == "" {
		s = "of an unknown Debian release"
	}
	tag := "-" + devLibsRelease
	if r := si.repo(); r == "debian" || r == "buildpack-deps" {
		tag = devLibsRelease
	}
	return declinef(at, "the runtime needs %s, named for Debian %s, but %s is %s; use a %s tag", strings.Join(need, ", "), devLibsRelease, si.image.Raw, s, tag)
}

// aptDev lists the -dev packages apt-get / apt installs in the build stage
// before limit (nil: all), besides the toolchain's own.
func (si *stageInfo) aptDev(limit *parser.Instruction) []string {
	var out []string
	for _, c := range si.runCommands(limit) {
		if (c.name() != "apt-get" && c.name() != "apt") || !hasWord(c.argv, "install") {
			continue
		}
		for _, a := range c.argv {
			if isDev(a) && !buildTools.Has(a) && !strings.HasPrefix(a, "python3.") {
				out = append(out, a)
			}
		}
	}
	return out
}

// apkDev lists the -dev packages apk installs in the build stage before
// limit (nil: all), besides the toolchain's own (musl-dev, linux-headers).
func (si *stageInfo) apkDev(limit *parser.Instruction) []string {
	var out []string
	for _, c := range si.runCommands(limit) {
		if c.name() != "apk" || !hasWord(c.argv, "add") {
			continue
		}
		for _, a := range c.argv {
			if strings.HasSuffix(a, "-dev") && !buildTools.Has(a) && a != "linux-headers" {
				out = append(out, a)
			}
		}
	}
	return out
}

func hasWord(xs []string, w string) bool {
	for _, x := range xs {
		if x == w {
			return true
		}
	}
	return false
}

// aptInstall is a RUN body that installs packages the slim way, laid out
// like the build stage's own apt-get install RUN: on one line, or one
// command a line with "&&" leading or trailing.
func (si *stageInfo) aptInstall(pkgs []string) string {
	cmds := []string{"apt-get update", "apt-get install -y --no-install-recommends " + strings.Join(pkgs, " "), "rm -rf /var/lib/apt/lists/*"}
	one := strings.Join(cmds, " && ")
	var model *parser.Instruction
	for _, c := range si.runCommands(nil) {
		if (c.name() == "apt-get" || c.name() == "apt") && hasWord(c.argv, "install") && c.sh != nil {
			model = c.in
			break
		}
	}
	if model == nil {
		return one
	}
	esc := string(si.f.Escape)
	lines := strings.Split(strings.TrimRight(model.Text(si.f), "\r\n"), "\n")
	if len(lines) < 2 || !strings.HasSuffix(strings.TrimRight(lines[0], " \t\r"), esc) {
		return one
	}
	second := strings.TrimRight(lines[1], "\r")
	indent := second[:len(second)-len(strings.TrimLeft(second, " \t"))]
	first := strings.TrimSuffix(strings.TrimRight(lines[0], " \t\r"), esc)
	gap := first[len(strings.TrimRight(first, " \t")):] // before the escape
	nl := si.f.Newline()
	switch {
	case strings.HasPrefix(strings.TrimSpace(second), "&&"):
		return cmds[0] + gap + esc + nl + indent + "&& " + cmds[1] + gap + esc + nl + indent + "&& " + cmds[2]
	case strings.HasSuffix(strings.TrimSpace(first), "&&"):
		return cmds[0] + " &&" + gap + esc + nl + indent + cmds[1] + " &&" + gap + esc + nl + indent + cmds[2]
	}
	return one
}

// minbase are packages every Debian image has (Priority: required, or
// pulled in by apt): installing them again is noise.
var minbase = strset.Set{"zlib1g", "libc6", "libgcc-s1", "libstdc++6", "libtinfo6", "libzstd1", "liblzma5",
	"libbz2-1.0", "libudev1", "libsystemd0", "libuuid1", "libpcre2-8-0", "libgcrypt20", "libgpg-error0",
	"liblz4-1", "libcap2", "libseccomp2", "libselinux1", "libacl1", "libattr1", "libaudit1", "libdb5.3",
	"libcrypt1", "libmd0", "libsemanage2", "libsepol2", "libsmartcols1", "libmount1", "libblkid1",
	"libgmp10", "libhogweed6", "libnettle8", "libp11-kit0", "libtasn1-6", "libffi8",
	"libgnutls30", "libidn2-0", "libunistring2", "libxxhash0", "libdebconfclient0", "libpam0g"}
