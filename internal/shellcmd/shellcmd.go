// Package shellcmd finds the simple commands a RUN executes, through the
// shell syntax tree: inside &&, ||, ;, pipes, if/for/while/case, subshells,
// { } groups and $(...), behind wrappers (sudo, env, xargs, nice, time,
// command, exec, timeout, python -m) and inside `sh -c '...'` strings.
//
// Everything is read from mvdan.cc/sh trees whose offsets map to the
// Dockerfile (see parser.Script), never from regular expressions.
package shellcmd

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/parser"
	"mvdan.cc/sh/v3/syntax"
)

// Command is one simple command, after wrappers were stripped.
type Command struct {
	Script *parser.Script
	Call   *syntax.CallExpr
	// Stmt is the statement the call is the command of; Top the top-level
	// statement of Script that contains it (the && chain a cleanup joins).
	Stmt, Top *syntax.Stmt
	// Args is argv from the real command on: Args[0] is "pip" in
	// `sudo -E python3 -m pip install x`.
	Args []*syntax.Word
	// Name is the base name of Args[0] ("pip3", "apt-get"), or "" when not literal.
	Name string
	// Assigns are VAR=value prefixes and `env VAR=value` settings.
	Assigns map[string]string
	// Wrappers lists what was stripped, outermost first ("sudo", "sh -c").
	Wrappers []string
	// InSubst is true inside $(...) or backquotes; Nested inside if, loops,
	// subshells, groups or functions; Quoted inside an `sh -c` string.
	InSubst, Nested, Quoted bool
	// Piped is true when the command is a stage of a pipeline.
	Piped bool
}

// Arg returns the literal value of Args[i], if it is literal.
func (c *Command) Arg(i int) (string, bool) {
	if i < 0 || i >= len(c.Args) {
		return "", false
	}
	return WordLit(c.Args[i])
}

// Lits returns the literal values of Args; non-literal words give "".
func (c *Command) Lits() []string {
	out := make([]string, len(c.Args))
	for i := range c.Args {
		out[i], _ = c.Arg(i)
	}
	return out
}

// Span is the Dockerfile span of Args[i].
func (c *Command) Span(i int) (start, end int) { return c.Script.Span(c.Args[i]) }

// End is the Dockerfile offset just past the last argument (or the call).
func (c *Command) End() int {
	if len(c.Args) > 0 {
		return c.Script.Offset(c.Args[len(c.Args)-1].End())
	}
	return c.Script.Offset(c.Call.End())
}

// Has reports whether any argument equals one of the given literals.
func (c *Command) Has(lits ...string) bool {
	for i := 1; i < len(c.Args); i++ {
		v, ok := c.Arg(i)
		if !ok {
			continue
		}
		for _, l := range lits {
			if v == l {
				return true
			}
		}
	}
	return false
}

