package all_test

import (
	"testing"

	"github.com/dockslim/dockslim/rewrite/all"
)

// TestCatalogue: the pass list builds an engine (no rule id or name used
// twice, no pass listed twice), and every rule is documented.
func TestCatalogue(t *testing.T) {
	e, err := all.New()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Passes()) != len(all.Passes()) {
		t.Fatalf("%d passes in the engine, %d listed", len(e.Passes()), len(all.Passes()))
	}
	for _, r := range e.Rules() {
		if r.ID == "" || r.Name == "" || r.Summary == "" {
			t.Errorf("rule %q (%s) is not documented", r.ID, r.Name)
		}
		if e.LookupRule(r.ID) != r || e.LookupRule(r.Name) != r {
			t.Errorf("rule %s is not found by its id and name", r.ID)
		}
	}
}
