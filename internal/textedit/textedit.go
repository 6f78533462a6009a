// Package textedit applies byte-range replacements to a text.
package textedit

import (
	"fmt"
	"sort"
)

// Edit replaces Src[Start:End] with Text. Start == End is an insertion.
type Edit struct {
	Start, End int
	Text       string
}

func (e Edit) String() string { return fmt.Sprintf("[%d,%d)→%q", e.Start, e.End, e.Text) }

// Overlaps reports whether two edits touch the same bytes. Two insertions
// at the same offset overlap too: their order would be ambiguous.
func Overlaps(a, b Edit) bool {
	if a.Start == a.End && b.Start == b.End {
		return a.Start == b.Start
	}
	// An insertion at either end of a replaced range overlaps it: which of
	// the two comes first is not defined, and a later round sees it again.
	if a.Start == a.End {
		return a.Start >= b.Start && a.Start <= b.End
	}
	if b.Start == b.End {
		return b.Start >= a.Start && b.Start <= a.End
	}
	return a.Start < b.End && b.Start < a.End
}

// Apply returns src with edits applied. Edits must not overlap each other;
// insertions at one offset are applied in the order given.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	es := append([]Edit(nil), edits...)
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Start != es[j].Start {
			return es[i].Start < es[j].Start
		}
		return es[i].End < es[j].End
	})
	out := make([]byte, 0, len(src)+64)
	pos := 0
	for _, e := range es {
		if e.Start < pos || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("bad or overlapping edit %v", e)
		}
		out = append(out, src[pos:e.Start]...)
		out = append(out, e.Text...)
		pos = e.End
	}
	return append(out, src[pos:]...), nil
}