// WordLit returns the value of a word made only of literal text, plain or
// quoted ("install", 'install', install).
func WordLit(w *syntax.Word) (string, bool) {
	if len(w.Parts) == 1 {
		// Most words are one plain part: return its text without copying
		// (passes ask for every argument of every command, repeatedly).
		switch p := w.Parts[0].(type) {
		case *syntax.Lit:
			if !strings.Contains(p.Value, `\`) {
				return p.Value, true
			}
		case *syntax.SglQuoted:
			if !p.Dollar {
				return p.Value, true
			}
		}
	}
	var sb strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if strings.Contains(p.Value, `\`) {
				sb.WriteString(unescape(p.Value))
			} else {
				sb.WriteString(p.Value)
			}
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			sb.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				sb.WriteString(l.Value)
			}
		default:
			return "", false
		}
	}
	return sb.String(), true
}

func unescape(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

type memoKey struct{}

// Commands returns every simple command of the script, in source order.
// The result is cached on the script and shared: callers must not modify it.
func Commands(s *parser.Script) []*Command {
	if s == nil || s.File == nil {
		return nil
	}
	return s.Memo(memoKey{}, func() any { return commands(s) }).([]*Command)
}

func commands(s *parser.Script) []*Command {
	w := &walker{script: s}
	for _, st := range s.File.Stmts {
		w.top = st
		w.stmt(st, ctx{})
	}
	return w.out
}

// All returns the commands of a RUN instruction: its shell-form script and
// the heredoc scripts it runs.
func All(in *parser.Instruction) []*Command {
	out := append([]*Command(nil), Commands(in.Script)...)
	for _, h := range in.HeredocScripts {
		out = append(out, Commands(h)...)
	}
	return out
}

type ctx struct {
	inSubst, nested, quoted, piped bool
	wrappers                       []string
}

type walker struct {
	script *parser.Script
	top    *syntax.Stmt
	out    []*Command
}

func (w *walker) stmts(sts []*syntax.Stmt, c ctx) {
	for _, st := range sts {
		w.stmt(st, c)
	}
}

func (w *walker) stmt(st *syntax.Stmt, c ctx) {
	if st == nil {
		return
	}
	for _, rd := range st.Redirs {
		w.word(rd.Word, c)
	}
	nested := c
	nested.nested = true
	switch x := st.Cmd.(type) {
	case *syntax.CallExpr:
		for _, a := range x.Assigns {
			if a.Value != nil {
				w.word(a.Value, c)
			}
		}
		for _, a := range x.Args {
			w.word(a, c)
		}
		w.call(st, x, c)
	case *syntax.BinaryCmd:
		if x.Op == syntax.Pipe || x.Op == syntax.PipeAll {
			p := c
			p.piped = true
			w.stmt(x.X, p)
			w.stmt(x.Y, p)
		} else {
			w.stmt(x.X, c)
			w.stmt(x.Y, c)
		}
	case *syntax.Subshell:
		w.stmts(x.Stmts, nested)
	case *syntax.Block:
		w.stmts(x.Stmts, nested)
	case *syntax.IfClause:
		for cl := x; cl != nil; cl = cl.Else {
			w.stmts(cl.Cond, nested)
			w.stmts(cl.Then, nested)
		}
	case *syntax.WhileClause:
		w.stmts(x.Cond, nested)
		w.stmts(x.Do, nested)
	case *syntax.ForClause:
		w.stmts(x.Do, nested)
	case *syntax.CaseClause:
		for _, it := range x.Items {
			w.stmts(it.Stmts, nested)
		}
	case *syntax.FuncDecl:
		w.stmt(x.Body, nested)
	case *syntax.TimeClause:
		w.stmt(x.Stmt, c)
	case *syntax.DeclClause:
		for _, a := range x.Args {
			if a.Value != nil {
				w.word(a.Value, c)
			}
		}
	}
}

// word descends into command substitutions inside a word.
func (w *walker) word(wd *syntax.Word, c ctx) {
	if wd == nil {
		return
	}
	syntax.Walk(wd, func(n syntax.Node) bool {
		if cs, ok := n.(*syntax.CmdSubst); ok {
			sub := c
			sub.inSubst = true
			w.stmts(cs.Stmts, sub)
			return false
		}
		return true
	})
}

func (w *walker) call(st *syntax.Stmt, call *syntax.CallExpr, c ctx) {
	cmd := &Command{
		Script: w.script, Call: call, Stmt: st, Top: w.top,
		Args: call.Args, Assigns: map[string]string{},
		InSubst: c.inSubst, Nested: c.nested, Quoted: c.quoted, Piped: c.piped,
		Wrappers: append([]string(nil), c.wrappers...),
	}
	for _, a := range call.Assigns {
		if a.Name != nil {
			v := ""
			if a.Value != nil {
				v, _ = WordLit(a.Value)
			}
			cmd.Assigns[a.Name.Value] = v
		}
	}
	if inner := unwrap(cmd); inner != nil {
		// `sh -c 'script'`: the string is a script of its own.
		sub := c
		sub.quoted = true
		sub.wrappers = append(append([]string(nil), cmd.Wrappers...), cmd.Name+" -c")
		iw := &walker{script: inner}
		for _, ist := range inner.File.Stmts {
			iw.top = ist
			iw.stmt(ist, sub)
		}
		w.out = append(w.out, iw.out...)
		return
	}
	if len(cmd.Args) > 0 {
		w.out = append(w.out, cmd)
	}
}

// Options of wrappers that take a separate value.
var (
	sudoValueOpts   = []string{"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"}
	envValueOpts    = []string{"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}
	xargsValueOpts  = []string{"-n", "-I", "-P", "-L", "-d", "-a", "-s", "-E", "--max-args", "--max-procs", "--delimiter", "--arg-file", "--max-lines"}
	pythonValueOpts = []string{"-X", "-W", "-c"}
	niceValueOpts   = []string{"-n", "--adjustment"}
)

// unwrap strips wrappers from cmd.Args in place and sets cmd.Name. When the
// command is `sh -c STRING` with a string it can map exactly to the file,
// it returns that string parsed as a script.
func unwrap(cmd *Command) *parser.Script {
	for len(cmd.Args) > 0 {
		name, ok := WordLit(cmd.Args[0])
		if !ok {
			cmd.Name = ""
			return nil
		}
		cmd.Name = path.Base(name)
		skip := 0
		switch cmd.Name {
		case "sudo":
			skip = skipOpts(cmd, 1, sudoValueOpts, false)
		case "env":
			skip = skipOpts(cmd, 1, envValueOpts, true)
		case "xargs":
			skip = skipOpts(cmd, 1, xargsValueOpts, false)
		case "nice":
			skip = skipOpts(cmd, 1, niceValueOpts, false)
		case "nohup", "time", "command", "exec", "builtin":
			skip = skipOpts(cmd, 1, nil, false)
		case "timeout":
			skip = skipOpts(cmd, 1, []string{"-s", "-k", "--signal", "--kill-after"}, false)
			if skip < len(cmd.Args) {
				skip++ // the duration
			}
		case "sh", "bash", "ash", "dash":
			return shellString(cmd)
		default:
			if strings.HasPrefix(cmd.Name, "python") {
				if i := pythonModule(cmd); i > 0 {
					skip = i
				}
			}
		}
		if skip == 0 || skip >= len(cmd.Args) {
			return nil
		}
		if cmd.Name == "python" || strings.HasPrefix(cmd.Name, "python") {
			cmd.Wrappers = append(cmd.Wrappers, cmd.Name+" -m")
		} else {
			cmd.Wrappers = append(cmd.Wrappers, cmd.Name)
		}
		cmd.Args = cmd.Args[skip:]
	}
	return nil
}

// skipOpts returns the index of the first argument after the wrapper's own
// options (and VAR=value words when assigns is true).
func skipOpts(cmd *Command, i int, valueOpts []string, assigns bool) int {
	for i < len(cmd.Args) {
		a, ok := WordLit(cmd.Args[i])
		if !ok {
			return i
		}
		switch {
		case a == "--":
			return i + 1
		case slices.Contains(valueOpts, a):
			i += 2
		case strings.HasPrefix(a, "-") && len(a) > 1:
			i++
		case assigns && strings.Contains(a, "=") && !strings.HasPrefix(a, "="):
			k, v, _ := strings.Cut(a, "=")
			cmd.Assigns[k] = v
			i++
		default:
			return i
		}
	}
	return i
}

// pythonModule returns the index of MODULE in `python [opts] -m MODULE ...`.
func pythonModule(cmd *Command) int {
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := WordLit(cmd.Args[i])
		if !ok {
			return 0
		}
		switch {
		case a == "-m":
			if i+1 < len(cmd.Args) {
				return i + 1
			}
			return 0
		case slices.Contains(pythonValueOpts, a):
			return 0 // -c runs code; -X/-W take values: keep it simple
		case strings.HasPrefix(a, "-"):
			continue
		default:
			return 0
		}
	}
	return 0
}

// shellString parses the STRING of `sh -c STRING` when its bytes in the file
// are exactly the script's bytes: single quotes, or double quotes with no
// expansion or escape.
func shellString(cmd *Command) *parser.Script {
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := WordLit(cmd.Args[i])
		if !ok || !strings.HasPrefix(a, "-") {
			return nil
		}
		if !strings.Contains(a, "c") || strings.HasPrefix(a, "--") {
			continue
		}
		if i+1 >= len(cmd.Args) {
			return nil
		}
		w := cmd.Args[i+1]
		if len(w.Parts) != 1 {
			return nil
		}
		var text string
		switch p := w.Parts[0].(type) {
		case *syntax.SglQuoted:
			if p.Dollar {
				return nil
			}
			text = p.Value
		case *syntax.DblQuoted:
			if p.Dollar || len(p.Parts) > 1 {
				return nil
			}
			if len(p.Parts) == 1 {
				l, ok := p.Parts[0].(*syntax.Lit)
				if !ok || strings.Contains(l.Value, `\`) {
					return nil
				}
				text = l.Value
			}
		default:
			return nil
		}
		base := cmd.Script.Offset(w.Pos()) + 1
		s := parser.ParseShell(text, base)
		if s.Err != nil {
			return nil
		}
		return s
	}
	return nil
}

// IsPip reports whether a command name is pip: pip, pip3, pip3.12 (and
// `python -m pip`, which Commands already presents as Name "pip").
func IsPip(name string) bool {
	rest, ok := strings.CutPrefix(name, "pip")
	return ok && strings.Trim(rest, "0123456789.") == ""
}
