package proof

import (
	"context"
	"slices"
)

// trial tests the fixes of set (kept plus some rules) against those of
// kept alone: whether the image is as good, and why not.
type trial func(kept, set []string) (ok bool, why string)

// dropFunc is told a rule dropped: the set it failed in, and why.
type dropFunc func(rule string, set []string, why string)

// bisect returns kept extended by the rules of group that pass. The whole
// group is tried first; a group that fails is halved and each half tried in
// turn (the first half's passing rules kept when the second is tried), down
// to single rules, which are dropped when they fail alone (drop gets the
// rule, the set that failed with it and why).
// One failing rule among n costs about 2·log2(n) builds, most of their
// steps cached.
func bisect(ctx context.Context, kept, group []string, try trial, drop dropFunc) []string {
	return search(ctx, kept, group, "", try, drop)
}

// search is bisect where failed, when not empty, says why kept+group is
// already known to fail: when a whole first half passed, kept plus the
// second half is the group that failed, and is not tried again.
func search(ctx context.Context, kept, group []string, failed string, try trial, drop dropFunc) []string {
	if len(group) == 0 || ctx.Err() != nil {
		return kept
	}
	why := failed
	if why == "" {
		set := append(slices.Clone(kept), group...)
		var ok bool
		if ok, why = try(kept, set); ok {
			return set
		}
	}
	if len(group) == 1 {
		drop(group[0], append(slices.Clone(kept), group...), why)
		return kept
	}
	mid := len(group) / 2
	first := search(ctx, kept, group[:mid], "", try, drop)
	if len(first) < len(kept)+mid {
		why = "" // part of the first half went: the rest is untried
	}
	return search(ctx, first, group[mid:], why, try, drop)
}
