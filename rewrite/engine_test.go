package rewrite

import (
	"strings"
	"testing"
)

func TestNewEngineCollisions(t *testing.T) {
	run := func(*Context) {}
	a := &Rule{ID: "DS991", Name: "test-a"}
	for name, tc := range map[string]struct {
		passes []*Pass
		want   string
	}{
		"same id": {[]*Pass{{Name: "p", Rules: []*Rule{a}, Run: run},
			{Name: "q", Rules: []*Rule{{ID: "DS991", Name: "test-b"}}, Run: run}}, "rule id DS991"},
		"same rule twice": {[]*Pass{{Name: "p", Rules: []*Rule{a}, Run: run},
			{Name: "q", Rules: []*Rule{a}, Run: run}}, "in two passes"},
		"same name": {[]*Pass{{Name: "p", Rules: []*Rule{a, {ID: "DS992", Name: "Test-A"}}, Run: run}}, `rule name "Test-A"`},
		"same pass": {[]*Pass{{Name: "p", Rules: []*Rule{a}, Run: run}, {Name: "p", Run: run}}, `pass "p" listed twice`},
		"no run":    {[]*Pass{{Name: "p"}}, "has no Run"},
	} {
		e, err := NewEngine(tc.passes...)
		if e != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: engine %v, error %v; want one saying %q", name, e, err, tc.want)
		}
	}
	e, err := NewEngine(&Pass{Name: "p", Rules: []*Rule{a}, Run: run})
	if err != nil || e.LookupRule("test-A") != a || e.LookupRule("ds991") != a || len(e.Rules()) != 1 {
		t.Fatalf("engine %v, error %v", e, err)
	}
}
