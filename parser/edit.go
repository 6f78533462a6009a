package parser

import (
	"bytes"
	"fmt"
	"sort"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkparser "github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockslim/dockslim/internal/textedit"
)

// Edit returns the file that edits (relative to f.Src, not overlapping)
// make of f, as Load(f.Name, edited text) would: the instructions the
// edits touch, and the text between them, are parsed again; the others are
// f's, moved to their new place. The driver's fix rounds change a few
// instructions of a large file: the rest need not go through buildkit's
// parser and the shell parser again. When the edits reach the first
// instruction or the text before it (directives), or the re-parsed text
// would run on into the next instruction (a line continued at its end, a
// heredoc left open), Edit loads the whole text.
func (f *File) Edit(edits []textedit.Edit) (nf *File, err error) {
	out, err := textedit.Apply(f.Src, edits)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			nf, err = nil, &ParseError{File: f.Name, Msg: fmt.Sprintf("internal error while parsing: %v", r)}
		}
	}()
	regions := f.dirtyRegions(edits)
	if regions == nil {
		return LoadConfig(f.Name, out, f.cfg)
	}
	nf = &File{Name: f.Name, Src: out, Escape: f.Escape, cfg: f.cfg}
	nf.BOM = bytes.HasPrefix(out, []byte("\xef\xbb\xbf"))
	nf.Lines = *NewLines(out)
	nf.CRLF = bytes.Count(out, []byte("\r\n"))*2 > nf.LineCount()
	nf.readDirectives()
	root, items, ok := f.reparse(nf, regions, edits)
	if !ok {
		return LoadConfig(f.Name, out, f.cfg)
	}
	if _, _, err := bkinstructions.Parse(root, nil); err != nil {
		nf.Invalid = toParseError(f.Name, err)
	}
	nf.buildItems(items)
	return nf, nil
}

// region is a run of instructions [first, end) of f parsed again, with the
// text from the end of the instruction before (or the start) to the start
// of the next one.
type region struct{ first, end int }

// dirtyRegions returns the runs of instructions an edit touches (closed
// ranges: an insertion at either end of an instruction touches it) and the
// instruction after an edit that reaches the text between instructions
// (the comments above it may change); nil when the first instruction is
// one, or too much of the file is, for an edit to pay.
func (f *File) dirtyRegions(edits []textedit.Edit) []region {
	ins := f.Instructions
	if len(ins) == 0 {
		return nil
	}
	dirty := make([]bool, len(ins))
	for _, e := range edits {
		i := sort.Search(len(ins), func(i int) bool { return ins[i].End >= e.Start })
		for ; i < len(ins) && ins[i].Start <= e.End; i++ {
			dirty[i] = true
		}
		// An edit that reaches the text after an instruction may change
		// the comments above the next one.
		if i < len(ins) && (i == 0 || e.End >= ins[i-1].End) {
			dirty[i] = true
		}
		// The text after the last instruction is parsed with it: an edit
		// there can turn a trailing comment into instructions.
		if last := len(ins) - 1; e.End > ins[last].End {
			dirty[last] = true
		}
	}
	var out []region
	size := 0
	for i := 0; i < len(ins); i++ {
		if !dirty[i] {
			continue
		}
		j := i
		for j < len(ins) && dirty[j] {
			size += ins[j].End - ins[j].Start
			j++
		}
		out = append(out, region{i, j})
		i = j
	}
	if dirty[0] || size > len(f.Src)/2 {
		return nil
	}
	return out
}

// item is one instruction of the edited file: parsed again (node) or one
// of f's moved by delta bytes and lines.
type item struct {
	node   *bkparser.Node
	old    *Instruction
	delta  int
	dlines int
}

