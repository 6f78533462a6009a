package proof

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestBisect: rules B and E break the build among six; the others are
// kept, B and E dropped with the reason of their own trial, and the
// number of trials stays near 2·log2(n) per failing rule.
func TestBisect(t *testing.T) {
	bad := []string{"B", "E"}
	var tried []string
	try := func(kept, set []string) (bool, string) {
		tried = append(tried, strings.Join(set, ""))
		for _, r := range set {
			if slices.Contains(bad, r) {
				return false, "broken by " + r
			}
		}
		return true, ""
	}
	dropped := map[string]string{}
	kept := bisect(context.Background(), []string{}, []string{"A", "B", "C", "D", "E", "F"}, try, func(r string, set []string, why string) { dropped[r] = why + " in " + strings.Join(set, "") })
	if strings.Join(kept, "") != "ACDF" || dropped["B"] != "broken by B in AB" || dropped["E"] != "broken by E in ACDE" || len(dropped) != 2 {
		t.Fatalf("kept %v dropped %v", kept, dropped)
	}
	want := "ABCDEF ABC A AB AC ACDEF ACD ACDE ACDF"
	if got := strings.Join(tried, " "); got != want {
		t.Errorf("tried %s\nwant  %s", got, want)
	}
	// Everything passes: one trial.
	tried = nil
	bad = nil
	if kept := bisect(context.Background(), []string{}, []string{"A", "B", "C"}, try, nil); len(kept) != 3 || len(tried) != 1 {
		t.Errorf("kept %v after %v", kept, tried)
	}
	// A cancelled run tries nothing more.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tried = nil
	if kept := bisect(ctx, []string{"X"}, []string{"A"}, try, nil); len(kept) != 1 || len(tried) != 0 {
		t.Errorf("cancelled: kept %v after %v", kept, tried)
	}
}

// TestRetries: a failed step is tried once more, a builder error three
// times.
func TestRetries(t *testing.T) {
	if r := retries(`Error: building at STEP "RUN make": while running runtime: exit status 2`); r != 1 {
		t.Errorf("step: %d", r)
	}
	if r := retries("Error: checking if cached image exists from a previous build: getting top layer info: layer not known"); r != 3 {
		t.Errorf("store: %d", r)
	}
}
