package slimbase

import (
	"testing"

	"github.com/dockslim/dockslim/rewrite"
)

// Every rule is documented; a fixable rule's Before gives its After, a
// report-only rule's Before gives a finding of that rule.
func TestRuleExamples(t *testing.T) {
	rules := []*rewrite.Rule{RuleSlimBase, RuleAlpineBase, RuleSlimDeclined, RuleSmallerVariant,
		RuleOutdated, RuleUnofficialSlim, RuleCrossLibc}
	for _, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if r.Explanation == "" || r.Summary == "" || r.Before == "" || r.After == "" {
				t.Fatal("rule is not documented")
			}
			opts := rewrite.Options{UnsafeFixes: true, Selector: rewrite.Selector{Select: []string{r.ID}}}
			res, err := testEngine(t).Run("Dockerfile", []byte(r.Before+"\n"), opts)
			if err != nil {
				t.Fatal(err)
			}
			if r.Applicability == rewrite.Suggestion {
				if len(res.Findings) == 0 || res.Findings[0].Rule != r {
					t.Errorf("Before gives no %s finding: %v", r.ID, res.Findings)
				}
				return
			}
			if string(res.Output) != r.After+"\n" {
				t.Errorf("Before gives\n%s\nwant\n%s", res.Output, r.After+"\n")
			}
		})
	}
}

// testEngine runs this package's passes (and rewrite.InvalidPass), in the
// order of rewrite/all's list.
func testEngine(t testing.TB) *rewrite.Engine {
	t.Helper()
	e, err := rewrite.NewEngine(OutdatedPass, UnofficialPass, CrossLibcPass, rewrite.InvalidPass, SlimPass)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
