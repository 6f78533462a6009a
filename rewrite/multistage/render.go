package multistage

import (
	"fmt"
	"slices"
	"strings"

	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

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
var moved = []string{"label", "expose", "volume", "healthcheck", "stopsignal", "entrypoint", "cmd", "maintainer"}

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

	carried, move := si.carriedAndMoved(split, p)
	carried = si.withoutUnusedWorkdirs(carried, split, p)
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

	return si.splitEdits(p, split, name, isNew, move, r.lines), nil
}

// carriedAndMoved sorts the build stage's instructions up to split: those
// repeated in the runtime stage (ENV, WORKDIR, USER, and what the plan
// replicates) and those that move to it (LABEL, CMD, ...).
func (si *stageInfo) carriedAndMoved(split *parser.Instruction, p *plan) (carried, move []*parser.Instruction) {
	for _, in := range si.before(split) {
		switch {
		case slices.Contains(moved, in.Keyword):
			move = append(move, in)
		case in.Keyword == "env" || in.Keyword == "workdir" || in.Keyword == "user":
			carried = append(carried, in)
		case p.replicate != nil && p.replicate(in):
			carried = append(carried, in)
		}
	}
	return carried, move
}

// splitEdits names the build stage (when isNew), makes the plan's edits to
// it, deletes the instructions that move, and inserts the runtime stage's
// lines after split.
func (si *stageInfo) splitEdits(p *plan, split *parser.Instruction, name string, isNew bool, move []*parser.Instruction, lines []string) []textedit.Edit {
	f := si.f
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
	text := nl + strings.Join(lines, nl) + nl
	if split.End == len(f.Src) && !strings.HasSuffix(string(f.Src), "\n") {
		text = nl + text
	}
	edits = append(edits, textedit.Edit{Start: split.End, End: split.End, Text: text})
	return edits
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
	expands := []string{"env", "workdir", "user", "label", "expose", "volume", "stopsignal", "copy", "add", "arg"}
	for _, in := range append(runtimeIns, si.after(split)...) {
		if !slices.Contains(expands, in.Keyword) {
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
