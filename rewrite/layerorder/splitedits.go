package layerorder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// moveDown moves the broad copy below the last install and puts the
// manifest copies in its place. The installs themselves do not move, so
// other passes can edit them in the same round.
func (a *analysis) moveDown(b *broad, ps []*plan) *splitResult {
	var fs []ctxFile
	var unsafe []string
	for _, p := range ps {
		for _, cf := range p.files {
			if !slices.ContainsFunc(fs, func(x ctxFile) bool { return x.abs == cf.abs }) {
				fs = append(fs, cf)
			}
		}
		for _, u := range p.unsafe {
			if !slices.Contains(unsafe, u) {
				unsafe = append(unsafe, u)
			}
		}
	}
	last := ps[len(ps)-1].run
	lines := a.manifestLines(b, fs)
	msg := fmt.Sprintf("%s %s after `%s`, so any source change reinstalls every dependency: copy %s first, install, then copy the source",
		installNames(ps), runs(ps), shortText(a.f, b.in), manifestNames(fs))
	if lines == "" {
		msg = fmt.Sprintf("%s %s after `%s`, so any source change reinstalls every dependency: the manifests are already copied, so move the source copy below the install",
			installNames(ps), runs(ps), shortText(a.f, b.in))
	}
	return &splitResult{offset: b.in.Start, msg: msg, unsafe: unsafe, edits: []textedit.Edit{
		{Start: blockStart(b.in), End: b.in.End, Text: lines},
		insertAfter(a.f, last, blockText(a.f, b.in)),
	}}
}

// moveUp moves the install (with its manifest copies) above the broad copy,
// when something between them needs the source.
func (a *analysis) moveUp(b *broad, p *plan, between []*parser.Instruction, blocker *parser.Instruction) *splitResult {
	for _, y := range between {
		if why := Conflict(p.effects, b.m.Effects(y)); why != "" {
			return &splitResult{offset: b.in.Start, decline: true, msg: fmt.Sprintf(
				"`%s` runs after `%s`, so any source change reinstalls every dependency; dockslim cannot reorder it: `%s` (line %d) needs the source, and the install cannot move above `%s` (line %d): %s",
				cmdText(p.tools[0].cmd), shortText(a.f, b.in), shortText(a.f, blocker), blocker.StartLine, shortText(a.f, y), y.StartLine, why)}
		}
	}
	lines := a.manifestLines(b, p.files)
	msg := fmt.Sprintf("%s runs after `%s`, so any source change reinstalls every dependency: copy %s and install before the source copy",
		installNames([]*plan{p}), shortText(a.f, b.in), manifestNames(p.files))
	return &splitResult{offset: b.in.Start, msg: msg, unsafe: p.unsafe, edits: []textedit.Edit{
		{Start: blockStart(b.in), End: blockStart(b.in), Text: lines + blockText(a.f, p.run)},
		deleteBlock(p.run),
	}}
}

