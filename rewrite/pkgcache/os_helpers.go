package pkgcache

// Helpers shared by the OS package-manager passes (apt, apk, yum/dnf,
// zypper) and the layer-cleanup and archive passes. Paths, mounts and
// removals are in paths.go, the edits the passes make in edits.go.

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
	"mvdan.cc/sh/v3/syntax"
)

// osCall is one run of a package manager (shellcmd.Call, any RUN form),
// with the index of its subcommand.
type osCall struct {
	shellcmd.Call
	// Sub is the index of the subcommand ("install") in Lits, or -1.
	Sub int
}

// osRuns yields the RUNs of f that call a package manager (isName names
// it), with those calls.
func osRuns(f *parser.File, isName func(string) bool, valueOpts []string) iter.Seq2[*parser.Instruction, []*osCall] {
	return func(yield func(*parser.Instruction, []*osCall) bool) {
		for _, in := range f.Instructions {
			if !in.Is("run") {
				continue
			}
			if calls := osCalls(in, isName, valueOpts); len(calls) > 0 && !yield(in, calls) {
				return
			}
		}
	}
}

// osCalls returns the runs of the programs accepted by isName in the RUN
// in, in source order. valueOpts are the program's options that take a
// separate value (they may come before the subcommand).
func osCalls(in *parser.Instruction, isName func(string) bool, valueOpts []string) []*osCall {
	var out []*osCall
	for _, c := range shellcmd.Calls(in) {
		if isName(c.Name) {
			out = append(out, &osCall{Call: *c, Sub: shellcmd.SubcommandIndex(c.Lits, c.Lit, valueOpts)})
		}
	}
	return out
}

// osFix reports the call's finding with a safe fix, or without one when the
// call is opaque.
func (c *osCall) osFix(ctx *rewrite.Context, r *rewrite.Rule, off int, edits []textedit.Edit, format string, args ...any) {
	if c.Opaque {
		ctx.Reportf(r, off, format+" (it runs inside an sh -c string that dockslim cannot edit: change it by hand)", args...)
		return
	}
	osFix(ctx, r, rewrite.Safe, off, edits, format, args...)
}

// anyOpaque reports whether one of the calls is opaque.
func anyOpaque(calls []*osCall) bool {
	return slices.ContainsFunc(calls, func(c *osCall) bool { return c.Opaque })
}

var osShells = shellcmd.Shells

// allCmds is shellcmd.All plus the commands of an exec-form
// RUN ["sh", "-c", "script"] whose string maps exactly to the file.
func allCmds(in *parser.Instruction) []*shellcmd.Command { return shellcmd.AllWithExec(in) }

// Subcmd is the subcommand's literal value, or "".
func (c *osCall) Subcmd() string { return c.arg(c.Sub) }

// arg is the literal value of argument i, or "" when it is missing or not literal.
func (c *osCall) arg(i int) string {
	if i < 0 || i >= len(c.Lits) || !c.Lit[i] {
		return ""
	}
	return c.Lits[i]
}

// Start is the Dockerfile offset of argument i.
func (c *osCall) Start(i int) int {
	if c.Cmd == nil {
		return c.In.JSONArgs[i].Start
	}
	s, _ := c.Cmd.Span(i)
	return s
}

// End is the Dockerfile offset just past argument i.
func (c *osCall) End(i int) int {
	if c.Cmd == nil {
		return c.In.JSONArgs[i].End
	}
	_, e := c.Cmd.Span(i)
	return e
}

// InsertAfter adds word as a new argument right after argument i.
func (c *osCall) InsertAfter(f *parser.File, i int, word string) []textedit.Edit {
	if c.Cmd == nil {
		return JSONInsertAfter(f, c.In, i, word)
	}
	return InsertAt(c.End(i), " "+word)
}

// RemoveArg deletes argument i (i > 0) with the blanks before it.
func (c *osCall) RemoveArg(i int) []textedit.Edit {
	return []textedit.Edit{{Start: c.End(i - 1), End: c.End(i)}}
}

// Any reports whether a literal argument after the program name satisfies pred.
func (c *osCall) Any(pred func(string) bool) bool {
	for i := 1; i < len(c.Lits); i++ {
		if c.Lit[i] && pred(c.Lits[i]) {
			return true
		}
	}
	return false
}

// HasArg reports whether one of the literal arguments is one of xs.
func (c *osCall) HasArg(xs ...string) bool {
	return c.Any(func(a string) bool { return slices.Contains(xs, a) })
}

