package parser

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"mvdan.cc/sh/v3/syntax"
)

// checkInvariants verifies what every model must satisfy; the fuzzer and
// the round-trip tests call it.
func checkInvariants(f *File) error {
	if got := f.Render(); !bytes.Equal(got, f.Src) {
		return fmt.Errorf("render differs from input")
	}
	prev := 0
	for i, in := range f.Instructions {
		if in.Start < prev || in.End < in.Start || in.End > len(f.Src) {
			return fmt.Errorf("instruction %d: bad span [%d,%d) after %d", i, in.Start, in.End, prev)
		}
		prev = in.End
		if in.Start != f.LineStart(in.StartLine) {
			return fmt.Errorf("instruction %d: does not start at its line", i)
		}
		// A keyword may follow blanks and empty continuation lines.
		view, _ := f.shellView(in.Start, in.End)
		text := joinContinuations(trimLeading(string(view), '\\'), '\\')
		// (NUL bytes are junk in a Dockerfile, and the view uses them as padding.)
		if !strings.HasPrefix(strings.ToLower(text), in.Keyword) && !strings.Contains(in.Text(f), "\x00") {
			return fmt.Errorf("instruction %d: text %q does not start with %q", i, firstLine(text), in.Keyword)
		}
		if !(in.Start <= in.ArgsStart && in.ArgsStart <= in.ArgsEnd && in.ArgsEnd <= in.End) {
			return fmt.Errorf("instruction %d: bad args span [%d,%d)", i, in.ArgsStart, in.ArgsEnd)
		}
		for _, fl := range in.Flags {
			if fl.Start < in.Start || fl.End > in.ArgsStart || !bytes.HasPrefix(f.Src[fl.Start:], []byte("--")) {
				return fmt.Errorf("instruction %d: bad flag span for %q", i, fl.Name)
			}
		}
		for _, a := range in.JSONArgs {
			if f.Src[a.Start] != '"' || f.Src[a.End-1] != '"' {
				return fmt.Errorf("instruction %d: bad JSON arg span", i)
			}
		}
		for _, s := range append([]*Script{in.Script}, in.HeredocScripts...) {
			if err := checkScript(f, s); err != nil {
				return fmt.Errorf("instruction %d: %v", i, err)
			}
		}
	}
	return nil
}

// checkScript verifies that every literal word of the script sits at its
// offset in the file (words without line continuations inside).
func checkScript(f *File, s *Script) error {
	if s == nil || s.File == nil {
		return nil
	}
	if s.Base < 0 || s.Base+len(s.Text) > len(f.Src) {
		return fmt.Errorf("script span out of the file")
	}
	// mvdan places an assignment's value right after NAME=, so a NUL or a
	// line continuation inside VAR=value (junk, or `VAR\` + newline + `=x`)
	// shifts it; such assignments are not checked.
	var skip [][2]int
	syntax.Walk(s.File, func(n syntax.Node) bool {
		if a, ok := n.(*syntax.Assign); ok && a.Pos().IsValid() && a.End().IsValid() {
			start, end := s.Span(a)
			if start >= 0 && end <= len(f.Src) && start <= end && strings.ContainsAny(string(f.Src[start:end]), "\x00\n") {
				skip = append(skip, [2]int{start, end})
			}
		}
		return true
	})
	var err error
	syntax.Walk(s.File, func(n syntax.Node) bool {
		lit, ok := n.(*syntax.Lit)
		if !ok || err != nil || !lit.Pos().IsValid() || !lit.End().IsValid() {
			return err == nil
		}
		start, end := s.Span(lit)
		for _, r := range skip {
			if start >= r[0] && start <= r[1] {
				return true
			}
		}
		if start < 0 || end > len(f.Src) || start > end {
			err = fmt.Errorf("literal %q out of range", lit.Value)
			return false
		}
		src := string(f.Src[start:end])
		if !strings.ContainsAny(src, "\\`\r\n\x00") && src != lit.Value {
			err = fmt.Errorf("literal %q maps to %q", lit.Value, src)
		}
		return err == nil
	})
	return err
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// trimLeading drops blanks and empty continuation lines before a keyword.
func trimLeading(s string, esc byte) string {
	for {
		t := strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == 0 })
		if len(t) > 0 && t[0] == esc {
			rest := strings.TrimLeft(strings.TrimLeft(t[1:], " \t"), "\r")
			if strings.HasPrefix(rest, "\n") {
				s = strings.TrimLeft(rest[1:], "\x00")
				continue
			}
		}
		return t
	}
}

// joinContinuations removes escape+newline pairs, as Docker joins lines.
func joinContinuations(s string, esc byte) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == esc && (i == 0 || s[i-1] != esc) {
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			for j < len(s) && s[j] == '\r' {
				j++
			}
			if j < len(s) && s[j] == '\n' {
				for j+1 < len(s) && s[j+1] == 0 { // the view's padding
					j++
				}
				i = j
				continue
			}
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}
