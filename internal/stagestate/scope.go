package stagestate

import (
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"mvdan.cc/sh/v3/syntax"
)

// Scope answers what a variable holds for a command of a RUN. It is the
// one lookup every pass uses, so that the same word means the same thing
// to all of them. In order of precedence:
//   - the command's own `VAR=value cmd` (and `env VAR=value`) prefix, for
//     what its process sees in its environment (not for its own words: the
//     shell expands them before it assigns the prefix);
//   - what the statements before the command in the same shell set
//     (`export VAR=…`, `VAR=…`, `unset VAR`, `set -a`, `declare -x`; see
//     shellScope for which statements count);
//   - Docker's ENV of the stage chain (a stage FROM another inherits its
//     ENV) and the ARGs of the stage itself (ARGs do not cross FROM; a
//     stage ARG without a default takes the global ARG's).
type Scope struct {
	File *parser.File
	In   *parser.Instruction
}

// Env returns what the command's process sees in its environment under
// name: a shell variable counts only when it is exported (export, declare
// -x, set -a, or a variable that ENV/ARG already put in the environment).
// prefix are the command's own assignments (nil for none); cmd is nil for
// exec form. The value is as written (it may hold $references).
func (s Scope) Env(cmd *shellcmd.Command, prefix map[string]string, name string) (string, bool) {
	if v, ok := prefix[name]; ok {
		return v, true
	}
	return s.lookup(cmd, name, true)
}

// Var returns what $name expands to in cmd's words.
func (s Scope) Var(cmd *shellcmd.Command, name string) (string, bool) {
	return s.lookup(cmd, name, false)
}

func (s Scope) lookup(cmd *shellcmd.Command, name string, env bool) (string, bool) {
	if cmd != nil {
		sc := shellScope(cmd)
		v, seen := sc.vars[name]
		switch {
		case !seen:
		case v == nil:
			// `export VAR` without a value: Docker's value, exported.
		case !v.set:
			return "", false // unset
		default:
			if !env || v.exported {
				return v.val, true
			}
			if _, docker := s.Docker(name); docker {
				return v.val, true // already in the environment
			}
			return "", false // a shell variable the command does not see
		}
	}
	return s.Docker(name)
}

// Docker returns the variable as Docker sets it for the instruction: ENV
// along the stage chain, the stage's own ARGs (with the global default for
// an ARG declared without one).
func (s Scope) Docker(name string) (string, bool) {
	if s.In == nil {
		return "", false
	}
	st, limit := s.In.Stage, s.In.Index
	argsInScope := true // ARGs do not cross FROM; ENV does
	seen := map[*parser.Stage]bool{}
	for st != nil && !seen[st] {
		seen[st] = true
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			p := st.Instructions[i]
			if p.Index >= limit {
				continue
			}
			for j := len(p.EnvPairs()) - 1; j >= 0; j-- {
				if kv := p.EnvPairs()[j]; kv[0] == name {
					return kv[1], true
				}
			}
			if !argsInScope {
				continue
			}
			if _, defs := p.ArgDefs(); defs != nil {
				if d, found := defs[name]; found {
					if d != nil {
						return *d, true
					}
					if g, ok := s.File.MetaArg(name); ok && g != nil {
						return *g, true
					}
				}
			}
		}
		st, limit, argsInScope = st.Base.StageRef, len(s.File.Instructions), false
	}
	return "", false
}