// sudoPrefix is "sudo " when the call ran behind sudo inside its own
// script, so that a cleanup appended after it has the same rights. (In
// `sudo sh -c '...'` the whole inner script already runs as root.)
func sudoPrefix(cmd *shellcmd.Command) string {
	if cmd == nil {
		return ""
	}
	for i := len(cmd.Wrappers) - 1; i >= 0; i-- {
		switch w := cmd.Wrappers[i]; {
		case w == "sudo":
			return "sudo "
		case strings.HasSuffix(w, " -c"):
			return ""
		}
	}
	return ""
}

// cannotAppend says why a cleanup cannot be appended after the call.
func (c *osCall) cannotAppend() string {
	if c.Opaque {
		return "it runs inside an sh -c string that dockslim cannot edit"
	}
	return "this RUN cannot take a cleanup command after it"
}

// shortCluster returns the letters of a single-dash option word ("-qy"
// gives "qy"), or "" for anything else.
func shortCluster(a string) string {
	if len(a) < 2 || a[0] != '-' || a[1] == '-' {
		return ""
	}
	return a[1:]
}

// osFix reports a finding whose fix has the given applicability.
func osFix(c *rewrite.Context, r *rewrite.Rule, app rewrite.Applicability, off int, edits []textedit.Edit, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.Report(rewrite.Finding{Rule: r, Offset: off, Message: msg,
		Fix: &rewrite.Fix{Applicability: app, Description: msg, Edits: edits}})
}

// ---- instructions and stages ----

// stageHistory returns the instructions that run before in, in build
// order: those of the stages its stage builds FROM, then those of its own
// stage before it.
func stageHistory(in *parser.Instruction) []*parser.Instruction {
	var chain []*parser.Stage
	seen := map[*parser.Stage]bool{}
	for st := in.Stage; st != nil && !seen[st]; st = st.Base.StageRef {
		seen[st] = true
		chain = append(chain, st)
	}
	var out []*parser.Instruction
	for i := len(chain) - 1; i >= 0; i-- {
		for _, p := range chain[i].Instructions {
			if p.Index < in.Index || chain[i] != in.Stage {
				out = append(out, p)
			}
		}
	}
	return out
}

// osConfigured reports whether a RUN before in (or in itself) has a literal
// word containing key, such as an echo that writes
// `APT::Install-Recommends "false";` into apt's configuration.
func osConfigured(in *parser.Instruction, key string) bool {
	for _, p := range append(stageHistory(in), in) {
		if !p.Is("run") {
			continue
		}
		for _, cmd := range allCmds(p) {
			for i := range cmd.Args {
				if v, ok := cmd.Arg(i); ok && strings.Contains(strings.ToLower(v), strings.ToLower(key)) {
					return true
				}
			}
		}
	}
	return false
}

// metadataOnly is the set of instructions that cannot read or change files
// nor the environment a RUN sees; a RUN may move across them.
var metadataOnly = []string{"label", "expose", "maintainer", "stopsignal"}

// deleteInstruction removes an instruction, the comment lines right above
// it, and one of the blank lines around it when it sat between two.
func deleteInstruction(f *parser.File, in *parser.Instruction) textedit.Edit {
	start := in.Start
	if len(in.Comments) > 0 {
		start = in.Comments[0].Start
	}
	end := in.End
	first, _ := f.Position(start)
	if first > 1 && strings.TrimSpace(f.Line(first-1)) == "" {
		if end >= len(f.Src) {
			start = f.LineStart(first - 1) // no trailing blank line at the end
		} else if next, _ := f.Position(end); strings.TrimSpace(f.Line(next)) == "" {
			end = f.LineEnd(next)
		}
	}
	return textedit.Edit{Start: start, End: end}
}

// canMount reports whether RUN --mount may be added to the file: BuildKit
// (and buildah) read it, except through a `# syntax=` frontend older than
// docker/dockerfile:1.2 and on Windows (the backtick escape is the sign).
func canMount(f *parser.File) bool {
	if f.Escape == '`' {
		return false
	}
	for _, d := range f.Directives {
		if !strings.EqualFold(d.Name, "syntax") {
			continue
		}
		_, tag, _ := strings.Cut(d.Value, ":")
		tag, _, _ = strings.Cut(tag, "@")
		if strings.Contains(tag, "experimental") {
			continue
		}
		if tag == "1.0" || tag == "1.1" || strings.HasPrefix(tag, "1.0.") || strings.HasPrefix(tag, "1.1.") {
			return false
		}
	}
	return true
}

// ---- shell chains ----

// andLeaves flattens a statement that is an && chain into the statements
// of its commands; ok is false when the chain has another operator (||).
func andLeaves(st *syntax.Stmt) (leaves []*syntax.Stmt, ok bool) {
	bin, isBin := st.Cmd.(*syntax.BinaryCmd)
	if !isBin || bin.Op == syntax.Pipe || bin.Op == syntax.PipeAll {
		return []*syntax.Stmt{st}, true
	}
	if bin.Op != syntax.AndStmt || st.Negated || len(st.Redirs) > 0 {
		return nil, false
	}
	l, okl := andLeaves(bin.X)
	r, okr := andLeaves(bin.Y)
	return append(l, r...), okl && okr
}

