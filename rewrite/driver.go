package rewrite

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// maxRounds bounds fix → re-parse → re-analyse. Passes are written to
// converge in one or two rounds; more means a pass fights another.
const maxRounds = 8

// Result is what the driver did to one file.
type Result struct {
	Name          string
	Input, Output []byte
	// Findings are every distinct finding of every round (the input's, and
	// those the fixes of earlier rounds revealed), placed on the input (see
	// Finding.Offset) and sorted by position, then rule id. A finding
	// reported again in a later round (same rule, message and input
	// position) is listed once, from the earliest round.
	Findings []Finding
	// Applied are the findings whose fixes are in Output, in the order
	// applied, placed on the input.
	Applied []Finding
	// Dropped are fixes that were not applied because the result failed
	// validation; Reason says why.
	Dropped []Dropped
	// Pending are the findings (of Findings) whose fixes were not applied
	// because they are unsafe and --unsafe-fixes was not given (or
	// Options.UnsafeRules leaves their rule out).
	Pending  []Finding
	NewFiles []NewFile
	// Unstable is set when fixes were still pending after maxRounds: a bug.
	Unstable bool
	// InternalErrors are the passes that failed on this file, in any round
	// ("pass NAME: what went wrong"), each once: a bug. The pass lost its
	// findings of that round; the other passes' fixes stand.
	InternalErrors []string
	// Invalid is set when buildkit's instruction parser rejects the input
	// (parser.File.Invalid): it would not build.
	Invalid *parser.ParseError
	// Instructions are the spans of the input's instructions, in order
	// (reports quote the instruction of a finding).
	Instructions []InputSpan
	// Parts is the number of parts a large file was run in (see
	// runParts), 0 when it was run whole; the rest of the Result is the
	// same either way.
	Parts int
}

// InstructionAt returns the span of the input's instruction that holds off.
func (r *Result) InstructionAt(off int) (InputSpan, bool) {
	ins := r.Instructions
	i := sort.Search(len(ins), func(i int) bool { return ins[i].End > off })
	if i < len(ins) && off >= ins[i].Start {
		return ins[i], true
	}
	return InputSpan{}, false
}

// Dropped is a fix that failed validation.
type Dropped struct {
	Finding Finding
	Reason  string
}

// Changed reports whether the output differs from the input.
func (r *Result) Changed() bool { return string(r.Input) != string(r.Output) || len(r.NewFiles) > 0 }

// Analysis is what the passes found in one file.
type Analysis struct {
	// Findings are those of enabled rules that no suppression comment
	// silences, sorted by position.
	Findings []Finding
	// InternalErrors are the passes that failed on this file ("pass NAME:
	// what went wrong"): a panicking pass loses its findings, not the file.
	InternalErrors []string
}

// Analyze runs every pass of the engine on f.
func (e *Engine) Analyze(f *parser.File, opts Options) *Analysis {
	a := &Analysis{}
	if opts.Env == nil {
		opts.Env = &Env{}
	}
	sup := suppressions(f)
	bc := buildContext(opts)
	for _, p := range e.passes {
		enabled := false
		for _, r := range p.Rules {
			enabled = enabled || opts.Selector.Enabled(r)
		}
		if !enabled {
			continue
		}
		c := &Context{File: f, Options: opts, BuildContext: bc.filtered, raw: bc.raw, pass: p}
		if err := runPass(p, c); err != "" {
			a.InternalErrors = append(a.InternalErrors, err)
		}
		for _, fd := range c.out {
			if !opts.Selector.Enabled(fd.Rule) || sup.silences(f, fd) || inBuildStage(f, fd) {
				continue
			}
			fd.Line, fd.Col = f.Position(fd.Offset)
			a.Findings = append(a.Findings, fd)
		}
	}
	sortFindings(a.Findings)
	return a
}

// inBuildStage reports a finding of an ImageSizeOnly rule in a stage whose
// layers never reach an image, or before the first FROM: its fix would
// change nothing there.
func inBuildStage(f *parser.File, fd Finding) bool {
	if !fd.Rule.ImageSizeOnly {
		return false
	}
	in := f.InstructionAt(fd.Offset)
	// (An instruction before the first FROM is in no image at all.)
	return in != nil && (in.Stage == nil || !stagestate.Of(f).Shipped(in.Stage))
}

// runPass runs one pass; a panicking pass loses its findings, not the file,
// and runPass returns what went wrong.
func runPass(p *Pass, c *Context) (internalErr string) {
	defer func() {
		if r := recover(); r != nil {
			c.out = nil
			internalErr = fmt.Sprintf("pass %s: %v", p.Name, r)
		}
	}()
	p.Run(c)
	return ""
}

