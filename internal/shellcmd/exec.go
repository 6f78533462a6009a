package shellcmd

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/parser"
)

// Shells are the programs whose -c string is a script.
var Shells = []string{"sh", "bash", "ash", "dash", "zsh"}

// ExecScriptIndex returns the index of the script string of an exec-form
// `["sh", "-c", "script"]`, or -1.
func ExecScriptIndex(in *parser.Instruction) int {
	if !in.JSON || len(in.JSONArgs) < 3 || !slices.Contains(Shells, path.Base(in.JSONArgs[0].Value)) {
		return -1
	}
	for i := 1; i < len(in.JSONArgs)-1; i++ {
		a := in.JSONArgs[i].Value
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") {
			return -1
		}
		if strings.Contains(a, "c") {
			return i + 1
		}
	}
	return -1
}

// ExecScript returns the script of an exec-form `["sh", "-c", "script"]`
// when its string is written without escapes, so that its bytes in the
// file are the script's bytes and can be edited; else nil.
func ExecScript(in *parser.Instruction) *parser.Script {
	i := ExecScriptIndex(in)
	if i < 0 {
		return nil
	}
	w := in.JSONArgs[i]
	if w.End-w.Start != len(w.Value)+2 || strings.ContainsAny(w.Value, "\\\"\n") {
		return nil
	}
	if s := parser.ParseShell(w.Value, w.Start+1); s.Err == nil {
		return s
	}
	return nil
}

// AllWithExec is All plus the commands of an exec-form sh -c script that
// ExecScript maps to the file.
func AllWithExec(in *parser.Instruction) []*Command {
	out := All(in)
	if s := ExecScript(in); s != nil {
		out = append(out, Commands(s)...)
	}
	return out
}

// ShellC reports whether cmd is a shell-form `sh -c STRING` that All left
// as it is (its string does not map to the file): Opaque reads it.
func ShellC(cmd *Command) bool {
	if !slices.Contains(Shells, cmd.Name) {
		return false
	}
	for i := 1; i+1 < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok || !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") {
			return false
		}
		if strings.Contains(a, "c") {
			return true
		}
	}
	return false
}

// Opaque returns the commands of `sh -c` strings that cannot be mapped to
// the file (double quotes with escapes or expansions, JSON escapes),
// parsed from their raw text: their offsets are approximate, so they are
// for reading and reporting, never for edits.
func Opaque(in *parser.Instruction) []*Command {
	var out []*Command
	if i := ExecScriptIndex(in); i >= 0 && ExecScript(in) == nil {
		w := in.JSONArgs[i]
		if s := parser.ParseShell(w.Value, w.Start+1); s.Err == nil {
			out = append(out, Commands(s)...)
		}
	}
	for _, cmd := range All(in) {
		if !slices.Contains(Shells, cmd.Name) {
			continue
		}
		for i := 1; i+1 < len(cmd.Args); i++ {
			a, ok := cmd.Arg(i)
			if !ok || !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") {
				break
			}
			if !strings.Contains(a, "c") {
				continue
			}
			start, end := cmd.Span(i + 1)
			raw := cmd.Script.Text[start-cmd.Script.Base : end-cmd.Script.Base]
			if len(raw) >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[len(raw)-1] == raw[0] {
				raw, start = raw[1:len(raw)-1], start+1
			}
			if s := parser.ParseShell(raw, start); s.Err == nil {
				out = append(out, Commands(s)...)
			}
			break
		}
	}
	return out
}
