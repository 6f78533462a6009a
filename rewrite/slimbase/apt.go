package slimbase

import (
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// aptInstall is an `apt-get install` (or `apt install`) a stage runs.
type aptInstall struct {
	Stage *parser.Stage
	In    *parser.Instruction
	Cmd   *shellcmd.Command // nil in exec form
	Off   int
	Pkgs  []string // package names, versions and architectures stripped
}

// metaPackages lists what a meta package installs, as far as the
// full-vs-slim table is concerned.
var metaPackages = map[string][]string{
	"build-essential": {"gcc", "g++", "make", "dpkg-dev", "libc6-dev", "cpp", "binutils", "patch"},
}

// aptInstalls lists the apt installs of the stages, from the stage model.
func aptInstalls(f *parser.File, stages []*parser.Stage) []aptInstall {
	m := stagestate.Of(f)
	var out []aptInstall
	for _, st := range stages {
		for _, in := range st.Instructions {
			r := m.Run(in)
			if r == nil || in.Sub != "" {
				continue
			}
			for _, ins := range r.Installs {
				if ins.Opaque {
					continue
				}
				out = append(out, aptInstall{Stage: st, In: in, Cmd: ins.Cmd, Off: ins.Start, Pkgs: ins.Packages})
			}
		}
	}
	return out
}

// installedBefore reports whether pkg is apt-installed (directly or by a
// meta package) in stage st or in the swapped stage root, before offset off.
func installedBefore(installs []aptInstall, root, st *parser.Stage, off int, pkg string) bool {
	for _, ai := range installs {
		if ai.Off >= off || ai.Stage != st && ai.Stage != root {
			continue
		}
		for _, p := range ai.Pkgs {
			if p == pkg || slices.Contains(metaPackages[p], pkg) {
				return true
			}
		}
	}
	return false
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