func (o Options) applies(fd Finding) bool {
	if fd.Fix == nil {
		return false
	}
	switch fd.Fix.Applicability {
	case Safe:
		return true
	case Unsafe:
		return o.UnsafeFixes && (o.UnsafeRules == nil || slices.Contains(o.UnsafeRules, fd.Rule.ID))
	}
	return false
}

// Run loads src, applies the fixes the options allow until nothing changes,
// and validates the result. The error is a *parser.ParseError when src is
// not a valid Dockerfile.
//
// Every round's findings are kept, not only the input's: a fix can reveal
// work for another rule (DS113 merges a lone apt-get update into the next
// RUN, then DS112 cleans the merged RUN's lists). The driver composes the
// edits of the rounds into an OffsetMap, so every finding of Result is
// placed on the input.
//
// A large file is run in parts, a run of stages at a time (see runParts),
// with the same result.
func (e *Engine) Run(name string, src []byte, opts Options) (*Result, error) {
	if opts.Env == nil {
		opts.Env = &Env{} // one for every round of this file
	}
	if res := e.runParts(name, src, opts); res != nil {
		return res, nil
	}
	f, err := parser.LoadConfig(name, src, opts.ParserConfig())
	if err != nil {
		return nil, err
	}
	return e.runFile(f, opts), nil
}

// runFile is Run on a parsed file.
func (e *Engine) runFile(f *parser.File, opts Options) *Result {
	in := f
	res := &Result{Name: f.Name, Input: f.Src, Output: f.Src, Invalid: f.Invalid}
	for _, x := range f.Instructions {
		res.Instructions = append(res.Instructions, InputSpan{x.Start, x.End})
	}
	m := IdentityMap(len(f.Src))
	log := newFindingLog()
	record := func(round int, fds []Finding) { log.record(in, f, m, round, fds) }
	// keep holds the findings of later rounds that Findings lists: those
	// whose fix was applied or dropped, and those still there at the end.
	// The others were about text that neither the input nor the output
	// has (a cleanup another fix then made redundant).
	keep := map[string]bool{}
	dropped := map[string]bool{}
	analyze := func() []Finding {
		a := e.Analyze(f, opts)
		for _, msg := range a.InternalErrors {
			if !slices.Contains(res.InternalErrors, msg) {
				res.InternalErrors = append(res.InternalErrors, msg)
			}
		}
		return a.Findings
	}
	findings, last := analyze(), 0 // last: the round of findings
	record(0, findings)
	for round := 0; ; round++ {
		var todo []Finding
		for _, fd := range findings {
			if opts.applies(fd) && !dropped[key(fd)] && !filesOnlyDone(res.NewFiles, fd) {
				todo = append(todo, fd)
			}
		}
		if len(todo) == 0 {
			break
		}
		if round == maxRounds {
			res.Unstable = true
			break
		}
		next, applied, failed := applyRound(f, todo)
		for _, d := range failed {
			dropped[key(d.Finding)] = true
			d.Finding = onInput(in, f, m, round, d.Finding)
			res.Dropped = append(res.Dropped, d)
			keep[findingKey(d.Finding)] = true
		}
		if next == nil {
			if len(failed) == 0 {
				break
			}
			continue // retry without the dropped fixes
		}
		var edits [][]textedit.Edit
		for _, fd := range applied {
			edits = append(edits, fd.Fix.Edits)
			fd = onInput(in, f, m, round, fd)
			res.Applied = append(res.Applied, fd)
			keep[findingKey(fd)] = true
			res.NewFiles = mergeFiles(res.NewFiles, fd.Fix.NewFiles)
		}
		m = m.Apply(f.Src, edits...)
		f = next
		findings, last = analyze(), round+1
		record(last, findings)
	}
	for _, fd := range findings {
		keep[keepKey(onInput(in, f, m, last, fd))] = true
	}
	res.list(log.all, keep, opts)
	res.Output = f.Src
	return res
}

// findingLog collects the findings of every round, placed on the input.
type findingLog struct {
	all      []Finding
	seen     map[string]bool
	declined map[string]int // rule and input offset of a suggestion → its first round
}

func newFindingLog() *findingLog {
	return &findingLog{seen: map[string]bool{}, declined: map[string]int{}}
}

