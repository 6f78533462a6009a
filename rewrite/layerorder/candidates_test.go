package layerorder

import (
	"testing"

	"github.com/moby/patternmatcher"
)

// matchesAny's literal prefilter must never change the answer of
// patternmatcher itself, for every pattern ignoreEntries proposes.
func TestCandidateMatchesAnyAgreesWithPatternmatcher(t *testing.T) {
	patterns := []string{".git", ".env", "**/__pycache__", "**/*.py[cod]", ".venv", ".pytest_cache",
		"**/node_modules", "vendor", "vendor/bundle", "target", "build", ".gradle", "**/bin", "**/obj",
		`\.git`, "a[b"}
	paths := []string{"src/__pycache__/x.pyc", "a.pyc", "a.pyo", "app.py", "pkg/mod.pyd", ".git", ".git/config",
		"x/.git", ".gitignore", ".env", ".envrc", "node_modules/a", "web/node_modules/b", "node_modules",
		"vendor", "vendor/x", "vendor/bundle/x", "vendorx", "target/a", "target", "build", "buildx", "build/out",
		".gradle/x", "src/bin/app", "bin", "obj/x", "requirements.txt", ".venv/bin/python", ".pytest_cache/x",
		"ab", "a[b", "."}
	cache := &matcherCache{}
	for _, pat := range patterns {
		pm, err := patternmatcher.New([]string{pat})
		for _, p := range paths {
			want := err != nil
			if err == nil {
				m, merr := pm.MatchesOrParentMatches(p)
				want = m || merr != nil
			}
			if got := cache.matchesAny(pat, []string{p}); got != want {
				t.Errorf("matchesAny(%q, %q) = %v, patternmatcher says %v", pat, p, got, want)
			}
		}
	}
}
