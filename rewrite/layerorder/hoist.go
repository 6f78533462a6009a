package layerorder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleIndependentFirst is DS302.
var RuleIndependentFirst = &rewrite.Rule{
	ID:      "DS302",
	Name:    "independent-before-source",
	Summary: "work that does not need the source runs after the source copy; move it above",
	Explanation: `Every instruction after COPY . /app runs again whenever any source file
changes. A RUN that does not read the copied files (apt-get install, creating
a user, downloading a tool) then repeats for nothing, often for minutes.

dockslim moves such instructions above the broad copy, keeping their exact
text, their comment lines and their relative order. The decision rests on a
dependency analysis of each instruction: the paths a RUN reads and writes
(from its shell syntax tree, following cd), the WORKDIR it runs in, the ENV
and ARG variables, USER and SHELL. It is conservative: a RUN that reads a
relative path, the working folder, or runs a script or a command dockslim does
not know stays where it is, and so does anything that depends on it. ENV,
ARG, LABEL, EXPOSE and USER lines move along only when a moved RUN comes after
them.`,
	Before: `COPY . /app
RUN apt-get update && apt-get install -y --no-install-recommends libpq5`,
	After: `RUN apt-get update && apt-get install -y --no-install-recommends libpq5
COPY . /app`,
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
}

// HoistPass is the layerorder-hoist pass.
var HoistPass = &rewrite.Pass{Name: "layerorder-hoist", Rules: []*rewrite.Rule{RuleIndependentFirst}, Run: runHoist}

// hoistable are the instructions that may move above the broad copy.
var hoistable = []string{"run", "env", "arg", "label", "expose", "user"}

func runHoist(c *rewrite.Context) {
	a := newAnalysis(c)
	for _, b := range a.firstBroadCopies() {
		a.hoist(c, b)
	}
}

// hoist moves the instructions after the broad copy that do not depend on
// it (nor on anything that stays below it) above it.
func (a *analysis) hoist(c *rewrite.Context, b *broad) {
	m := b.m
	eC := m.Effects(b.in)
	var stayed []Effects
	var moved []*parser.Instruction
	lastRun := 0
	for _, x := range b.in.Stage.Instructions[indexIn(b.in)+1:] {
		ex := m.Effects(x)
		ok := slices.Contains(hoistable, x.Keyword) && !ignores(x, RuleIndependentFirst) && Commute(eC, ex)
		for _, s := range stayed {
			ok = ok && Commute(ex, s)
		}
		if !ok {
			stayed = append(stayed, ex)
			continue
		}
		moved = append(moved, x)
		if x.Keyword == "run" {
			lastRun = len(moved)
		}
	}
	// Metadata moves only to keep its place before a moved RUN.
	moved = moved[:lastRun]
	if len(moved) == 0 {
		return
	}
	var text strings.Builder
	var lines []string
	edits := []textedit.Edit{}
	for _, x := range moved {
		text.WriteString(blockText(a.f, x))
		edits = append(edits, deleteBlock(x))
		lines = append(lines, fmt.Sprint(x.StartLine))
	}
	// The edit rewrites the copy's own block (unchanged) so that it
	// conflicts with DS301's moves of that copy: the driver applies one per round.
	edits = append(edits, textedit.Edit{Start: blockStart(b.in), End: b.in.End,
		Text: text.String() + string(a.f.Src[blockStart(b.in):b.in.End])})
	first := moved[0]
	for _, x := range moved {
		if x.Keyword == "run" {
			first = x
			break
		}
	}
	what := "line " + lines[0]
	if len(lines) > 1 {
		what = "lines " + strings.Join(lines, ", ")
	}
	msg := fmt.Sprintf("`%s` does not use the files `%s` brings, yet runs again after every source change: move %s above the copy",
		shortText(a.f, first), shortText(a.f, b.in), what)
	c.Report(rewrite.Finding{Rule: RuleIndependentFirst, Offset: first.Start, Message: msg,
		Fix: &rewrite.Fix{Applicability: rewrite.Safe, Description: msg, Edits: edits}})
}

// ignores reports whether a `# dockslim ignore` comment above in silences
// the rule: such an instruction stays where it is even when a move of
// others is reported elsewhere.
func ignores(in *parser.Instruction, r *rewrite.Rule) bool {
	for _, c := range in.Comments {
		rest, ok := strings.CutPrefix(c.Text, "dockslim")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if rest == "" || rest == "ignore" {
			return true
		}
		if list, ok := strings.CutPrefix(rest, "ignore="); ok {
			for _, x := range strings.Split(list, ",") {
				x = strings.TrimSpace(x)
				if strings.EqualFold(x, r.ID) || strings.EqualFold(x, r.Name) {
					return true
				}
			}
		}
	}
	return false
}