// insertBefore adds a dependency-only run (poetry install --no-root, go mod
// download, ...) with its manifest copies above the broad copy; the
// original RUN stays where it is.
func (a *analysis) insertBefore(b *broad, p *plan, between []*parser.Instruction) *splitResult {
	for _, y := range between {
		if why := Conflict(p.effects, b.m.Effects(y)); why != "" {
			return &splitResult{offset: b.in.Start, decline: true, msg: fmt.Sprintf(
				"`%s` runs after `%s`, so any source change downloads every dependency again; dockslim cannot add a dependency step before the copy: line %d is in the way (%s)",
				cmdText(p.tools[0].cmd), shortText(a.f, b.in), y.StartLine, why)}
		}
	}
	lines := a.manifestLines(b, p.files)
	var run, msg string
	if p.kind == planStep {
		if p.step.cwd != b.m.wd[b.in] {
			return &splitResult{offset: b.in.Start, decline: true, msg: fmt.Sprintf(
				"`%s` runs after `%s`, so any source change downloads every dependency again; it runs in another folder than the COPY, so dockslim does not add a download step",
				cmdText(p.step.cmd), shortText(a.f, b.in))}
		}
		run = a.stepLine(b, p)
		msg = fmt.Sprintf("`%s` runs after `%s`, so any source change downloads every dependency again: copy %s and run `%s` before the source copy",
			cmdText(p.step.cmd), shortText(a.f, b.in), manifestNames(p.files), strings.Join(p.step.t.step.argv, " "))
		if p.step.t.eco != "dotnet" && lastStage(a.f, b.in.Stage) && !hasCacheMount(p.run) {
			p.addUnsafe(fmt.Sprintf("`%s` may download more than the build uses (test-only dependencies), into the final image", strings.Join(p.step.t.step.argv, " ")))
		}
	} else {
		run = a.noProjectRun(p)
		var flags []string
		for _, ta := range p.tools {
			flags = append(flags, ta.t.noProject...)
		}
		msg = fmt.Sprintf("%s runs after `%s`, so any source change reinstalls every dependency: copy %s and install the dependencies alone (%s) before the source copy",
			installNames([]*plan{p}), shortText(a.f, b.in), manifestNames(p.files), strings.Join(flags, " "))
		if len(flags) == 0 {
			msg = fmt.Sprintf("%s %s after `%s`, so any source change reinstalls every dependency: copy the project's metadata (%s) and run the install on it before the source copy; it installs the dependencies and a project without code, which the install after the source copy replaces",
				installNames([]*plan{p}), runs([]*plan{p}), shortText(a.f, b.in), manifestNames(p.files))
		}
	}
	return &splitResult{offset: b.in.Start, msg: msg, unsafe: p.unsafe, edits: []textedit.Edit{
		{Start: blockStart(b.in), End: blockStart(b.in), Text: lines + run},
	}}
}

// stepLine renders the download step in the build RUN's style, with the
// build's cache mounts so both share one cache.
func (a *analysis) stepLine(b *broad, p *plan) string {
	f := a.f
	var sb strings.Builder
	sb.WriteString(b.in.Indent(f))
	sb.WriteString(sameCase(keyword(f, p.run), "RUN"))
	mounts := p.run.Mounts()
	mi := 0
	for _, fl := range p.run.Flags {
		if fl.Name != "mount" {
			continue
		}
		if mi < len(mounts) && mounts[mi].Type == "cache" {
			sb.WriteString(" ")
			sb.Write(f.Src[fl.Start:fl.End])
		}
		mi++
	}
	sb.WriteString(" " + strings.Join(p.step.t.step.argv, " "))
	sb.WriteString(f.Newline())
	return sb.String()
}

func hasCacheMount(in *parser.Instruction) bool {
	return len(in.CacheMountTargets()) > 0
}

// noProjectRun is the RUN's own text with the dependency-only flags added
// right after each project install's subcommand.
func (a *analysis) noProjectRun(p *plan) string {
	var edits []textedit.Edit
	for _, ta := range p.tools {
		if len(ta.t.noProject) == 0 {
			continue
		}
		for i := 1; i < len(ta.cmd.Args); i++ {
			if v, _ := ta.cmd.Arg(i); v == "install" || v == "sync" || v == "i" {
				_, end := ta.cmd.Span(i)
				edits = append(edits, textedit.Edit{Start: end - p.run.Start, End: end - p.run.Start, Text: " " + strings.Join(ta.t.noProject, " ")})
				break
			}
		}
	}
	text := string(a.f.Src[p.run.Start:p.run.End])
	out, err := textedit.Apply([]byte(text), edits)
	if err != nil {
		return text
	}
	s := string(out)
	if !strings.HasSuffix(s, "\n") {
		s += a.f.Newline()
	}
	return s
}

// declined reports why the install after the copy stays there.
func (a *analysis) declined(b *broad, p *plan) *splitResult {
	what := "the dependency install"
	if len(p.tools) > 0 {
		what = "`" + cmdText(p.tools[0].cmd) + "`"
	}
	return &splitResult{offset: b.in.Start, decline: true, msg: fmt.Sprintf(
		"%s runs after `%s`, so any source change reinstalls every dependency; dockslim leaves it: %s",
		what, shortText(a.f, b.in), p.decline)}
}
