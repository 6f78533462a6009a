package parser

import (
	"strings"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkparser "github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Instruction is one Dockerfile instruction with its exact source span.
type Instruction struct {
	Keyword string // lower case: "run", "from", "onbuild", ...
	// Sub is the wrapped instruction's keyword for ONBUILD ("run"), else "".
	Sub string

	Start, End         int // bytes: first byte of its first line .. past its last line's newline
	StartLine, EndLine int // 1-based, inclusive (heredoc bodies included)

	Flags []Flag
	// ArgsStart is the offset of the first argument byte after keyword and
	// flags; ArgsEnd is the end of the logical line (before any heredoc body,
	// without the line ending).
	ArgsStart, ArgsEnd int

	JSON     bool      // exec form: ["a", "b"]
	JSONArgs []JSONArg // the array's strings, for exec form

	Heredocs []bkparser.Heredoc
	Comments []Comment // comment lines directly above, in order

	// Script is the shell-form command (RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD
	// and ONBUILD RUN) parsed as bash, or nil for exec form.
	Script *Script
	// HeredocScripts are heredoc bodies that the shell runs as scripts
	// (`RUN <<EOF`), parsed as bash.
	HeredocScripts []*Script

	Node  *bkparser.Node
	Stage *Stage // nil for meta ARGs before the first FROM
	Index int    // position in File.Instructions

	mounts     []*bkinstructions.Mount
	mountsRead bool

	env         [][2]string // EnvPairs, once envRead
	envRead     bool
	argNames    []string // ArgDefs, once argsRead
	argDefaults map[string]*string
	argsRead    bool
}

// Flag is a builder flag such as --mount=type=cache,target=/root/.cache.
type Flag struct {
	Name, Value string // value unquoted as buildkit reads it
	Start, End  int
}

// JSONArg is one string of an exec-form array, with the span of its quoted text.
type JSONArg struct {
	Value      string
	Start, End int // span including the quotes
}

// Comment is a comment line; Text excludes the leading '#' and spaces.
type Comment struct {
	Text       string
	Line       int
	Start, End int // the whole line, including its newline
}

// Is reports whether the instruction (or the instruction ONBUILD wraps) has
// keyword kw (lower case).
func (in *Instruction) Is(kw string) bool {
	return in.Keyword == kw || in.Sub == kw
}

// Flag returns the first flag named name.
func (in *Instruction) Flag(name string) (Flag, bool) {
	for _, fl := range in.Flags {
		if fl.Name == name {
			return fl, true
		}
	}
	return Flag{}, false
}

// Args are the arguments as buildkit reads them (quotes and escapes kept for
// shell form; JSON decoded for exec form).
func (in *Instruction) Args() []string {
	n := in.Node
	if in.Sub != "" && n.Next != nil && len(n.Next.Children) > 0 {
		n = n.Next.Children[0]
	}
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

// Text is the source text of the instruction.
func (in *Instruction) Text(f *File) string { return string(f.Src[in.Start:in.End]) }

// ArgsText is the source text of the arguments of the logical line.
func (in *Instruction) ArgsText(f *File) string { return string(f.Src[in.ArgsStart:in.ArgsEnd]) }

// Indent is the leading white space of the instruction's first line.
func (in *Instruction) Indent(f *File) string {
	line := f.Src[in.Start:in.End]
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return string(line[:i])
}

// build walks buildkit's AST and fills in spans and stages.
func (f *File) build(ast *bkparser.Node) error {
	items := make([]item, len(ast.Children))
	for i, n := range ast.Children {
		items[i] = item{node: n}
	}
	f.buildItems(items)
	return nil
}

// buildItems makes the instructions and stages of f, in order: a parsed
// node is scanned, an instruction of an earlier version of the file is
// moved.
func (f *File) buildItems(items []item) {
	var stage *Stage
	for i, it := range items {
		var in *Instruction
		if it.old != nil {
			in = it.old.moved(it.node, it.delta, it.dlines)
			in.Index = i
		} else {
			n := it.node
			in = &Instruction{
				Keyword:   strings.ToLower(n.Value),
				Node:      n,
				StartLine: n.StartLine,
				EndLine:   n.EndLine,
				Heredocs:  n.Heredocs,
				Index:     i,
			}
			in.Start = f.LineStart(n.StartLine)
			in.End = f.LineEnd(n.EndLine)
			f.scanInstruction(in)
			in.Comments = f.commentsAbove(n.StartLine)
		}
		if in.Keyword == "from" {
			stage = f.newStage(in)
		}
		if stage == nil {
			if in.Keyword == "arg" {
				f.MetaArgs = append(f.MetaArgs, in)
			}
		} else {
			in.Stage = stage
			stage.Instructions = append(stage.Instructions, in)
		}
		f.Instructions = append(f.Instructions, in)
	}
}

// moved returns a copy of in, delta bytes and dlines lines further, with
// node (its node, moved): the scripts' trees are shared, their caches (of
// file offsets) are not.
func (in *Instruction) moved(node *bkparser.Node, delta, dlines int) *Instruction {
	c := &Instruction{
		Keyword: in.Keyword, Sub: in.Sub, Node: node,
		Start: in.Start + delta, End: in.End + delta, StartLine: in.StartLine + dlines, EndLine: in.EndLine + dlines,
		ArgsStart: in.ArgsStart + delta, ArgsEnd: in.ArgsEnd + delta,
		JSON: in.JSON, Heredocs: in.Heredocs,
	}
	for _, fl := range in.Flags {
		fl.Start, fl.End = fl.Start+delta, fl.End+delta
		c.Flags = append(c.Flags, fl)
	}
	for _, a := range in.JSONArgs {
		a.Start, a.End = a.Start+delta, a.End+delta
		c.JSONArgs = append(c.JSONArgs, a)
	}
	for _, cm := range in.Comments {
		cm.Line, cm.Start, cm.End = cm.Line+dlines, cm.Start+delta, cm.End+delta
		c.Comments = append(c.Comments, cm)
	}
	c.Script = in.Script.moved(delta)
	for _, h := range in.HeredocScripts {
		c.HeredocScripts = append(c.HeredocScripts, h.moved(delta))
	}
	return c
}

// commentsAbove collects the comment lines right above line n, stopping at a
// blank line, another instruction or the parser directives.
func (f *File) commentsAbove(n int) []Comment {
	lastDirective := 0
	for _, d := range f.Directives {
		lastDirective = max(lastDirective, d.Line)
	}
	var out []Comment
	for l := n - 1; l > lastDirective && l >= 1; l-- {
		text := strings.TrimLeft(f.Line(l), " \t")
		if l == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if !strings.HasPrefix(text, "#") || f.InstructionAt(f.LineStart(l)) != nil {
			break
		}
		out = append(out, Comment{
			Text:  strings.TrimSpace(text[1:]),
			Line:  l,
			Start: f.LineStart(l),
			End:   f.LineEnd(l),
		})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
