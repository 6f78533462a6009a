package main

import (
	"testing"

	"github.com/dockslim/dockslim/internal/measure"
)

// sizeChange is one original size, one fixed size and how the text says it.
type sizeChange struct {
	orig, fixed int64
	want        string
}

func TestMeasureSizeChange(t *testing.T) {
	cases := []sizeChange{
		{300e6, 260e6, "13.3% smaller"},
		{260e6, 300e6, "15.4% larger"},
		{1_099_200_000, 1_099_212_000, "12.0 kB larger"},
		{1_099_212_000, 1_099_200_000, "12.0 kB smaller"},
		{5e6, 5e6, "the same size"},
	}
	for _, c := range cases {
		r := &measure.Report{Original: &measure.Variant{SizeBytes: c.orig}, Fixed: &measure.Variant{SizeBytes: c.fixed}}
		r.ReductionPercent = float64(c.orig-c.fixed) / float64(c.orig) * 100
		if got := change(r); got != c.want {
			t.Errorf("%d → %d: got %q want %q", c.orig, c.fixed, got, c.want)
		}
	}
	if got := mb(1500); got != "1.5 kB" {
		t.Errorf("mb(1500) = %q", got)
	}
}
