package pkgcache

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

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
	edits, ok := last.appendCleanup(c.File, "rm -rf /var/lib/apt/lists/*")
	if !ok || update.Opaque {
		why := last.cannotAppend()
		if update.Opaque {
			why = update.cannotAppend()
		}
		c.Reportf(RuleAptListsCleanup, update.Start(0),
			"%s update leaves its package lists in the layer, and %s; remove /var/lib/apt/lists/* at its end by hand", update.Name, why)
		return
	}
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
		ins, ok := insertBeforeChain(f, op.Cmd, sudoPrefix(op.Cmd)+"apt-get update")
		if !ok {
			return nil, nil, fmt.Sprintf("the RUN at line %d installs with them and its chain cannot take an apt-get update", line)
		}
		edits = append(edits, ins...)
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
	if len(allCmds(in)) != 1 || in.Script == nil || in.Script.File == nil || len(in.Script.File.Stmts) != 1 ||
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
	for _, nc := range aptCalls(next) {
		if nc.Subcmd() != "" {
			first = nc
			break
		}
	}
	if first == nil || (first.Subcmd() != "update" && !slices.Contains(aptDownloading, first.Subcmd())) {
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
	ins, ok := insertBeforeChain(f, first.Cmd, text)
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
	osFix(c, RuleAptUpdateOwnRun, app, call.Start(0), append([]textedit.Edit{del}, ins...),
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
