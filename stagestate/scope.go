package stagestate

import (
	"strings"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/shellcmd"
	"mvdan.cc/sh/v3/syntax"
)

// Scope answers what a variable holds at a point of a RUN: the command's
// own `VAR=v cmd` prefix, then `export VAR=v` / `VAR=v` statements earlier
// in the same script, then Docker's ENV and ARG of the stage and of the
// stages it is built FROM (a stage FROM another inherits them), then the
// default of a global ARG. It is the one lookup the passes share, so that
// the same word means the same thing to all of them.
type Scope struct {
	File *parser.File
	In   *parser.Instruction
}

// Lookup returns the value of name in cmd's environment: its own
// `NAME=v cmd` prefix first.
func (s Scope) Lookup(cmd *shellcmd.Command, name string) (string, bool) {
	if v, ok := cmd.Assigns[name]; ok {
		return v, true
	}
	return s.valueAt(cmd, name, cmd.Script.Offset(cmd.Call.Pos()), 0)
}

// valueAt is the value of name at offset at of cmd's script. A command's
// own prefix assignments are not seen by its words (`X=1 echo $X`).
func (s Scope) valueAt(cmd *shellcmd.Command, name string, at, depth int) (string, bool) {
	if depth > 8 {
		return "", false
	}
	if w, wat, ok := scriptAssign(cmd.Script, name, at); ok {
		if w == nil {
			return "", true
		}
		return s.expand(cmd, w, wat, depth+1)
	}
	return s.docker(name)
}

// docker is Docker's own view: ENV and ARG before the instruction, along
// the stage chain, then global ARG defaults.
func (s Scope) docker(name string) (string, bool) {
	if s.In == nil {
		return "", false
	}
	st, limit := s.In.Stage, s.In.Index
	seen := map[*parser.Stage]bool{}
	for st != nil && !seen[st] {
		seen[st] = true
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			p := st.Instructions[i]
			if p.Index >= limit {
				continue
			}
			for _, kv := range p.EnvPairs() {
				if kv[0] == name {
					return kv[1], true
				}
			}
			if _, defs := p.ArgDefs(); defs != nil {
				if d, found := defs[name]; found {
					if d != nil {
						return *d, true
					}
					if g, ok := s.File.MetaArg(name); ok && g != nil {
						return *g, true
					}
					return "", false // a build argument without a default: unknown
				}
			}
		}
		st, limit = st.Base.StageRef, len(s.File.Instructions)
	}
	return "", false
}

// scriptAssign finds the last `NAME=value` or `export NAME=value` that
// ends before off in the script, at any depth; w is nil for `export NAME`
// without a value.
func scriptAssign(sc *parser.Script, name string, off int) (w *syntax.Word, at int, ok bool) {
	if sc == nil || sc.File == nil {
		return nil, 0, false
	}
	syntax.Walk(sc.File, func(n syntax.Node) bool {
		var as []*syntax.Assign
		switch x := n.(type) {
		case *syntax.DeclClause:
			as = x.Args
		case *syntax.CallExpr:
			if len(x.Args) == 0 {
				as = x.Assigns
			}
		}
		for _, a := range as {
			if a.Name == nil || a.Name.Value != name || sc.Offset(a.End()) > off {
				continue
			}
			w, at, ok = a.Value, sc.Offset(a.Pos()), true
		}
		return true
	})
	return w, at, ok
}

// Word returns the value of a word of cmd with the variables it names
// expanded, when every part is known.
func (s Scope) Word(cmd *shellcmd.Command, w *syntax.Word) (string, bool) {
	return s.expand(cmd, w, cmd.Script.Offset(w.Pos()), 0)
}

func (s Scope) expand(cmd *shellcmd.Command, w *syntax.Word, at int, depth int) (string, bool) {
	if v, ok := shellcmd.WordLit(w); ok {
		return v, true
	}
	var sb strings.Builder
	var part func(p syntax.WordPart) bool
	part = func(p syntax.WordPart) bool {
		switch x := p.(type) {
		case *syntax.Lit:
			sb.WriteString(x.Value)
		case *syntax.SglQuoted:
			if x.Dollar {
				return false
			}
			sb.WriteString(x.Value)
		case *syntax.DblQuoted:
			for _, q := range x.Parts {
				if !part(q) {
					return false
				}
			}
		case *syntax.ParamExp:
			if x.Param == nil || x.Excl || x.Length || x.Width || x.Index != nil || x.Slice != nil || x.Repl != nil || x.Names != 0 {
				return false
			}
			v, ok := s.valueAt(cmd, x.Param.Value, at, depth)
			if x.Exp != nil {
				switch x.Exp.Op {
				case syntax.DefaultUnset, syntax.DefaultUnsetOrNull:
					if !ok || (v == "" && x.Exp.Op == syntax.DefaultUnsetOrNull) {
						if x.Exp.Word == nil {
							v, ok = "", true
						} else {
							v, ok = s.expand(cmd, x.Exp.Word, at, depth+1)
						}
					}
				default:
					return false
				}
			}
			if !ok {
				return false
			}
			sb.WriteString(v)
		default:
			return false
		}
		return true
	}
	if depth > 8 {
		return "", false
	}
	for _, p := range w.Parts {
		if !part(p) {
			return "", false
		}
	}
	return sb.String(), true
}