// record adds a round's findings (on cur, placed on the input in by m); a
// finding an earlier round already reported (same rule, message and input
// position) is kept once, from the earliest round. A suggestion is kept
// once per rule and place: a rule declining a place again in a later
// round, where its message quotes text a fix changed, says nothing new.
func (l *findingLog) record(in, cur *parser.File, m *OffsetMap, round int, fds []Finding) {
	for _, fd := range fds {
		fd = onInput(in, cur, m, round, fd)
		k := findingKey(fd)
		if l.seen[k] {
			continue
		}
		if fd.Fix == nil {
			dk := keepKey(fd)
			if r, ok := l.declined[dk]; ok && r < round {
				continue
			}
			l.declined[dk] = round
		}
		l.seen[k] = true
		l.all = append(l.all, fd)
	}
}

// list sets Findings to the findings of the input and the later-round
// findings that keep holds, sorted, and Pending to their unsafe fixes not
// applied.
func (r *Result) list(all []Finding, keep map[string]bool, opts Options) {
	for _, fd := range all {
		if fd.Round == 0 || keep[findingKey(fd)] || keep[keepKey(fd)] {
			r.Findings = append(r.Findings, fd)
		}
	}
	sortFindings(r.Findings)
	for _, fd := range r.Findings {
		if fd.Fix != nil && fd.Fix.Applicability == Unsafe && !opts.applies(fd) {
			r.Pending = append(r.Pending, fd)
		}
	}
}

// onInput places a finding of the given round, reported on cur (whose
// offsets m maps to the input), on the input file in. Line numbers its
// message and fix description cite ("the RUN at line 7") are cur's; they
// become the input's too.
func onInput(in, cur *parser.File, m *OffsetMap, round int, fd Finding) Finding {
	fd.Round = round
	fd.Offset = m.ToInput(fd.Offset)
	fd.Line, fd.Col = in.Position(fd.Offset)
	if round > 0 {
		toInput := func(n int) int {
			l, _ := in.Position(m.ToInput(cur.LineStart(n)))
			return l
		}
		fd.Message = mapLineRefs(fd.Message, cur.LineCount(), toInput)
		if fd.Fix != nil {
			fx := *fd.Fix
			fx.Description = mapLineRefs(fx.Description, cur.LineCount(), toInput)
			fd.Fix = &fx
		}
	}
	return fd
}

// mapLineRefs rewrites the line numbers s cites ("line 7", "lines 3, 5 and
// 9"; not inside `quoted code`) with to, leaving numbers past lines alone.
func mapLineRefs(s string, lines int, to func(int) int) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); {
		if s[i] == '`' {
			quoted = !quoted
		}
		if quoted || !wordAt(s, i, "line") {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + len("line")
		if j < len(s) && s[j] == 's' {
			j++
		}
		b.WriteString(s[i:j])
		i = j
		// A list of numbers: " 3", ", 5", " and 9".
		first := true
		for {
			seps := []string{", ", " and "}
			if first {
				seps = []string{" "}
			}
			k := -1
			for _, sep := range seps {
				if strings.HasPrefix(s[i:], sep) && i+len(sep) < len(s) && isDigit(s[i+len(sep)]) {
					k = i + len(sep)
					break
				}
			}
			if k < 0 {
				break
			}
			e := k
			for e < len(s) && isDigit(s[e]) {
				e++
			}
			if e < len(s) && isWordByte(s[e]) {
				break
			}
			n, err := strconv.Atoi(s[k:e])
			b.WriteString(s[i:k])
			if err == nil && n >= 1 && n <= lines {
				b.WriteString(strconv.Itoa(to(n)))
			} else {
				b.WriteString(s[k:e])
			}
			i = e
			first = false
		}
	}
	return b.String()
}

