package rewrite

import (
	"fmt"
	"sort"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/textedit"
)

// maxRounds bounds fix → re-parse → re-analyse. Passes are written to
// converge in one or two rounds; more means a pass fights another.
const maxRounds = 8

// Result is what the driver did to one file.
type Result struct {
	Name          string
	Input, Output []byte
	// Findings are those of the input file, sorted by position.
	Findings []Finding
	// Applied are the findings whose fixes are in Output, in the order applied.
	Applied []Finding
	// Dropped are fixes that were not applied because the result failed
	// validation; Reason says why.
	Dropped []Dropped
	// Pending counts the fixes that exist but were not applied because they
	// are unsafe and --unsafe-fixes was not given.
	Pending  []Finding
	NewFiles []NewFile
	// Unstable is set when fixes were still pending after maxRounds: a bug.
	Unstable bool
}

// Dropped is a fix that failed validation.
type Dropped struct {
	Finding Finding
	Reason  string
}

// Changed reports whether the output differs from the input.
func (r *Result) Changed() bool { return string(r.Input) != string(r.Output) || len(r.NewFiles) > 0 }

// Analyze runs every pass on f and returns the findings of enabled rules
// that no suppression comment silences, sorted by position.
func Analyze(f *parser.File, opts Options) []Finding {
	var out []Finding
	sup := suppressions(f)
	for _, p := range Passes() {
		enabled := false
		for _, r := range p.Rules {
			enabled = enabled || opts.Selector.Enabled(r)
		}
		if !enabled {
			continue
		}
		c := &Context{File: f, Options: opts, pass: p}
		runPass(p, c)
		for _, fd := range c.out {
			if !opts.Selector.Enabled(fd.Rule) || sup.silences(f, fd) {
				continue
			}
			fd.Line, fd.Col = f.Position(fd.Offset)
			out = append(out, fd)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Offset != out[j].Offset {
			return out[i].Offset < out[j].Offset
		}
		return out[i].Rule.ID < out[j].Rule.ID
	})
	return out
}

// runPass runs one pass; a panicking pass loses its findings, not the file.
func runPass(p *Pass, c *Context) {
	defer func() {
		if r := recover(); r != nil {
			c.out = nil
			internalErrors.add(fmt.Sprintf("pass %s: %v", p.Name, r))
		}
	}()
	p.Run(c)
}

func (o Options) applies(fd Finding) bool {
	if fd.Fix == nil {
		return false
	}
	switch fd.Fix.Applicability {
	case Safe:
		return true
	case Unsafe:
		return o.UnsafeFixes
	}
	return false
}

// Run loads src, applies the fixes the options allow until nothing changes,
// and validates the result. The error is a *parser.ParseError when src is
// not a valid Dockerfile.
func Run(name string, src []byte, opts Options) (*Result, error) {
	f, err := parser.Load(name, src)
	if err != nil {
		return nil, err
	}
	res := &Result{Name: name, Input: src, Output: src}
	res.Findings = Analyze(f, opts)
	for _, fd := range res.Findings {
		if fd.Fix != nil && fd.Fix.Applicability == Unsafe && !opts.UnsafeFixes {
			res.Pending = append(res.Pending, fd)
		}
	}
	dropped := map[string]bool{}
	findings := res.Findings
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
		}
		res.Dropped = append(res.Dropped, failed...)
		if next == nil {
			if len(failed) == 0 {
				break
			}
			continue // retry without the dropped fixes
		}
		res.Applied = append(res.Applied, applied...)
		for _, fd := range applied {
			res.NewFiles = mergeFiles(res.NewFiles, fd.Fix.NewFiles)
		}
		f = next
		findings = Analyze(f, opts)
	}
	res.Output = f.Src
	return res, nil
}

func key(fd Finding) string { return fd.Rule.ID + "\x00" + fd.Message }

// applyRound applies the non-conflicting fixes of todo to f and validates
// the result. When the whole batch fails validation it retries fix by fix,
// keeping those that pass; failed lists the others.
func applyRound(f *parser.File, todo []Finding) (next *parser.File, applied []Finding, failed []Dropped) {
	batch := nonConflicting(todo)
	if nf, err := tryApply(f, batch); err == nil {
		return nf, batch, nil
	}
	cur := f
	for _, fd := range batch {
		nf, err := tryApply(cur, []Finding{fd})
		if err != nil {
			failed = append(failed, Dropped{Finding: fd, Reason: err.Error()})
			continue
		}
		cur = nf
		applied = append(applied, fd)
	}
	if len(applied) == 0 {
		return nil, nil, failed
	}
	return cur, applied, failed
}

// nonConflicting picks fixes in order, skipping any whose edits overlap an
// edit already picked (the next round will see it again).
func nonConflicting(todo []Finding) []Finding {
	var picked []Finding
	var taken []textedit.Edit
	for _, fd := range todo {
		ok := true
		for _, e := range fd.Fix.Edits {
			for _, t := range taken {
				if textedit.Overlaps(e, t) {
					ok = false
				}
			}
		}
		if ok {
			picked = append(picked, fd)
			taken = append(taken, fd.Fix.Edits...)
		}
	}
	return picked
}

func tryApply(f *parser.File, fds []Finding) (*parser.File, error) {
	var edits []textedit.Edit
	for _, fd := range fds {
		edits = append(edits, fd.Fix.Edits...)
	}
	out, err := textedit.Apply(f.Src, edits)
	if err != nil {
		return nil, err
	}
	nf, err := parser.Load(f.Name, out)
	if err != nil {
		return nil, fmt.Errorf("the fixed file would not parse: %v", err)
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
