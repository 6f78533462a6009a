package slimbase

// The edits a swap makes besides the FROM reference: the packages the slim
// image lacks, added to an apt install of the stage or in a new RUN.

import (
	"fmt"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// addPackages installs pkgs in stage st: into its first apt install that
// runs before offset first, or in a new RUN right after its FROM; where
// says which, for the finding.
func addPackages(f *parser.File, installs []aptInstall, st *parser.Stage, first int, pkgs []string) (e textedit.Edit, where string) {
	if ai := installTarget(installs, st, first); ai != nil {
		return appendPackages(f, ai.Cmd, pkgs), fmt.Sprintf("into the apt-get install at line %d", line(f, ai.Off))
	}
	return newAptRun(f, st, pkgs), "in a new RUN after the FROM"
}

// installTarget is the first shell-form apt install of stage st that runs
// before offset first, where packages can be added.
func installTarget(installs []aptInstall, st *parser.Stage, first int) *aptInstall {
	for i := range installs {
		ai := &installs[i]
		if ai.Stage == st && ai.Cmd != nil && ai.In.Sub == "" && ai.Off < first {
			return ai
		}
	}
	return nil
}

// appendPackages adds pkgs at the end of an apt install's package list, in
// its layout: one per line when the last two words are on separate lines.
func appendPackages(f *parser.File, cmd *shellcmd.Command, pkgs []string) textedit.Edit {
	n := len(cmd.Args)
	_, end := cmd.Span(n - 1)
	sep := " "
	if n >= 3 {
		_, pe := cmd.Span(n - 2)
		ls, _ := cmd.Span(n - 1)
		if between := string(f.Src[pe:ls]); strings.Contains(between, "\n") {
			sep = shellcmd.LayoutSeparator(between)
		}
	}
	var sb strings.Builder
	for _, p := range pkgs {
		sb.WriteString(sep + p)
	}
	return textedit.Edit{Start: end, End: end, Text: sb.String()}
}

// newAptRun returns an edit that inserts, right after the FROM of st, a
// well-formed RUN that installs pkgs, in the file's casing and line endings.
func newAptRun(f *parser.File, st *parser.Stage, pkgs []string) textedit.Edit {
	from := st.From
	nl := f.Newline()
	text := from.Indent(f) + keywordCase(f, from, "run") +
		" apt-get update && apt-get install -y --no-install-recommends " + strings.Join(pkgs, " ") +
		" && rm -rf /var/lib/apt/lists/*" + nl
	at := from.End
	if at == len(f.Src) && !strings.HasSuffix(string(f.Src), "\n") {
		text = nl + strings.TrimSuffix(text, nl)
	}
	return textedit.Edit{Start: at, End: at, Text: text}
}
