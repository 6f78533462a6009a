package rewrite

import (
	"testing"

	"github.com/dockslim/dockslim/internal/textedit"
)

// AppliedSpans places edits of later rounds on the input: text copied from
// the input keeps its bytes, text an earlier round inserted maps to its
// insertion point.
func TestAppliedSpans(t *testing.T) {
	r1, r2 := &Rule{ID: "DS991"}, &Rule{ID: "DS992"}
	in := []byte("FROM a\nRUN x\nRUN y\n")
	// Round 0: DS991 inserts " z" after x (offset 12) and replaces "y" (18).
	round0 := []textedit.Edit{{Start: 12, End: 12, Text: " z"}, {Start: 17, End: 18, Text: "w"}}
	mid, _ := textedit.Apply(in, round0)
	// Round 1 (on "FROM a\nRUN x z\nRUN w\n"): DS992 replaces "x z" (11..14)
	// and inserts before FROM.
	round1 := []textedit.Edit{{Start: 11, End: 14, Text: "v"}, {Start: 0, End: 0, Text: "# c\n"}}
	out, _ := textedit.Apply(mid, round1)
	res := &Result{Input: in, Output: out, Applied: []Finding{
		{Rule: r1, Round: 0, Fix: &Fix{Edits: round0}},
		{Rule: r2, Round: 1, Fix: &Fix{Edits: round1}},
	}}
	spans, err := res.AppliedSpans()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]InputSpan{{{12, 12}, {17, 18}}, {{11, 12}, {0, 0}}}
	if len(spans) != 2 || len(spans[0]) != 2 || len(spans[1]) != 2 {
		t.Fatalf("spans %v, want %v", spans, want)
	}
	for i := range want {
		for j := range want[i] {
			if spans[i][j] != want[i][j] {
				t.Errorf("fix %d edit %d: span %v, want %v", i, j, spans[i][j], want[i][j])
			}
		}
	}
	res.Output = []byte("something else")
	if _, err := res.AppliedSpans(); err == nil {
		t.Errorf("AppliedSpans must fail when the fixes do not give the output")
	}
}
