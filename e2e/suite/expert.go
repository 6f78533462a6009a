package main

import (
	"fmt"
	"strings"

	"github.com/dockslim/dockslim/internal/measure"
)

// goalShare is the part of an expert's hand saving that `dockslim fix
// --unsafe-fixes` must reach on every app (issue 15).
const goalShare = 95.0

// share is the part of the expert's saving that a fixed image reaches,
// (original − fixed) / (original − expert) × 100. An expert who saves
// nothing measurable (within measure.SizeSlack) is matched by a fixed image
// no larger than the expert's. ok is false without a built expert image.
func share(orig, fixed int64, expert *measure.Variant) (p float64, ok bool) {
	if expert == nil || !expert.Built || orig <= 0 {
		return 0, false
	}
	saving := orig - expert.SizeBytes
	if saving <= measure.SizeSlack {
		if fixed <= expert.SizeBytes+measure.SizeSlack {
			return 100, true
		}
		return 0, true
	}
	return float64(orig-fixed) / float64(saving) * 100, true
}

// shareText shows a share capped to [0, 100] ("-" without an expert):
// beating the expert, or making the image bigger, is told by the sizes.
func shareText(p float64, ok bool) string {
	switch {
	case !ok:
		return "-"
	case p > 100:
		return ">100%"
	case p < 0:
		return "<0%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// unsafeReport is what `fix --unsafe-fixes` gives: the unsafe measurement,
// or the safe one when --unsafe-fixes changes nothing more.
func (a *App) unsafeReport() *measure.Report {
	if a.Unsafe != nil {
		return a.Unsafe
	}
	return a.Safe
}

// expert is the expert's measured variant (nil without expert.Dockerfile).
func (a *App) expert() *measure.Variant {
	if a.Safe == nil {
		return nil
	}
	return a.Safe.Expert
}

// compare fills the shares of the expert's saving and lists the gaps:
// --unsafe-fixes reaching less than goalShare of it, or rerunning more RUN
// steps after the source edit than the expert's Dockerfile.
func (a *App) compare() {
	e := a.expert()
	if e == nil || !e.Built {
		return
	}
	if p, ok := share(a.Safe.Original.SizeBytes, a.Safe.Fixed.SizeBytes, e); ok && a.Safe.Fixed.Built {
		a.SafeShare = &p
	}
	u := a.unsafeReport()
	if !u.Fixed.Built {
		return
	}
	p, _ := share(a.Safe.Original.SizeBytes, u.Fixed.SizeBytes, e)
	a.UnsafeShare = &p
	if p < goalShare {
		a.Gaps = append(a.Gaps, fmt.Sprintf("--unsafe-fixes reaches %s of the expert's saving (%s → %s; expert %s), below %.0f%%",
			shareText(p, true), mb(a.Safe.Original.SizeBytes), mb(u.Fixed.SizeBytes), mb(e.SizeBytes), goalShare))
	}
	for _, v := range []*measure.Variant{u.Fixed, e} {
		if v.Rebuild == nil && v.RebuildError != "" {
			a.Gaps = append(a.Gaps, fmt.Sprintf("the RUN steps rerun cannot be compared: rebuilding %s after the edit failed three times: %s",
				v.Tag, lastLine(v.RebuildError)))
		}
	}
	if e.Rebuild != nil && u.Fixed.Rebuild != nil && u.Fixed.Rebuild.RunRerun > e.Rebuild.RunRerun {
		a.Gaps = append(a.Gaps, fmt.Sprintf("--unsafe-fixes reruns %d RUN steps after editing %s, the expert's Dockerfile %d",
			u.Fixed.Rebuild.RunRerun, a.Safe.Touched, e.Rebuild.RunRerun))
	}
}

// checkExpert reports an expert Dockerfile that does not build or whose
// image fails the app's smoke test: the comparison would mean nothing.
func (a *App) checkExpert(r *measure.Report) {
	e := r.Expert
	switch {
	case e == nil || !r.Original.Built:
	case !e.Built:
		a.Problems = append(a.Problems, "expert: expert.Dockerfile does not build:\n"+e.ErrorTail)
	case r.ExpertSmokeMatches == nil:
		a.Problems = append(a.Problems, "expert: no smoke test ran")
	case !*r.ExpertSmokeMatches:
		a.Problems = append(a.Problems, fmt.Sprintf("expert: smoke output differs: original %q (exit %d), expert %q (exit %d)",
			r.Original.Smoke.Stdout, r.Original.Smoke.ExitCode, e.Smoke.Stdout, e.Smoke.ExitCode))
	}
}

// runRerun shows the RUN steps a variant reran after the edit ("-" when
// the variant or its rebuild is missing).
func runRerun(v *measure.Variant) string {
	if v == nil || v.Rebuild == nil {
		return "-"
	}
	return fmt.Sprint(v.Rebuild.RunRerun)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