// Word returns the value of a word of cmd as the shell expands it, when
// it is literal or only holds $VAR/${VAR}/${VAR:-default} references whose
// values the scope knows and are literal themselves (no globbing: a `*`
// stays in the value).
func (s Scope) Word(cmd *shellcmd.Command, w *syntax.Word) (string, bool) {
	if w == nil {
		return "", false
	}
	if v, ok := shellcmd.WordLit(w); ok {
		return v, true
	}
	var b strings.Builder
	var parts func(ps []syntax.WordPart) bool
	parts = func(ps []syntax.WordPart) bool {
		for _, p := range ps {
			switch x := p.(type) {
			case *syntax.Lit:
				b.WriteString(x.Value)
			case *syntax.SglQuoted:
				if x.Dollar {
					return false
				}
				b.WriteString(x.Value)
			case *syntax.DblQuoted:
				if x.Dollar || !parts(x.Parts) {
					return false
				}
			case *syntax.ParamExp:
				if x.Param == nil || x.Excl || x.Length || x.Width || x.Index != nil || x.Slice != nil ||
					x.Repl != nil || x.Names != 0 || x.IsSet || x.Flags != nil || x.NestedParam != nil ||
					len(x.Modifiers) > 0 {
					return false
				}
				v, ok := s.Var(cmd, x.Param.Value)
				if x.Exp != nil {
					if x.Exp.Op != syntax.DefaultUnset && x.Exp.Op != syntax.DefaultUnsetOrNull {
						return false
					}
					if !ok || v == "" && x.Exp.Op == syntax.DefaultUnsetOrNull {
						v, ok = "", true
						if x.Exp.Word != nil {
							v, ok = shellcmd.WordLit(x.Exp.Word)
						}
					}
				}
				if !ok || strings.ContainsAny(v, "$`\\\"'") {
					return false
				}
				b.WriteString(v)
			default:
				return false
			}
		}
		return true
	}
	if !parts(w.Parts) {
		return "", false
	}
	return b.String(), true
}

// shVar is a shell variable as an earlier statement of the script left it.
type shVar struct {
	val      string // as written; literal when the word was literal
	set      bool   // false after unset
	exported bool
}

// shScope is the state of the shell's variables right before a command.
type shScope struct {
	vars      map[string]*shVar
	allexport bool // set -a
}

// shellScope returns the variables that the statements of cmd's script set
// before cmd runs, in the shell that runs cmd: statements in the same
// shell (&& and ; chains, { } groups, the enclosing subshells and the
// branch of an if/case/loop that contains cmd) count; subshells, pipeline
// stages, background jobs and the bodies of other compound commands that
// ended before cmd do not (what they set is lost, or only conditional).
// Memoized per command.
func shellScope(cmd *shellcmd.Command) *shScope {
	if cmd == nil || cmd.Script == nil || cmd.Script.File == nil || cmd.Call == nil {
		return &shScope{vars: map[string]*shVar{}}
	}
	return cmd.Script.Memo(scopeKey{cmd.Call}, func() any {
		sc := &shScope{vars: map[string]*shVar{}}
		sc.walk(cmd.Script, cmd.Script.File.Stmts, cmd.Call.Pos().Offset())
		return sc
	}).(*shScope)
}

type scopeKey struct{ call *syntax.CallExpr }

func contains(n syntax.Node, off uint) bool {
	return n.Pos().Offset() <= off && off < n.End().Offset()
}

func anyContains(sts []*syntax.Stmt, off uint) bool {
	for _, st := range sts {
		if contains(st, off) {
			return true
		}
	}
	return false
}

// walk applies the statements that end before off and descends into the
// one that contains it; it reports whether it reached off.
func (sc *shScope) walk(s *parser.Script, sts []*syntax.Stmt, off uint) bool {
	for _, st := range sts {
		if contains(st, off) {
			sc.descend(s, st, off)
			return true
		}
		if st.Pos().Offset() > off {
			return true
		}
		sc.apply(s, st)
	}
	return false
}

func (sc *shScope) descend(s *parser.Script, st *syntax.Stmt, off uint) {
	switch x := st.Cmd.(type) {
	case *syntax.BinaryCmd:
		if x.Op == syntax.Pipe || x.Op == syntax.PipeAll {
			// Each stage is a subshell of the state before the pipeline.
			for _, y := range []*syntax.Stmt{x.X, x.Y} {
				if contains(y, off) {
					sc.descend(s, y, off)
				}
			}
			return
		}
		sc.walk(s, []*syntax.Stmt{x.X, x.Y}, off)
	case *syntax.Subshell:
		sc.walk(s, x.Stmts, off)
	case *syntax.Block:
		sc.walk(s, x.Stmts, off)
	case *syntax.IfClause:
		// The conditions up to the branch of cmd ran; other branches did not.
		for cl := x; cl != nil; cl = cl.Else {
			if sc.walk(s, cl.Cond, off) {
				return
			}
			if anyContains(cl.Then, off) {
				sc.walk(s, cl.Then, off)
				return
			}
		}
	case *syntax.WhileClause:
		if !sc.walk(s, x.Cond, off) {
			sc.walk(s, x.Do, off)
		}
	case *syntax.ForClause:
		sc.walk(s, x.Do, off)
	case *syntax.CaseClause:
		for _, it := range x.Items {
			if anyContains(it.Stmts, off) {
				sc.walk(s, it.Stmts, off)
				return
			}
		}
	case *syntax.FuncDecl:
		sc.descend(s, x.Body, off)
	case *syntax.TimeClause:
		if x.Stmt != nil {
			sc.descend(s, x.Stmt, off)
		}
	}
}

