package main

import (
	"fmt"
	"strings"

	"github.com/dockslim/dockslim/internal/proof"
	"github.com/dockslim/dockslim/internal/report"
	"github.com/dockslim/dockslim/rewrite"
)

// addVerified records a file fix --verify proved: the fixes it applies,
// each with the build that proved it (an unsafe fix, the image of the fixes
// kept; a safe one, the image of the safe fixes), then the unsafe fixes it
// dropped, with the reason and the build that failed, without their edits.
func addVerified(r *report.Report, j *job, rep *proof.Report) {
	kept := map[string]proof.FixProof{}
	fds := append([]rewrite.Finding(nil), j.res.Applied...)
	var dropped []proof.FixProof
	for _, fp := range rep.Fixes {
		if fp.Kept {
			kept[fmt.Sprint(fp.Rule, ":", fp.Line)] = fp
			continue
		}
		fd := fp.Finding
		if fd.Rule == nil || fd.Fix == nil {
			continue
		}
		fix := *fd.Fix
		fix.Edits = nil
		fd.Fix = &fix
		fds = append(fds, fd)
		dropped = append(dropped, fp)
	}
	n := len(r.Findings)
	add(r, j, fds)
	safe := safeTrial(rep)
	for i, fd := range j.res.Applied {
		f := &r.Findings[n+i]
		if fd.Fix.Applicability != rewrite.Unsafe {
			why := fmt.Sprintf("the image of the safe fixes builds, passes the smoke test and is %s (original %s)",
				mbOrDash(safe), mbOrDash(rep.Original))
			f.Proof = proofOf(rep, true, why, safe)
		} else if fp, ok := kept[fmt.Sprint(fd.Rule.ID, ":", fd.Line)]; ok {
			f.Proof = proofOf(rep, true, fp.Reason, fp.Proof)
		}
	}
	for i, fp := range dropped {
		r.Findings[n+len(j.res.Applied)+i].Proof = proofOf(rep, false, fp.Reason, fp.Proof)
	}
}

// proofOf is a verdict with the image t that decided it (nil: none built).
func proofOf(rep *proof.Report, kept bool, why string, t *proof.Trial) *report.Proof {
	p := &report.Proof{Kept: kept, Reason: why, Builder: rep.Builder}
	if rep.Original != nil {
		p.OriginalSizeBytes = rep.Original.SizeBytes
	}
	if rep.Smoke != nil && rep.Smoke.Argv != nil {
		p.Smoke = strings.Join(rep.Smoke.Argv, " ")
	}
	if t != nil {
		p.Image, p.SizeBytes, p.BuildSeconds = t.Tag, t.SizeBytes, t.BuildSeconds
		if t.Smoke != nil {
			code := t.Smoke.ExitCode
			p.SmokeExitCode = &code
		}
	}
	return p
}

// safeTrial is the image of the safe fixes alone.
func safeTrial(rep *proof.Report) *proof.Trial {
	for _, t := range rep.Trials {
		if t.Label == "safe" {
			return t
		}
	}
	return nil
}

func mbOrDash(t *proof.Trial) string {
	if t == nil || !t.Built {
		return "-"
	}
	return fmt.Sprintf("%.1f MB", float64(t.SizeBytes)/1e6)
}