// wordAt reports whether s has the word w (any case for its first letter)
// at i.
func wordAt(s string, i int, w string) bool {
	if i > 0 && isWordByte(s[i-1]) || !strings.HasPrefix(strings.ToLower(s[i:min(len(s), i+len(w))]), w) {
		return false
	}
	j := i + len(w)
	if j < len(s) && s[j] == 's' {
		j++
	}
	return j < len(s) && s[j] == ' '
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// sortFindings orders findings by position, then rule id; findings at one
// place of one rule keep their order (the earlier round first).
func sortFindings(fds []Finding) {
	sort.SliceStable(fds, func(i, j int) bool {
		if fds[i].Offset != fds[j].Offset {
			return fds[i].Offset < fds[j].Offset
		}
		return fds[i].Rule.ID < fds[j].Rule.ID
	})
}

func key(fd Finding) string { return fd.Rule.ID + "\x00" + fd.Message }

// keepKey identifies a finding on the input by rule and place only, for
// suggestions (see Run), and like findingKey otherwise.
func keepKey(fd Finding) string {
	if fd.Fix == nil {
		return fd.Rule.ID + "\x00\x00" + strconv.Itoa(fd.Offset)
	}
	return findingKey(fd)
}

// findingKey identifies a finding placed on the input across rounds.
func findingKey(fd Finding) string { return key(fd) + "\x00" + strconv.Itoa(fd.Offset) }

// applyRound applies the non-conflicting fixes of todo to f and validates
// the result. When the whole batch fails validation it retries fix by fix,
// keeping those that pass; failed lists the others. Every fix's edits are
// relative to f, so the fixes kept are always applied together to f.
func applyRound(f *parser.File, todo []Finding) (next *parser.File, applied []Finding, failed []Dropped) {
	batch := nonConflicting(todo)
	if nf, err := tryApply(f, batch); err == nil {
		return nf, batch, nil
	}
	for _, fd := range batch {
		nf, err := tryApply(f, append(applied[:len(applied):len(applied)], fd))
		if err != nil {
			failed = append(failed, Dropped{Finding: fd, Reason: err.Error()})
			continue
		}
		next = nf
		applied = append(applied, fd)
	}
	if len(applied) == 0 {
		return nil, nil, failed
	}
	return next, applied, failed
}

// nonConflicting picks fixes in order, safe fixes first, skipping any whose
// edits overlap an edit already picked (the next round will see it again,
// on the text the safe fix left: a split then keeps the better layer order).
func nonConflicting(todo []Finding) []Finding {
	var picked []Finding
	var taken textedit.Set
	order := slices.Clone(todo)
	slices.SortStableFunc(order, func(a, b Finding) int {
		return cmp.Compare(a.Fix.Applicability, b.Fix.Applicability)
	})
	for _, fd := range order {
		ok := true
		for _, e := range fd.Fix.Edits {
			ok = ok && !taken.Overlaps(e)
		}
		if ok {
			picked = append(picked, fd)
			for _, e := range fd.Fix.Edits {
				taken.Add(e)
			}
		}
	}
	return picked
}

func tryApply(f *parser.File, fds []Finding) (*parser.File, error) {
	var edits []textedit.Edit
	for _, fd := range fds {
		edits = append(edits, fd.Fix.Edits...)
	}
	// Only the instructions the edits touch are parsed again.
	nf, err := f.Edit(edits)
	if pe, ok := err.(*parser.ParseError); ok {
		return nil, fmt.Errorf("the fixed file would not parse: %v", pe)
	} else if err != nil {
		return nil, err
	}
	if err := validate(f, nf); err != nil {
		return nil, err
	}
	return nf, nil
}

// validate checks that the fix made nothing worse: buildkit's instruction
// parser accepts the file if it accepted the input, and every shell-form RUN
// that parsed as bash before still does.
func validate(before, after *parser.File) error {
	if after.Invalid != nil && before.Invalid == nil {
		return fmt.Errorf("the fixed file would not build: %v", after.Invalid.Msg)
	}
	if bad, n := brokenScripts(after), brokenScripts(before); bad > n {
		return fmt.Errorf("the fixed file has %d RUN instructions that do not parse as shell (had %d)", bad, n)
	}
	return nil
}

func brokenScripts(f *parser.File) int {
	n := 0
	for _, in := range f.Instructions {
		if in.Script != nil && in.Script.Err != nil {
			n++
		}
		for _, h := range in.HeredocScripts {
			if h.Err != nil {
				n++
			}
		}
	}
	return n
}

// filesOnlyDone reports a fix without edits whose new files an earlier
// round already created: passes see the same build context every round and
// would propose them again.
func filesOnlyDone(have []NewFile, fd Finding) bool {
	if len(fd.Fix.Edits) > 0 || len(fd.Fix.NewFiles) == 0 {
		return false
	}
	for _, nf := range fd.Fix.NewFiles {
		found := false
		for _, h := range have {
			found = found || h.Path == nf.Path && string(h.Content) == string(nf.Content)
		}
		if !found {
			return false
		}
	}
	return true
}

func mergeFiles(have, add []NewFile) []NewFile {
	for _, nf := range add {
		replaced := false
		for i := range have {
			if have[i].Path == nf.Path {
				have[i] = nf
				replaced = true
			}
		}
		if !replaced {
			have = append(have, nf)
		}
	}
	return have
}
