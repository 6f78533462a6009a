package rewrite

import (
	"errors"

	"github.com/dockslim/dockslim/internal/textedit"
)

// InputSpan is a byte range [Start, End) of a Result's Input; Start == End
// is the point where a fix inserted text.
type InputSpan struct{ Start, End int }

// AppliedSpans returns, for each finding of r.Applied (same order), the
// ranges of r.Input its fix's edits replace. An edit of a later round is
// relative to that round's text; it is placed on the input through the
// edits of the earlier rounds (the OffsetMap the driver composes): a range
// of text copied from the input maps to its bytes, text an earlier fix
// inserted to the point where it was inserted. Tests use it to tie each
// change of the output to the rules that made it.
func (r *Result) AppliedSpans() ([][]InputSpan, error) {
	out := make([][]InputSpan, len(r.Applied))
	cur := r.Input
	m := IdentityMap(len(cur))
	for i := 0; i < len(r.Applied); {
		// The fixes of one round: every edit is relative to cur.
		j := i
		for j < len(r.Applied) && r.Applied[j].Round == r.Applied[i].Round {
			j++
		}
		var fixes [][]textedit.Edit
		var all []textedit.Edit
		for k := i; k < j; k++ {
			edits := r.Applied[k].Fix.Edits
			for _, e := range edits {
				out[k] = append(out[k], m.inputSpan(e.Start, e.End))
			}
			fixes = append(fixes, edits)
			all = append(all, edits...)
		}
		next, err := textedit.Apply(cur, all)
		if err != nil {
			return nil, err
		}
		m = m.Apply(cur, fixes...)
		cur = next
		i = j
	}
	if string(cur) != string(r.Output) {
		return nil, errors.New("rewrite: AppliedSpans: the applied fixes do not give the output")
	}
	return out, nil
}

// inputSpan is the smallest input range holding every input byte of the
// current text's [a, b), and the insertion points of its inserted text.
func (m *OffsetMap) inputSpan(a, b int) InputSpan {
	if a >= b {
		p := m.ToInput(a)
		return InputSpan{p, p}
	}
	sp := InputSpan{Start: -1}
	add := func(s, e int) {
		if sp.Start < 0 || s < sp.Start {
			sp.Start = s
		}
		if e > sp.End {
			sp.End = e
		}
	}
	for i := m.find(a); i < len(m.pieces) && m.pieces[i].cur < b; i++ {
		pc := m.pieces[i]
		if pc.inserted {
			add(pc.in, pc.in)
			continue
		}
		lo, hi := max(a, pc.cur), min(b, pc.cur+pc.n)
		add(pc.in+lo-pc.cur, pc.in+hi-pc.cur)
	}
	if sp.Start < 0 {
		p := m.ToInput(a)
		return InputSpan{p, p}
	}
	return sp
}
