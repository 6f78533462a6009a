// Package parser turns Dockerfile bytes into an editable, lossless model.
//
// Structure comes from buildkit's own parser (frontend/dockerfile/parser and
// instructions); this package adds what buildkit throws away: the exact byte
// span of every instruction, flag and argument, the comment lines above each
// instruction, and, for shell-form RUN, a mvdan.cc/sh syntax tree whose
// positions are byte offsets into the Dockerfile itself.
//
// The model never owns a second copy of the text: File.Src is the input, and
// every span points into it, so rendering an unedited model is Src itself.
package parser

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkparser "github.com/moby/buildkit/frontend/dockerfile/parser"
)

// File is a parsed Dockerfile.
type File struct {
	Name   string
	Src    []byte
	Escape byte // '\\' or '`'
	BOM    bool
	CRLF   bool // most lines end in \r\n

	Directives   []Directive
	Instructions []*Instruction // every top-level instruction, in order
	MetaArgs     []*Instruction // ARGs before the first FROM
	Stages       []*Stage

	// Invalid is set when buildkit's instruction parser rejects the file
	// (it would not build); the structure above is still complete.
	Invalid *ParseError

	Lines      // the line index of Src
	cfg        Config
	stageNames stageNames
	memo       map[any]any
}

// Config is what Load needs to know besides the text.
type Config struct {
	// RegistryMirror is a prefix under which Docker Hub's images are
	// mirrored ("mirror.example.com/library"): a FROM
	// mirror.example.com/library/python:3.11 is python:3.11 to every
	// reader of the model (ImageRef.Mirror keeps the prefix). "" for none.
	RegistryMirror string
}

// Memo returns the value cached under key, computing it once: facts that
// several passes derive from the whole file (a File never changes after
// Load). A File is used by one goroutine at a time, so no lock is needed.
// Keys should be unexported types of the package that computes the value.
func (f *File) Memo(key any, compute func() any) any {
	if v, ok := f.memo[key]; ok {
		return v
	}
	if f.memo == nil {
		f.memo = map[any]any{}
	}
	v := compute()
	f.memo[key] = v
	return v
}

// Directive is a parser directive such as `# syntax=` or `# escape=`.
type Directive struct {
	Name, Value string
	Line        int
}

// ParseError is a Dockerfile that buildkit rejects, located by line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Load parses src. The error, when not nil, is a *ParseError.
func Load(name string, src []byte) (*File, error) { return LoadConfig(name, src, Config{}) }

// LoadConfig is Load with a Config, which the files Edit makes keep.
func LoadConfig(name string, src []byte, cfg Config) (f *File, err error) {
	defer func() {
		// buildkit is robust, but a panic deep in a dependency must never
		// reach the user as a stack trace.
		if r := recover(); r != nil {
			f, err = nil, &ParseError{File: name, Msg: fmt.Sprintf("internal error while parsing: %v", r)}
		}
	}()
	res, err := bkparser.Parse(bytes.NewReader(src))
	if err != nil {
		pe := toParseError(name, err)
		if strings.HasPrefix(pe.Msg, tooLongMsg) {
			pe.Line = tooLongLine(src, pe.Line)
		}
		return nil, pe
	}
	f = &File{Name: name, Src: src, Escape: byte(res.EscapeToken), cfg: cfg}
	// Instruction-level errors (an unknown flag, no FROM) do not stop the
	// model: dockslim can still pass such a file through unchanged, and the
	// driver refuses any fix that adds an error of this kind.
	if _, _, err := bkinstructions.Parse(res.AST, nil); err != nil {
		f.Invalid = toParseError(name, err)
	}
	f.BOM = bytes.HasPrefix(src, []byte("\xef\xbb\xbf"))
	f.Lines = *NewLines(src)
	f.CRLF = bytes.Count(src, []byte("\r\n"))*2 > f.LineCount()
	f.readDirectives()
	if err := f.build(res.AST); err != nil {
		return nil, err
	}
	return f, nil
}

func toParseError(name string, err error) *ParseError {
	pe := &ParseError{File: name, Msg: cleanMessage(err)}
	var le *bkparser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		pe.Line = le.Locations[0][0].Start.Line
	}
	return pe
}

// tooLongMsg starts buildkit's error for a line its line reader cannot
// hold (bufio.MaxScanTokenSize bytes with the line ending). It places it
// on the last line read before that one, which is the line before, or the
// first line of the instruction when the long line continues it.
const tooLongMsg = "dockerfile line greater than max allowed size"

// tooLongLine is the 1-based number of the first line too long for
// buildkit's line reader; buildkit's own number when none is.
func tooLongLine(src []byte, reported int) int {
	for n := 1; len(src) > 0; n++ {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i+1], src[i+1:]
		} else {
			src = nil
		}
		if len(line) > bufio.MaxScanTokenSize || len(line) == bufio.MaxScanTokenSize && line[len(line)-1] != '\n' {
			return n
		}
	}
	return reported
}

func cleanMessage(err error) string {
	msg := err.Error()
	// buildkit wraps some errors as "dockerfile parse error on line N: ...".
	if i := strings.Index(msg, ": "); i > 0 && strings.HasPrefix(msg, "dockerfile parse error on line") {
		msg = msg[i+2:]
	}
	return msg
}

// Newline is the line ending the file mostly uses.
func (f *File) Newline() string {
	if f.CRLF {
		return "\r\n"
	}
	return "\n"
}

// InstructionAt returns the instruction whose span contains off, or nil.
// Instructions are in file order and do not overlap: a binary search.
func (f *File) InstructionAt(off int) *Instruction {
	ins := f.Instructions
	i := sort.Search(len(ins), func(i int) bool { return ins[i].End > off })
	if i < len(ins) && off >= ins[i].Start {
		return ins[i]
	}
	return nil
}

func (f *File) readDirectives() {
	var dp bkparser.DirectiveParser
	ds, err := dp.ParseAll(f.Src)
	if err != nil {
		return
	}
	for _, d := range ds {
		line := 0
		if len(d.Location) > 0 {
			line = d.Location[0].Start.Line
		}
		f.Directives = append(f.Directives, Directive{Name: d.Name, Value: d.Value, Line: line})
	}
}

// Render reassembles the file from its pieces: the text between
// instructions (comments, blank lines, directives) and each instruction's
// span. For an unedited model it is Src, byte for byte; tests and the fuzzer
// check that, which proves the spans tile the file.
func (f *File) Render() []byte {
	out := make([]byte, 0, len(f.Src))
	pos := 0
	for _, in := range f.Instructions {
		out = append(out, f.Src[pos:in.Start]...)
		out = append(out, f.Src[in.Start:in.End]...)
		pos = in.End
	}
	return append(out, f.Src[pos:]...)
}
