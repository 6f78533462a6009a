package parser

import (
	"slices"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Script is shell text inside the Dockerfile parsed as bash. Offsets of
// nodes in File map to Dockerfile offsets with Base+Offset: the text is a
// byte-for-byte view of the Dockerfile (see shellView).
type Script struct {
	Text string
	Base int
	File *syntax.File // nil when Err != nil
	Err  error

	memo map[any]any
}

// Memo returns the value cached under key, computing it once. Passes derive
// the same facts from a script many times (shellcmd's command list); a File
// is used by one goroutine at a time, so no lock is needed.
func (s *Script) Memo(key any, compute func() any) any {
	if v, ok := s.memo[key]; ok {
		return v
	}
	if s.memo == nil {
		s.memo = map[any]any{}
	}
	v := compute()
	s.memo[key] = v
	return v
}

// moved is the script delta bytes further in the file (nil stays nil).
func (s *Script) moved(delta int) *Script {
	if s == nil {
		return nil
	}
	return &Script{Text: s.Text, Base: s.Base + delta, File: s.File, Err: s.Err}
}

// Offset converts a position in the script to an offset in the Dockerfile.
func (s *Script) Offset(p syntax.Pos) int { return s.Base + int(p.Offset()) }

// Span is the Dockerfile span of a node.
func (s *Script) Span(n syntax.Node) (start, end int) {
	return s.Offset(n.Pos()), s.Offset(n.End())
}

// Parsers are reusable and costly to make; files are processed in parallel.
var shParsers = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(true))
}}

func parseScript(text string, base int) *Script {
	s := &Script{Text: text, Base: base}
	p := shParsers.Get().(*syntax.Parser)
	s.File, s.Err = p.Parse(strings.NewReader(text), "")
	shParsers.Put(p)
	if s.Err != nil {
		s.File = nil
	}
	return s
}

// ParseShell parses text as bash with the given base offset; passes use it
// for strings that the shell itself runs (`sh -c '...'`).
func ParseShell(text string, base int) *Script { return parseScript(text, base) }

// shells that read a script from standard input.
var stdinShells = []string{"sh", "bash", "ash", "dash", "zsh"}

// heredocScripts parses the heredoc bodies that Docker or a shell runs as a
// script: `RUN <<EOF` (the body is the command) and `RUN bash <<EOF`.
func (f *File) heredocScripts(main *Script) []*Script {
	if main == nil || main.File == nil {
		return nil
	}
	var out []*Script
	for _, st := range main.File.Stmts {
		runsBody := st.Cmd == nil
		if call, ok := st.Cmd.(*syntax.CallExpr); ok && len(call.Args) == 1 {
			runsBody = slices.Contains(stdinShells, call.Args[0].Lit())
		}
		if !runsBody {
			continue
		}
		for _, rd := range st.Redirs {
			if (rd.Op != syntax.Hdoc && rd.Op != syntax.DashHdoc) || rd.Hdoc == nil {
				continue
			}
			start, end := main.Span(rd.Hdoc)
			if start >= end || end > len(f.Src) {
				continue
			}
			// The word ends past the closing delimiter line; drop that line.
			if nl := strings.LastIndexByte(string(f.Src[start:end]), '\n'); nl >= 0 {
				end = start + nl + 1
			} else {
				continue // an empty body
			}
			out = append(out, parseScript(string(f.Src[start:end]), start))
		}
	}
	return out
}
