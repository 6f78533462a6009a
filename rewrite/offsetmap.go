package rewrite

import (
	"sort"
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
)

// OffsetMap relates the byte offsets of a text derived from an input by
// rounds of edits (the current text) to offsets of the input. The driver
// keeps one per round, composed over every edit applied so far, so that a
// finding of any round can be reported on the input.
//
// The current text is a sequence of pieces: runs copied unchanged from the
// input, and runs of text some edit inserted. An offset inside a copied run
// maps to its byte in the input; an offset inside inserted text maps to the
// input offset where that text was inserted (for a replacement, the start of
// the replaced range).
type OffsetMap struct {
	pieces []piece // in current-text order, contiguous, none empty
	inLen  int     // length of the input
	curLen int     // length of the current text
}

type piece struct {
	cur, n   int  // the piece is current[cur : cur+n]
	in       int  // copied: input[in : in+n]; inserted: the insertion point
	inserted bool // text that did not exist in the input
}

// IdentityMap is the map of an input of n bytes to itself.
func IdentityMap(n int) *OffsetMap {
	m := &OffsetMap{inLen: n, curLen: n}
	if n > 0 {
		m.pieces = []piece{{cur: 0, n: n, in: 0}}
	}
	return m
}

// Len is the length of the current text.
func (m *OffsetMap) Len() int { return m.curLen }

// find returns the index of the piece holding current offset p, or
// len(m.pieces) when p is at or past the end.
func (m *OffsetMap) find(p int) int {
	return sort.Search(len(m.pieces), func(i int) bool { return m.pieces[i].cur+m.pieces[i].n > p })
}

// ToInput maps an offset of the current text to the input. Offsets inside
// inserted text map to where it was inserted; the end of the current text
// maps to the end of the input.
func (m *OffsetMap) ToInput(p int) int {
	if p < 0 {
		return 0
	}
	i := m.find(p)
	if i == len(m.pieces) {
		return m.inLen
	}
	pc := m.pieces[i]
	if pc.inserted {
		return pc.in
	}
	return pc.in + p - pc.cur
}

// ToCurrent maps an input offset to the current text. A byte that an edit
// removed maps to where the text after it now starts; the end of the input
// maps to the end of the current text.
func (m *OffsetMap) ToCurrent(x int) int {
	after, afterIn := m.curLen, m.inLen+1
	for _, pc := range m.pieces {
		switch {
		case pc.inserted:
		case x >= pc.in && x < pc.in+pc.n:
			return pc.cur + x - pc.in
		case pc.in > x && pc.in < afterIn:
			after, afterIn = pc.cur, pc.in
		}
	}
	return after
}

// Apply returns the map of the text that fixes make of the current text
// cur: the composition of m with their edits. Each fix is a list of edits
// relative to cur; no edit overlaps another (textedit.Apply's contract). m
// is not changed.
//
// A move is a removal plus an insertion of the same text elsewhere (the
// layer-order pass moves whole instructions that way): text that an edit
// removes and an edit of the same fix inserts again keeps its input offsets
// instead of mapping to the insertion point, so a finding on a moved
// instruction stays on its input line.
func (m *OffsetMap) Apply(cur []byte, fixes ...[]textedit.Edit) *OffsetMap {
	if len(cur) != m.curLen {
		panic("rewrite: OffsetMap.Apply: the text is not the map's")
	}
	type edit struct {
		textedit.Edit
		fix int
	}
	var es []edit
	for i, f := range fixes {
		for _, e := range f {
			es = append(es, edit{e, i})
		}
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Start != es[j].Start {
			return es[i].Start < es[j].Start
		}
		return es[i].End < es[j].End
	})
	type span struct {
		start, end int
		text       string
	}
	// removed are, per fix, its removals long enough to be recognised
	// when moved.
	removed := make([][]span, len(fixes))
	pos := 0
	for _, e := range es {
		if e.Start < pos || e.End < e.Start || e.End > m.curLen {
			panic("rewrite: OffsetMap.Apply: bad or overlapping edit " + e.String())
		}
		pos = e.End
		if t := string(cur[e.Start:e.End]); len(strings.TrimSpace(t)) >= minMove {
			removed[e.fix] = append(removed[e.fix], span{e.Start, e.End, t})
		}
	}
	out := &OffsetMap{inLen: m.inLen}
	pos = 0
	for _, e := range es {
		out.copyRange(m, pos, e.Start)
		at := m.ToInput(e.Start)
		for text := e.Text; text != ""; {
			// The removed text of the same fix that occurs first in text
			// (the longest at one place).
			rs := removed[e.fix]
			best, bestAt := -1, len(text)
			for k, r := range rs {
				if i := strings.Index(text, r.text); i >= 0 && (i < bestAt || i == bestAt && best >= 0 && len(r.text) > len(rs[best].text)) {
					best, bestAt = k, i
				}
			}
			out.add(piece{n: bestAt, in: at, inserted: true})
			if best < 0 {
				break
			}
			r := rs[best]
			out.copyRange(m, r.start, r.end)
			removed[e.fix] = append(rs[:best:best], rs[best+1:]...)
			text = text[bestAt+len(r.text):]
		}
		pos = e.End
	}
	out.copyRange(m, pos, m.curLen)
	return out
}

// minMove is the least non-blank length of a removed text that Apply
// recognises as moved when an edit inserts it again.
const minMove = 4

// copyRange appends the pieces of m's current text [a, b).
func (m *OffsetMap) copyRange(from *OffsetMap, a, b int) {
	for i := from.find(a); i < len(from.pieces) && a < b; i++ {
		pc := from.pieces[i]
		lo, hi := max(a, pc.cur), min(b, pc.cur+pc.n)
		if lo >= hi {
			continue
		}
		np := piece{n: hi - lo, in: pc.in, inserted: pc.inserted}
		if !pc.inserted {
			np.in += lo - pc.cur
		}
		m.add(np)
	}
}

// add appends a piece at the end of the current text, merging it with the
// last one when both copy adjacent input or are inserted at one point.
func (m *OffsetMap) add(p piece) {
	if p.n == 0 {
		return
	}
	p.cur = m.curLen
	m.curLen += p.n
	if k := len(m.pieces); k > 0 {
		last := &m.pieces[k-1]
		if last.inserted == p.inserted && (p.inserted && last.in == p.in || !p.inserted && last.in+last.n == p.in) {
			last.n += p.n
			return
		}
	}
	m.pieces = append(m.pieces, p)
}
