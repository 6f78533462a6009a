package rewrite

import (
	"bytes"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// Running a large file in parts.
//
// A model of a file is tens of times its size (buildkit's tree, a shell
// tree per RUN, the stage model), and every fix round makes another: a
// 10 MB file held whole takes more than a gigabyte. So Run splits a large
// file into parts, runs of whole stages (parts.go: never between a stage
// and the stage it is built FROM), runs the driver on each part alone, in
// parallel, and keeps only the findings and output text of its own
// stages. A part is run as the text
//
//	header (everything before the first FROM: directives, global ARGs)
//	each other stage, in order: in full when the part's stages are
//	  connected to it (FROM, COPY --from, mounts, transitively), else a
//	  stand-in line `FROM scratch [AS name]`
//	the part's own stages, in their place
//	past the last of those, one `FROM scratch` for the stages that follow
//
// so that what passes learn from the rest of the file stays true: stage
// indexes and names before the part (COPY --from=2, a free name for a new
// stage), whether the part's last stage is the file's (shipped, the final
// image), what a stage copies from another and who can see its files. The parts' findings, fixes and outputs are placed on the whole
// file and merged, the edits of round r on the whole text of round r, so
// the Result is the one the whole file gives (fixtures' TestPartsSameAsWhole
// checks it on every golden case, the corpus and synthetic files).
// Whatever a part cannot vouch for makes Run run the file whole: a part
// that does not parse as the line scan expected, a finding in the header
// (every part would report it), a fix reaching out of its side of the
// text, new files, fixes of two parts that touch, line endings that
// differ from the file's. A file that a Pass.WholeFile pass may report on
// (DS303/DS304: the .dockerignore a file needs depends on every COPY) is
// run whole from the start.

// defaultPartBytes is the least size of a part; files of twice that size
// or more are run in parts.
const defaultPartBytes = 256 << 10

// WithPartSize returns a copy of e that runs files of at least 2n bytes in
// parts of at least n bytes (n ≤ 0: never in parts). For tests and tuning;
// the result is the same whatever n.
func (e *Engine) WithPartSize(n int) *Engine {
	c := *e
	if n <= 0 {
		n = -1
	}
	c.partBytes = n
	return &c
}

// part is one part being run.
type part struct {
	first, end int // stages [first, end)
	in         int // offset of the part's text in the whole input
	body       int // length of the part's own text in the input
	last       bool
	ctx        map[int]bool // stages run in full beside it (layout.context)
	// Set by runPart: the regions of the text it runs, and where each
	// piece of it comes from in the input.
	prefix int      // length of the text before the part's own
	pieces []copied // copied pieces: the header, context stages, the part
}

// partOut is what a part gave, on the part's own text.
type partOut struct {
	res  *Result
	body []byte // the part's own text in the output
	// pre[r] and lens[r] are where the part's own text starts in the
	// part's text at round r, and its length.
	pre, lens []int
}

// runParts runs a large file in parts; nil: run it whole.
func (e *Engine) runParts(name string, src []byte, opts Options) *Result {
	size := e.partBytes
	if size == 0 {
		size = defaultPartBytes
	}
	if size < 0 || len(src) < 2*size || e.wholeFile(src, opts) {
		return nil
	}
	headerEnd, stages, ok := scanStages(src)
	if !ok {
		return nil
	}
	header, err := parser.LoadConfig(name, append(append([]byte(nil), src[:headerEnd]...), "FROM scratch\n"...), opts.ParserConfig())
	if err != nil {
		return nil
	}
	l, ok := groupStages(stages, header, size)
	if !ok || len(l.parts) < 2 {
		return nil
	}
	parts := make([]part, len(l.parts))
	for i, r := range l.parts {
		end := stageEnd(src, stages, r.end-1)
		parts[i] = part{first: r.first, end: r.end, in: stages[r.first].start, body: end - stages[r.first].start,
			last: i == len(l.parts)-1, ctx: l.context(r.first, r.end)}
		ctx := 0
		for s := range parts[i].ctx {
			ctx += stageEnd(src, stages, s) - stages[s].start
		}
		if ctx > 4*size {
			return nil // a part would be run with most of the file
		}
	}
	outs := e.runEachPart(name, src, headerEnd, stages, parts, opts)
	if outs == nil {
		return nil
	}
	return mergeParts(name, src, headerEnd, parts, outs)
}

// runEachPart runs the parts in parallel; nil when one cannot be vouched for.
func (e *Engine) runEachPart(name string, src []byte, headerEnd int, stages []stageText, parts []part, opts Options) []*partOut {
	outs := make([]*partOut, len(parts))
	whole := parser.NewLines(src)
	crlf := bytes.Count(src, []byte("\r\n"))*2 > whole.LineCount()
	var failed atomic.Bool
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(parts) {
					return
				}
				if outs[i] = e.runPart(name, src, whole, headerEnd, stages, &parts[i], crlf, opts); outs[i] == nil {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		return nil
	}
	return outs
}

// copied is text of the input copied into a part's text.
type copied struct{ at, in, n int } // text[at:at+n] is input[in:in+n]

// partText writes the text a part is run as: the header, then each stage
// in order, its own, in full for its context, else a stand-in; past the
// part's last stage and its context, one stand-in line stands for the rest
// (the part's stages are not the last). It returns the text and the
// number of stages in it.
func partText(src []byte, headerEnd int, stages []stageText, p *part, nl string) ([]byte, int) {
	var b bytes.Buffer
	copyIn := func(from, to int) {
		p.pieces = append(p.pieces, copied{at: b.Len(), in: from, n: to - from})
		b.Write(src[from:to])
	}
	last := p.end - 1 // the last stage written as it is
	for i := range p.ctx {
		last = max(last, i)
	}
	copyIn(0, headerEnd)
	count := 0
	for i := 0; i <= last; i++ {
		end := stageEnd(src, stages, i)
		switch {
		case i == p.first:
			p.prefix = b.Len()
			copyIn(p.in, p.in+p.body)
			i = p.end - 1
		case p.ctx[i]:
			copyIn(stages[i].start, end)
			if !bytes.HasSuffix(src[:end], []byte("\n")) {
				b.WriteString(nl) // the file's last line
			}
		default:
			standIn(&b, stages[i].name, nl)
		}
		count = i + 1
	}
	if count < len(stages) {
		standIn(&b, "", nl)
		count++
	}
	return b.Bytes(), count
}

// standIn writes `FROM scratch [AS name]`.
func standIn(b *bytes.Buffer, name, nl string) {
	b.WriteString("FROM scratch")
	if name != "" {
		b.WriteString(" AS " + name)
	}
	b.WriteString(nl)
}

// stageEnd is where stage i's text ends: where the next begins.
func stageEnd(src []byte, stages []stageText, i int) int {
	if i+1 < len(stages) {
		return stages[i+1].start
	}
	return len(src)
}

// runPart runs one part and checks that its result can be placed on the
// whole file; nil when it cannot.
func (e *Engine) runPart(name string, src []byte, whole *parser.Lines, headerEnd int, stages []stageText, p *part, crlf bool, opts Options) *partOut {
	nl := "\n"
	if crlf {
		nl = "\r\n"
	}
	text, count := partText(src, headerEnd, stages, p, nl)
	f, err := parser.LoadConfig(name, text, opts.ParserConfig())
	if err != nil || f.Invalid != nil || f.CRLF != crlf || len(f.Stages) != count {
		return nil
	}
	for i := p.first; i < p.end; i++ {
		if f.Stages[i].From.Start != p.prefix+stages[i].start-p.in || f.Stages[i].Name != stages[i].name {
			return nil
		}
	}
	res := e.runFile(f, opts)
	if len(res.NewFiles) > 0 || e.wholeFileFinding(res) {
		return nil
	}
	pre, lens, ok := regionLengths(res, p, headerEnd)
	if !ok {
		return nil
	}
	r := len(lens) - 1
	body := bytes.Clone(res.Output[pre[r] : pre[r]+lens[r]])
	own := func(fds []Finding) []Finding {
		var out []Finding
		for _, fd := range fds {
			if p.side(fd.Offset) == 0 {
				out = append(out, fd)
			}
		}
		return out
	}
	res.Findings, res.Applied, res.Pending = own(res.Findings), own(res.Applied), own(res.Pending)
	var dropped []Dropped
	for _, d := range res.Dropped {
		if p.side(d.Finding.Offset) == 0 {
			dropped = append(dropped, d)
		}
	}
	res.Dropped = dropped
	placeOnInput(res, p, headerEnd, whole)
	// Only what the merge needs is kept: not the part's text.
	res.Input, res.Output = nil, nil
	return &partOut{res: res, body: body, pre: pre, lens: lens}
}

// side places an offset of the part's input: -1 before the part's own
// text, 0 in it, 1 after.
func (p *part) side(off int) int {
	switch {
	case off < p.prefix:
		return -1
	case off < p.prefix+p.body || off == p.prefix+p.body && p.last:
		return 0
	}
	return 1
}

// regionLengths returns, for each round, the length of the text before the
// part's own and of its own, as the applied fixes change them. ok is false
// when a finding is in the header (the parts would each report it), or a
// fix reaches out of the side of the text its finding is on.
func regionLengths(res *Result, p *part, headerEnd int) (pre, body []int, ok bool) {
	pre, body = []int{p.prefix}, []int{p.body}
	for _, fd := range res.Findings {
		if fd.Offset < headerEnd {
			return nil, nil, false
		}
	}
	for _, fd := range res.Applied {
		r := fd.Round
		for len(body) <= r+1 {
			pre, body = append(pre, pre[len(pre)-1]), append(body, body[len(body)-1])
		}
		lo, hi := headerEnd, pre[r] // the closed range the fix may edit
		switch p.side(fd.Offset) {
		case 0:
			lo, hi = pre[r], pre[r]+body[r]
		case 1:
			lo, hi = pre[r]+body[r], math.MaxInt
		}
		for _, ed := range fd.Fix.Edits {
			if ed.Start < lo || ed.End > hi {
				return nil, nil, false
			}
			d := len(ed.Text) - (ed.End - ed.Start)
			if p.side(fd.Offset) == 0 {
				body[r+1] += d
			} else if p.side(fd.Offset) < 0 {
				pre[r+1] += d
			}
		}
	}
	return pre, body, true
}

// wholeFile reports whether an enabled WholeFile pass may report on src.
func (e *Engine) wholeFile(src []byte, opts Options) bool {
	for _, p := range e.passes {
		if p.WholeFile != nil && slices.ContainsFunc(p.Rules, opts.Selector.Enabled) && p.WholeFile(src, opts) {
			return true
		}
	}
	return false
}

// wholeFileFinding reports a finding of a WholeFile pass (which said it
// would not report).
func (e *Engine) wholeFileFinding(res *Result) bool {
	for _, p := range e.passes {
		if p.WholeFile == nil {
			continue
		}
		for _, fd := range res.Findings {
			if slices.Contains(p.Rules, fd.Rule) {
				return true
			}
		}
	}
	return false
}

// mergeParts puts the parts' results together, their edits on the whole
// text of each round.
func mergeParts(name string, src []byte, headerEnd int, parts []part, outs []*partOut) *Result {
	rounds := 0
	for _, o := range outs {
		rounds = max(rounds, len(o.lens))
	}
	// base[r][k] is where part k's own text starts in the whole text of round r.
	base := make([][]int, rounds)
	for r := range base {
		base[r] = make([]int, len(parts))
		at := headerEnd
		for k, o := range outs {
			base[r][k] = at
			at += o.lens[min(r, len(o.lens)-1)]
		}
	}
	res := &Result{Name: name, Input: src, Parts: len(parts)}
	out := append([]byte(nil), src[:headerEnd]...)
	for k, o := range outs {
		shift := func(fds []Finding) []Finding {
			for i, fd := range fds {
				if fd.Fix != nil {
					fx := *fd.Fix
					d := base[fd.Round][k] - o.pre[min(fd.Round, len(o.pre)-1)]
					fx.Edits = append(fx.Edits[:0:0], fx.Edits...)
					for e := range fx.Edits {
						fx.Edits[e].Start += d
						fx.Edits[e].End += d
					}
					fds[i].Fix = &fx
				}
			}
			return fds
		}
		res.Findings = append(res.Findings, shift(o.res.Findings)...)
		res.Applied = append(res.Applied, shift(o.res.Applied)...)
		res.Pending = append(res.Pending, shift(o.res.Pending)...)
		for _, d := range o.res.Dropped {
			d.Finding = shift([]Finding{d.Finding})[0]
			res.Dropped = append(res.Dropped, d)
		}
		res.Instructions = append(res.Instructions, o.res.Instructions...)
		for _, ie := range o.res.InternalErrors {
			if !slices.Contains(res.InternalErrors, ie) {
				res.InternalErrors = append(res.InternalErrors, ie)
			}
		}
		res.Unstable = res.Unstable || o.res.Unstable
		out = append(out, o.body...)
	}
	res.Output = out
	// The driver applies the fixes of a round safe ones first, each kind in
	// the order of the file (nonConflicting).
	sort.SliceStable(res.Applied, func(i, j int) bool {
		a, b := res.Applied[i], res.Applied[j]
		return a.Round < b.Round || a.Round == b.Round && a.Fix.Applicability < b.Fix.Applicability
	})
	sort.SliceStable(res.Dropped, func(i, j int) bool { return res.Dropped[i].Finding.Round < res.Dropped[j].Finding.Round })
	if !editsApart(res.Applied) {
		return nil
	}
	return res
}

// placeOnInput places a part's findings on the whole input (whole is its
// line index), and the line numbers their texts cite; its instructions'
// spans too (the header's only for the first part: every part has it).
func placeOnInput(res *Result, p *part, headerEnd int, whole *parser.Lines) {
	partLines := parser.NewLines(res.Input)
	input := func(off int) int { return p.in + off - p.prefix }
	toInput := func(n int) int {
		off := partLines.LineStart(n)
		for _, pc := range p.pieces {
			if off >= pc.at && off < pc.at+pc.n {
				l, _ := whole.Position(pc.in + off - pc.at)
				return l
			}
		}
		return n // a stand-in line: none of the input's
	}
	place := func(fd *Finding) {
		fd.Offset = input(fd.Offset)
		fd.Line, fd.Col = whole.Position(fd.Offset)
		fd.Message = mapLineRefs(fd.Message, partLines.LineCount(), toInput)
		if fd.Fix != nil {
			fx := *fd.Fix
			fx.Description = mapLineRefs(fx.Description, partLines.LineCount(), toInput)
			fd.Fix = &fx
		}
	}
	for _, list := range [][]Finding{res.Findings, res.Applied, res.Pending} {
		for i := range list {
			place(&list[i])
		}
	}
	for i := range res.Dropped {
		place(&res.Dropped[i].Finding)
	}
	var spans []InputSpan
	for _, s := range res.Instructions {
		if p.first == 0 && s.End <= headerEnd {
			spans = append(spans, s) // the global ARGs
		} else if s.Start >= p.prefix && s.End <= p.prefix+p.body {
			spans = append(spans, InputSpan{input(s.Start), input(s.End)})
		}
	}
	res.Instructions = spans
}

// editsApart reports whether no fix of one part touches a fix of another
// in the same round (an insertion where one part ends and the next
// begins): the whole file's driver would have put one of them off. Fixes
// of one part never touch (the part's driver picked them so).
func editsApart(applied []Finding) bool {
	var taken textedit.Set
	round := 0
	for _, fd := range applied {
		if fd.Round != round {
			taken, round = textedit.Set{}, fd.Round
		}
		for _, ed := range fd.Fix.Edits {
			if taken.Overlaps(ed) {
				return false
			}
		}
		for _, ed := range fd.Fix.Edits {
			taken.Add(ed)
		}
	}
	return true
}
