package parser

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// shellView returns a copy of Src[start:end] in which the logical line's
// Dockerfile-only syntax is replaced, byte for byte, by shell-equivalent
// bytes, so that offsets in the view are offsets in the file:
//
//   - a line continuation (escape char, optional blanks, optional \r, \n)
//     becomes `\` + `\n` followed by NUL bytes, which bash reads as a
//     continuation whatever the escape character (its lexer skips NULs);
//   - comment lines and blank lines inside a continuation, which Docker
//     drops, become NULs (their newline too);
//   - the \r of a CRLF line end and a leading BOM become spaces.
//
// Lines after the logical line (heredoc bodies) are copied unchanged.
// logicalEnd is the file offset of the end of the logical line (before its
// line ending).
func (f *File) shellView(start, end int) (view []byte, logicalEnd int) {
	view = append([]byte(nil), f.Src[start:end]...)
	if start == 0 && bytes.HasPrefix(view, []byte("\xef\xbb\xbf")) {
		copy(view, "   ")
	}
	pos := 0
	first := true
	for pos < len(view) {
		nl := bytes.IndexByte(view[pos:], '\n')
		lineEnd := len(view) // past the newline
		if nl >= 0 {
			lineEnd = pos + nl + 1
		}
		content := view[pos:lineEnd]
		content = bytes.TrimRight(content, "\r\n")
		contentEnd := pos + len(content)
		if !first && (isCommentLine(content) || len(bytes.TrimLeft(content, " \t\v\f\r")) == 0) {
			clear(view[pos:lineEnd]) // NULs: invisible to bash, as the line is to Docker
			pos = lineEnd
			continue
		}
		first = false
		trimmed := bytes.TrimRight(content, " \t")
		// As buildkit: a trailing escape char continues the line unless it is
		// itself escaped.
		n := len(trimmed)
		if n > 0 && trimmed[n-1] == f.Escape && (n == 1 || trimmed[n-2] != f.Escape) {
			// Docker drops the escape and the blanks after it; bash drops
			// `\`+newline and ignores NUL bytes, so the blanks become NULs
			// after the newline and words stay joined as Docker joins them.
			esc := pos + len(trimmed) - 1
			if nl >= 0 {
				view[esc] = '\\'
				view[esc+1] = '\n'
				for k := esc + 2; k < lineEnd; k++ {
					view[k] = 0
				}
			} else {
				fill(view[esc:lineEnd])
			}
			pos = lineEnd
			continue
		}
		fill(view[contentEnd:max(contentEnd, lineEnd-1)])
		return view, start + contentEnd
	}
	return view, end
}

func fill(b []byte) {
	for i := range b {
		b[i] = ' '
	}
}

func isCommentLine(line []byte) bool {
	line = bytes.TrimLeft(line, " \t\v\f\r\n")
	return len(line) > 0 && line[0] == '#'
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}

// scanInstruction locates keyword, flags, arguments and scripts of in.
func (f *File) scanInstruction(in *Instruction) {
	view, logicalEnd := f.shellView(in.Start, in.End)
	base := in.Start
	i := 0
	skipSpace := func() {
		for i < len(view) && (isSpace(view[i]) || view[i] == 0 || view[i] == '\\' && i+1 < len(view) && view[i+1] == '\n') {
			i++
		}
	}
	skipWord := func() { // a continuation inside a word joins its halves
		for i < len(view) && (!isSpace(view[i]) || i > 0 && view[i] == '\n' && view[i-1] == '\\') {
			i++
		}
	}
	// buildkit trims any Unicode white space before the keyword.
	for i < len(view) {
		r, size := utf8.DecodeRune(view[i:])
		if !unicode.IsSpace(r) && !(r == '\\' && i+1 < len(view) && view[i+1] == '\n') {
			break
		}
		i += size
	}
	skipWord() // keyword
	skipSpace()
	node := in.Node
	if in.Keyword == "onbuild" && node.Next != nil && len(node.Next.Children) > 0 {
		node = node.Next.Children[0]
		in.Sub = strings.ToLower(node.Value)
		skipSpace()
		skipWord()
		skipSpace()
	}
	in.Flags, i = f.scanFlags(view[:logicalEnd-base], i, base)
	skipSpace()
	i = min(i, logicalEnd-base)
	in.ArgsStart = base + i
	in.ArgsEnd = logicalEnd
	for in.ArgsEnd > in.ArgsStart && isSpace(view[in.ArgsEnd-1-base]) {
		in.ArgsEnd--
	}
	in.JSON = node.Attributes["json"]
	if in.JSON {
		in.JSONArgs = scanJSONArray(view, in.ArgsStart-base, in.ArgsEnd-base, base)
		return
	}
	kw := in.Keyword
	if in.Sub != "" {
		kw = in.Sub
	}
	switch kw {
	case "run", "cmd", "entrypoint":
		in.Script = parseScript(string(view[in.ArgsStart-base:]), in.ArgsStart)
		if kw == "run" && len(in.Heredocs) > 0 {
			in.HeredocScripts = f.heredocScripts(in.Script)
		}
	}
}

// scanFlags reads builder flags the way buildkit's extractBuilderFlags does:
// words that start with "--", with quotes and the escape character, up to the
// first other word (or a lone "--").
func (f *File) scanFlags(view []byte, i, base int) ([]Flag, int) {
	var flags []Flag
	for {
		j := i
		for j < len(view) && (isSpace(view[j]) || view[j] == 0 || view[j] == '\\' && j+1 < len(view) && view[j+1] == '\n') {
			j++
		}
		if j+1 >= len(view) || view[j] != '-' || view[j+1] != '-' {
			return flags, i
		}
		start := j
		var word strings.Builder
		var quote byte
		for j < len(view) {
			c := view[j]
			if quote == 0 && isSpace(c) {
				break
			}
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote == 0 && (c == '\'' || c == '"'):
				quote = c
			case c == '\\' && j+1 < len(view) && view[j+1] == '\n':
				j++ // a continuation inside the flag
			case c == f.Escape && j+1 < len(view):
				j++
				word.WriteByte(view[j])
			default:
				word.WriteByte(c)
			}
			j++
		}
		w := word.String()
		if w == "--" {
			return flags, j
		}
		name, value, _ := strings.Cut(strings.TrimPrefix(w, "--"), "=")
		flags = append(flags, Flag{Name: name, Value: value, Start: base + start, End: base + j})
		i = j
	}
}

// scanJSONArray finds the strings of an exec-form array in view[i:end].
func scanJSONArray(view []byte, i, end, base int) []JSONArg {
	var out []JSONArg
	for i < end && view[i] != '[' {
		i++
	}
	for i < end {
		if view[i] != '"' {
			i++
			continue
		}
		j := i + 1
		for j < end && view[j] != '"' {
			if view[j] == '\\' {
				j++
			}
			j++
		}
		if j >= end {
			break
		}
		var s string
		if json.Unmarshal(view[i:j+1], &s) == nil {
			out = append(out, JSONArg{Value: s, Start: base + i, End: base + j + 1})
		}
		i = j + 1
	}
	return out
}