// hasCommentLine reports whether text spans a line that is a comment
// (Docker removes those inside a continued RUN).
func hasCommentLine(text []byte) bool {
	lines := strings.Split(string(text), "\n")
	for _, l := range lines[1:] {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			return true
		}
	}
	return false
}

// removeCommands returns edits that take the given commands out of their
// && chains, keeping the chain's own layout: a command and the joint before
// it go (the joint after it, when it is first). ok is false when a command
// is not a plain member of an && chain (inside ||, a pipe, a subshell...),
// when it is the whole script, or when the edit would delete a comment line
// that belongs to a command that stays.
func removeCommands(f *parser.File, cmds []*shellcmd.Command) ([]textedit.Edit, bool) {
	var groups []*dropGroup
	for _, cmd := range cmds {
		if cmd.Top == nil || cmd.InSubst || cmd.Nested || cmd.Piped {
			return nil, false
		}
		var g *dropGroup
		for _, x := range groups {
			if x.top == cmd.Top {
				g = x
			}
		}
		if g == nil {
			g = &dropGroup{script: cmd.Script, top: cmd.Top, drop: map[*syntax.Stmt]bool{}}
			groups = append(groups, g)
		}
		g.drop[cmd.Stmt] = true
	}
	var edits []textedit.Edit
	for _, g := range groups {
		e, ok := g.edits(f)
		if !ok {
			return nil, false
		}
		edits = append(edits, e...)
	}
	return edits, true
}

// dropGroup is the commands to remove from one top-level statement.
type dropGroup struct {
	script *parser.Script
	top    *syntax.Stmt
	drop   map[*syntax.Stmt]bool
}

// edits remove the group's commands from its && chain, or the whole
// statement when they are all of it.
func (g *dropGroup) edits(f *parser.File) ([]textedit.Edit, bool) {
	s := g.script
	leaves, ok := andLeaves(g.top)
	if !ok {
		return nil, false
	}
	found := 0
	for _, l := range leaves {
		if g.drop[l] {
			found++
		}
	}
	if found != len(g.drop) {
		return nil, false // a command is deeper than a chain member
	}
	if found == len(leaves) {
		// The whole statement goes: it must not be the only one.
		stmts := s.File.Stmts
		k := slices.Index(stmts, g.top)
		if k < 0 || len(stmts) < 2 {
			return nil, false
		}
		var e textedit.Edit
		if k < len(stmts)-1 {
			e = textedit.Edit{Start: s.Offset(stmts[k].Pos()), End: s.Offset(stmts[k+1].Pos())}
			if hasCommentLine(f.Src[e.Start:e.End]) {
				return nil, false
			}
		} else {
			e = textedit.Edit{Start: s.Offset(stmts[k-1].End()), End: s.Offset(stmts[k].End())}
		}
		return []textedit.Edit{e}, true
	}
	// Remove each run of dropped leaves.
	var edits []textedit.Edit
	for i := 0; i < len(leaves); {
		if !g.drop[leaves[i]] {
			i++
			continue
		}
		j := i
		for j+1 < len(leaves) && g.drop[leaves[j+1]] {
			j++
		}
		var e textedit.Edit
		if i > 0 {
			e = textedit.Edit{Start: s.Offset(leaves[i-1].End()), End: s.Offset(leaves[j].End())}
		} else {
			e = textedit.Edit{Start: s.Offset(leaves[0].Pos()), End: s.Offset(leaves[j+1].Pos())}
			if hasCommentLine(f.Src[e.Start:e.End]) {
				return nil, false
			}
		}
		edits = append(edits, e)
		i = j + 1
	}
	return edits, true
}

// lastTop is a command value for AppendToChain that stands for the last
// top-level statement of a script.
func lastTop(s *parser.Script) *shellcmd.Command {
	if s == nil || s.File == nil || len(s.File.Stmts) == 0 {
		return nil
	}
	return &shellcmd.Command{Script: s, Top: s.File.Stmts[len(s.File.Stmts)-1]}
}

// stmtText is the Dockerfile text of a statement.
func stmtText(f *parser.File, s *parser.Script, st *syntax.Stmt) string {
	a, b := s.Span(st)
	return string(f.Src[a:b])
}

// changesDir reports whether a command of the RUN changes the working
// directory (after offset from, when from >= 0).
func changesDir(in *parser.Instruction, from int) bool {
	for _, cmd := range allCmds(in) {
		switch cmd.Name {
		case "cd", "pushd", "popd":
			if s, _ := cmd.Span(0); s > from {
				return true
			}
		}
	}
	return false
}
