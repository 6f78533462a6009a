package main

import (
	"fmt"
	"strings"
	"time"
)

// columns of report.md, one row per app.
var columns = []string{"app", "original", "fixed (safe)", "reduction", "fixed (unsafe)", "reduction",
	"expert", "share of the expert's saving (safe / unsafe)",
	"RUN steps rerun after a source edit: original / safe / unsafe / expert",
	"steps reused after the edit, original → fixed → unsafe", "fixes (safe / unsafe)", "result"}

func markdown(apps []*App, elapsed time.Duration) string {
	var sb strings.Builder
	sb.WriteString("| " + strings.Join(columns, " | ") + " |\n")
	sb.WriteString(strings.Repeat("|---", len(columns)) + "|\n")
	var reductions []float64
	experts, reached := 0, 0
	for _, a := range apps {
		sb.WriteString("| " + strings.Join(row(a), " | ") + " |\n")
		if s := a.Safe; s != nil {
			best := s.ReductionPercent
			if a.Unsafe != nil {
				best = max(best, a.Unsafe.ReductionPercent)
			}
			reductions = append(reductions, best)
		}
		if a.UnsafeShare != nil {
			experts++
			if len(a.Gaps) == 0 {
				reached++
			}
		}
	}
	fmt.Fprintf(&sb, "\nMedian size reduction (best of safe/unsafe): %s over %d apps. Sizes are uncompressed sizes of images built on the local stand-in bases (see e2e/README.md), not Docker Hub's. Run time: %s.\n",
		pct(median(reductions)), len(reductions), elapsed.Round(time.Second))
	fmt.Fprintf(&sb, "\nExpert comparison: --unsafe-fixes reaches ≥ %.0f%% of the expert's saving with no more RUN steps rerun on %d of %d apps with an expert.Dockerfile (share = (original − fixed) / (original − expert)).\n",
		goalShare, reached, experts)
	for _, a := range apps {
		for _, p := range a.Problems {
			fmt.Fprintf(&sb, "\n- **%s**: %s", a.Name, p)
		}
		for _, g := range a.Gaps {
			fmt.Fprintf(&sb, "\n- **%s** (gap): %s", a.Name, g)
		}
	}
	sb.WriteString("\n")
	return sb.String()
}

// row is one app's cells, in the order of columns.
func row(a *App) []string {
	r := []string{a.Name, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "ok"}
	switch {
	case a.Inconclusive:
		r[11] = "SKIPPED (original did not build)"
	case len(a.Problems) > 0:
		r[11] = "FAILED"
	case len(a.Gaps) > 0:
		r[11] = "ok (gap)"
	}
	s, u := a.Safe, a.Unsafe
	if s == nil {
		return r
	}
	r[1], r[2], r[3] = mb(s.Original.SizeBytes), mb(s.Fixed.SizeBytes), pct(s.ReductionPercent)
	nu := 0
	if u != nil {
		r[4], r[5] = mb(u.Fixed.SizeBytes), pct(u.ReductionPercent)
		nu = len(u.Fixes)
	}
	r[10] = fmt.Sprintf("%d / %d", len(s.Fixes), nu)
	if e := a.expert(); e != nil && e.Built {
		r[6] = mb(e.SizeBytes)
		r[7] = shareText(deref(a.SafeShare)) + " / " + shareText(deref(a.UnsafeShare))
	}
	r[8] = strings.Join([]string{runRerun(s.Original), runRerun(s.Fixed), runRerun(a.unsafeReport().Fixed), runRerun(a.expert())}, " / ")
	if s.Original.Rebuild != nil && s.Fixed.Rebuild != nil {
		r[9] = fmt.Sprintf("%d/%d → %d/%d", s.Original.Rebuild.Reused, s.Original.Rebuild.Steps,
			s.Fixed.Rebuild.Reused, s.Fixed.Rebuild.Steps)
		if u != nil && u.Fixed.Rebuild != nil {
			r[9] += fmt.Sprintf(" → %d/%d", u.Fixed.Rebuild.Reused, u.Fixed.Rebuild.Steps)
		}
		r[9] += " (edited " + s.Touched + ")"
	}
	return r
}

func deref(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}
