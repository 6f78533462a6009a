// Package strset is a small set of strings that costs nothing at start.
//
// A package-level map[string]bool is built by code that runs in init, in
// every process, whether the set is consulted or not; with dozens of sets
// that was a measurable part of a pre-commit run's start-up. A Set literal
// (strset.Set{"a", "b"}) is laid out by the linker instead. Sets here are
// small (tens of entries), so a linear scan is as fast as hashing.
package strset

// Set is a set of strings written as a literal; duplicates are harmless.
type Set []string

// Has reports whether s is in the set.
func (set Set) Has(s string) bool {
	for _, e := range set {
		if e == s {
			return true
		}
	}
	return false
}
