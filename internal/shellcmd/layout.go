package shellcmd

import (
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"mvdan.cc/sh/v3/syntax"
)

// AppendToChain returns an edit that runs text after the top-level
// statement that holds cmd, joined with &&, in the layout of the chain's own
// last && (same line, or a new ` \` line with the same indentation and
// operator placement). ok is false when the statement cannot take it
// (backgrounded, or it ends in a heredoc).
func AppendToChain(f *parser.File, cmd *Command, text string) (textedit.Edit, bool) {
	top := cmd.Top
	if top == nil || top.Background || top.Coprocess {
		return textedit.Edit{}, false
	}
	if hasHeredoc(top) {
		return textedit.Edit{}, false
	}
	end := stmtEnd(cmd.Script, top)
	sep := chainSeparator(f, cmd.Script, top)
	return textedit.Edit{Start: end, End: end, Text: sep + text}, true
}

// InsertBeforeChain returns an edit that runs text before the top-level
// statement that holds cmd, joined with &&, in the chain's layout.
func InsertBeforeChain(f *parser.File, cmd *Command, text string) (textedit.Edit, bool) {
	top := cmd.Top
	if top == nil {
		return textedit.Edit{}, false
	}
	start := cmd.Script.Offset(top.Pos())
	sep := chainSeparator(f, cmd.Script, top)
	return textedit.Edit{Start: start, End: start, Text: text + sep}, true
}

// stmtEnd is the end of a statement without its ';'.
func stmtEnd(s *parser.Script, st *syntax.Stmt) int {
	if st.Semicolon.IsValid() {
		end := st.Semicolon
		// trailing blanks before ';' belong to the statement's layout
		off := s.Offset(end)
		for off > s.Base && (s.Text[off-s.Base-1] == ' ' || s.Text[off-s.Base-1] == '\t') {
			off--
		}
		return off
	}
	return s.Offset(st.End())
}

func hasHeredoc(st *syntax.Stmt) bool {
	found := false
	syntax.Walk(st, func(n syntax.Node) bool {
		if rd, ok := n.(*syntax.Redirect); ok && (rd.Op == syntax.Hdoc || rd.Op == syntax.DashHdoc) {
			found = true
		}
		return !found
	})
	return found
}

// chainSeparator is the text between the last two commands of the && / ||
// chain of st, with Docker-only comment and blank lines removed; " && " when
// the statement is a single command.
func chainSeparator(f *parser.File, s *parser.Script, st *syntax.Stmt) string {
	bin, ok := st.Cmd.(*syntax.BinaryCmd)
	if !ok || (bin.Op != syntax.AndStmt && bin.Op != syntax.OrStmt) {
		return " && "
	}
	from := s.Offset(bin.X.End())
	if bin.X.Semicolon.IsValid() {
		from = s.Offset(bin.X.Semicolon) + 1
	}
	to := s.Offset(bin.Y.Pos())
	if from < 0 || to > len(f.Src) || from > to {
		return " && "
	}
	sep := string(f.Src[from:to])
	if bin.Op == syntax.OrStmt {
		sep = strings.Replace(sep, "||", "&&", 1)
	}
	return LayoutSeparator(sep)
}

// LayoutSeparator cleans the source text between two words or commands for
// reuse as a separator: it keeps the first line (up to the continuation)
// and the last (indentation, operator) and drops the comment and blank lines
// inside the continuation, which Docker removes. One-line text is returned
// as is.
func LayoutSeparator(between string) string {
	if !strings.Contains(between, "\n") {
		return between
	}
	lines := strings.SplitAfter(between, "\n")
	var kept []string
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if i > 0 && i < len(lines)-1 && (t == "" || strings.HasPrefix(t, "#")) {
			continue
		}
		kept = append(kept, l)
	}
	return strings.Join(kept, "")
}