// apply records what a statement that ran before the command set.
func (sc *shScope) apply(s *parser.Script, st *syntax.Stmt) {
	if st == nil || st.Background || st.Coprocess {
		return
	}
	switch x := st.Cmd.(type) {
	case *syntax.CallExpr:
		if len(x.Args) == 0 {
			for _, a := range x.Assigns {
				sc.assign(s, a, false)
			}
			return
		}
		name, _ := shellcmd.WordLit(x.Args[0])
		switch name {
		case "unset":
			for _, w := range x.Args[1:] {
				if v, ok := shellcmd.WordLit(w); ok && !strings.HasPrefix(v, "-") {
					sc.vars[v] = &shVar{}
				}
			}
		case "set":
			for i, w := range x.Args[1:] {
				v, _ := shellcmd.WordLit(w)
				switch {
				case v == "-o" || v == "+o":
					if n, _ := shellcmd.WordLit(argAt(x.Args, i+2)); n == "allexport" {
						sc.allexport = v == "-o"
					}
				case len(v) > 1 && v[0] == '-' && v[1] != '-' && strings.Contains(v, "a"):
					sc.allexport = true
				case len(v) > 1 && v[0] == '+' && strings.Contains(v, "a"):
					sc.allexport = false
				}
			}
		}
	case *syntax.DeclClause:
		export := x.Variant.Value == "export"
		if x.Variant.Value == "declare" || x.Variant.Value == "typeset" {
			for _, a := range x.Args {
				if a.Name == nil && a.Value != nil {
					if v, ok := shellcmd.WordLit(a.Value); ok && strings.HasPrefix(v, "-") && strings.Contains(v, "x") {
						export = true
					}
				}
			}
		} else if !export && x.Variant.Value != "readonly" {
			return // local, nameref
		}
		for _, a := range x.Args {
			if a.Name == nil {
				continue
			}
			if a.Naked {
				if export {
					if v := sc.vars[a.Name.Value]; v != nil {
						v.exported = true
					} else {
						// Only marks it: the value is Docker's, if any.
						sc.vars[a.Name.Value] = nil
					}
				}
				continue
			}
			sc.assign(s, a, export)
		}
	case *syntax.BinaryCmd:
		if x.Op == syntax.AndStmt || x.Op == syntax.OrStmt {
			sc.apply(s, x.X)
			sc.apply(s, x.Y)
		}
	case *syntax.Block:
		for _, y := range x.Stmts {
			sc.apply(s, y)
		}
	}
}

func argAt(ws []*syntax.Word, i int) *syntax.Word {
	if i < len(ws) {
		return ws[i]
	}
	return nil
}

func (sc *shScope) assign(s *parser.Script, a *syntax.Assign, export bool) {
	if a.Name == nil {
		return
	}
	name := a.Name.Value
	old, had := sc.vars[name]
	v := &shVar{set: true, exported: export || sc.allexport || had && (old == nil || old.exported)}
	switch {
	case a.Array != nil || a.Index != nil:
		v.val = rawNode(s, a)
	case a.Value == nil:
		v.val = ""
	default:
		if lit, ok := shellcmd.WordLit(a.Value); ok {
			v.val = lit
		} else {
			v.val = rawNode(s, a.Value)
		}
	}
	if a.Append {
		v.val = "${" + name + "}" + v.val
	}
	sc.vars[name] = v
}

func rawNode(s *parser.Script, n syntax.Node) string {
	start, end := s.Span(n)
	return s.Text[start-s.Base : end-s.Base]
}
