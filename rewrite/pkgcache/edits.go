package pkgcache

import (
	"encoding/json"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// InsertAt is a single insertion.
func InsertAt(off int, text string) []textedit.Edit {
	return []textedit.Edit{{Start: off, End: off, Text: text}}
}

// JSONInsertAfter inserts a string after element i of an exec-form array,
// with the separator the array already uses between its first two elements.
func JSONInsertAfter(f *parser.File, in *parser.Instruction, i int, value string) []textedit.Edit {
	args := in.JSONArgs
	sep := ", "
	if len(args) >= 2 {
		sep = string(f.Src[args[0].End:args[1].Start])
	}
	q, _ := json.Marshal(value)
	return InsertAt(args[i].End, sep+string(q))
}

// addRunFlags inserts flags into the RUN's flags: after its last flag (so a
// second tool's mount lands after the first one's), or right after `RUN `
// when it has none.
func addRunFlags(in *parser.Instruction, flags string) []textedit.Edit {
	if n := len(in.Flags); n > 0 {
		return InsertAt(in.Flags[n-1].End, " "+flags)
	}
	return InsertAt(in.ArgsStart, flags+" ")
}

// FlagAfter returns the edit that inserts flag right after Args[i].
func (lc *langCmd) FlagAfter(f *parser.File, i int, flag string) []textedit.Edit {
	if lc.Sh == nil {
		return JSONInsertAfter(f, lc.In, lc.jsonOff+i, flag)
	}
	_, end := lc.Sh.Span(i + lc.shOff)
	return InsertAt(end, " "+flag)
}

// addPackages is the edit that adds pkgs after the install's last package,
// in the command's layout; nil when the command cannot take them.
func addPackages(f *parser.File, call *osCall, pkgs []string) []textedit.Edit {
	ops := shellcmd.Apt.Parse(call.Lits, call.Lit).Operands
	if len(ops) == 0 || call.Opaque {
		return nil
	}
	last := ops[len(ops)-1]
	if call.Cmd == nil {
		var edits []textedit.Edit
		for i := len(pkgs) - 1; i >= 0; i-- {
			edits = append(edits, JSONInsertAfter(f, call.In, last, pkgs[i])...)
		}
		return edits
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
	return InsertAt(call.End(last), sep+strings.Join(pkgs, sep))
}

// appendToChain runs text after the top-level statement that holds cmd,
// joined to its && chain in the chain's layout (shellcmd.AppendToChain); ok
// is false when the statement cannot take it.
func appendToChain(f *parser.File, cmd *shellcmd.Command, text string) ([]textedit.Edit, bool) {
	e, ok := shellcmd.AppendToChain(f, cmd, text)
	if !ok {
		return nil, false
	}
	return []textedit.Edit{e}, true
}

// appendCleanup runs cleanup after the call's statement (behind sudo when
// the call ran behind it); ok is false when the call is opaque or its RUN
// cannot take a command after it (cannotAppend says why).
func (c *osCall) appendCleanup(f *parser.File, cleanup string) ([]textedit.Edit, bool) {
	if c.Cmd == nil || c.Opaque {
		return nil, false
	}
	return appendToChain(f, c.Cmd, sudoPrefix(c.Cmd)+cleanup)
}

// moveInto moves the only statement of the RUN from to the end of the RUN
// to (joined to its last && chain) and deletes from; ok is false when that
// chain cannot take it.
func moveInto(f *parser.File, from, to *parser.Instruction) ([]textedit.Edit, bool) {
	edits, ok := appendToChain(f, lastTop(to.Script), stmtText(f, from.Script, from.Script.File.Stmts[0]))
	return append(edits, deleteInstruction(f, from)), ok
}

// insertBeforeChain runs text before the && chain that holds cmd, joined
// with && in the chain's layout (shellcmd.InsertBeforeChain); ok is false
// when the chain cannot take it.
func insertBeforeChain(f *parser.File, cmd *shellcmd.Command, text string) ([]textedit.Edit, bool) {
	e, ok := shellcmd.InsertBeforeChain(f, cmd, text)
	if !ok {
		return nil, false
	}
	return []textedit.Edit{e}, true
}
