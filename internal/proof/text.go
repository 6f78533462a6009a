package proof

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for people: the smoke test, each unsafe fix
// kept or dropped and why, sizes, build times, the cached-rebuild test.
func WriteText(w io.Writer, r *Report) {
	fmt.Fprintf(w, "%s: verified with %s in %.0fs (%d image(s) built; sizes uncompressed)\n", r.Dockerfile, r.Builder, r.Seconds, len(r.Trials))
	if sm := r.Smoke; sm != nil {
		if sm.Argv != nil {
			how := "exit 0"
			if sm.CompareOutput {
				how = "exit 0 and the original's output"
			}
			fmt.Fprintf(w, "  smoke test (%s): %s; a fixed image must give %s\n", sm.Source, strings.Join(sm.Argv, " "), how)
		}
		for _, n := range sm.Notes {
			fmt.Fprintf(w, "  smoke test %s\n", n)
		}
	}
	if o := r.Original; o != nil && o.Built {
		fmt.Fprintf(w, "  original: %s, built in %.1fs\n", mb(o.SizeBytes), o.BuildSeconds)
	}
	for _, f := range r.Fixes {
		verdict := "dropped"
		if f.Kept {
			verdict = "kept"
		}
		fmt.Fprintf(w, "  line %d: %s %s: %s\n", f.Line, f.Rule, verdict, f.Reason)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if f, o := r.Final, r.Original; f != nil && o != nil && f.Built && o.Built {
		fmt.Fprintf(w, "  result: %s → %s (%.1f%% smaller), built in %.1fs; %d of %d unsafe fix(es) kept\n",
			mb(o.SizeBytes), mb(f.SizeBytes), r.ReductionPercent, f.BuildSeconds, kept(r.Fixes), len(r.Fixes))
	}
	switch rb := r.Rebuild; {
	case rb == nil:
	case rb.Original != nil && rb.Final != nil:
		fmt.Fprintf(w, "  after editing %s: RUN steps run again %d → %d (steps from the cache %d/%d → %d/%d)\n", rb.Touched,
			rb.Original.RunRerun, rb.Final.RunRerun, rb.Original.Reused, rb.Original.Steps, rb.Final.Reused, rb.Final.Steps)
	default:
		fmt.Fprintf(w, "  after editing %s: a rebuild failed, no step count\n", rb.Touched)
	}
}

func kept(fs []FixProof) int {
	n := 0
	for _, f := range fs {
		if f.Kept {
			n++
		}
	}
	return n
}