// reparse parses the regions' new text and lists every instruction of nf
// in order, with the AST buildkit would make of nf.Src.
func (f *File) reparse(nf *File, regions []region, edits []textedit.Edit) (*bkparser.Node, []item, bool) {
	root := &bkparser.Node{StartLine: -1}
	var items []item
	add := func(it item) {
		n := it.node
		if it.old != nil {
			moved := *it.old.Node
			moved.StartLine += it.dlines
			moved.EndLine += it.dlines
			n = &moved
			it.node = n
		}
		root.AddChild(n, n.StartLine, n.EndLine)
		items = append(items, it)
	}
	shift := newShifter(edits)
	next := 0 // the next instruction of f to place
	for _, r := range regions {
		for ; next < r.first; next++ {
			in := f.Instructions[next]
			d := shift.at(in.Start)
			add(item{old: in, delta: d, dlines: nf.lineOf(in.Start+d) - in.StartLine})
		}
		start := f.Instructions[r.first-1].End
		end := len(f.Src)
		if r.end < len(f.Instructions) {
			end = f.Instructions[r.end].Start
		}
		newStart, newEnd := start+shift.at(start), end+shift.at(end)
		nodes, ok := nf.parseRegion(newStart, newEnd)
		if !ok || r.end < len(f.Instructions) && !f.sameGap(nf, r, nodes, end, newStart, newEnd) {
			return nil, nil, false
		}
		for _, n := range nodes {
			add(item{node: n})
		}
		next = r.end
	}
	for ; next < len(f.Instructions); next++ {
		in := f.Instructions[next]
		d := shift.at(in.Start)
		add(item{old: in, delta: d, dlines: nf.lineOf(in.Start+d) - in.StartLine})
	}
	return root, items, true
}

// sameGap reports whether the text between the region's last instruction
// and the next one (the instruction after the region: its comments, and
// buildkit's) is the same in nf, with the region [newStart, newEnd) parsed
// as nodes: an edit inside the region may have turned its last lines into
// comments.
func (f *File) sameGap(nf *File, r region, nodes []*bkparser.Node, oldEnd, newStart, newEnd int) bool {
	newGap := newStart
	if len(nodes) > 0 {
		newGap = nf.LineEnd(nodes[len(nodes)-1].EndLine)
	}
	oldGap := f.Instructions[r.end-1].End
	return newGap <= newEnd && bytes.Equal(nf.Src[newGap:newEnd], f.Src[oldGap:oldEnd])
}

// lineOf is the 1-based line of an offset.
func (f *File) lineOf(off int) int {
	l, _ := f.Position(off)
	return l
}

// parseRegion parses nf.Src[start:end] (whole lines, after an instruction
// that does not continue) as buildkit would inside the whole file: with
// the file's escape character, no directives, line numbers of the file.
// ok is false when its text does not end where an instruction may start.
func (f *File) parseRegion(start, end int) ([]*bkparser.Node, bool) {
	text := f.Src[start:end]
	if continuesAtEnd(text, f.Escape) {
		return nil, false
	}
	// A directive line fixes the escape character and an empty comment
	// ends the directives (and buildkit's comment run) before the text.
	var b bytes.Buffer
	fmt.Fprintf(&b, "# escape=%c\n#\n", f.Escape)
	b.Write(text)
	res, err := bkparser.Parse(&b)
	if err != nil {
		return nil, false
	}
	first := f.lineOf(start) - 3 // the text's line 1 is line 3 of what was parsed
	for _, n := range res.AST.Children {
		n.StartLine += first
		n.EndLine += first
	}
	return res.AST.Children, true
}

// continuesAtEnd reports whether the last instruction line of text (not a
// comment, not blank) ends with the escape character: buildkit would join
// what follows the text to it.
func continuesAtEnd(text []byte, escape byte) bool {
	for len(text) > 0 {
		i := bytes.LastIndexByte(bytes.TrimRight(text, "\r\n"), '\n')
		line := text[i+1:]
		text = text[:i+1]
		if i < 0 {
			text = nil
		}
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		line = bytes.TrimRight(line, "\r\n \t")
		return line[len(line)-1] == escape
	}
	return false
}

// shifter maps offsets of f.Src outside the edits to the edited text.
type shifter struct {
	ends   []int // edits' ends, sorted
	deltas []int // deltas[i]: the shift of an offset at or past ends[i]
}

func newShifter(edits []textedit.Edit) shifter {
	es := append([]textedit.Edit(nil), edits...)
	sort.Slice(es, func(i, j int) bool { return es[i].End < es[j].End })
	var s shifter
	d := 0
	for _, e := range es {
		d += len(e.Text) - (e.End - e.Start)
		s.ends = append(s.ends, e.End)
		s.deltas = append(s.deltas, d)
	}
	return s
}

// at is the shift of an offset that no edit covers.
func (s shifter) at(off int) int {
	i := sort.SearchInts(s.ends, off+1) // edits ending at or before off
	if i == 0 {
		return 0
	}
	return s.deltas[i-1]
}
