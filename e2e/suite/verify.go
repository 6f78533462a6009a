package main

// The verify mode (-verify DOCKSLIM, e2e/run.sh runs it after the suite) is
// the e2e check of `dockslim fix --verify`: every sample app through
// `dockslim fix --verify --builder buildah --smoke "$(cat smoke)" --format
// json`, one after the other. It fails unless every unsafe fix is kept,
// except those the app's unsafe-breaks file names (they break the app: they
// must be dropped), and the verified image prints smoke.expected and is no
// larger than the original. It writes verify.md and verify.json.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dockslim/dockslim/internal/measure"
	"github.com/dockslim/dockslim/internal/proof"
)

// VerifiedApp is one app's outcome in the verify mode.
type VerifiedApp struct {
	Name    string        `json:"name"`
	Report  *proof.Report `json:"report,omitempty"`
	Seconds float64       `json:"seconds"`
	// MustDrop are the rules the app's unsafe-breaks file names.
	MustDrop []string `json:"must_drop,omitempty"`
	Problems []string `json:"problems"`
	// Inconclusive: the original did not build (the machine, not dockslim).
	Inconclusive bool `json:"inconclusive,omitempty"`
}

// runVerify is the verify mode over the named apps; it returns the exit
// code: 1 when an app fails, 3 when an original did not build.
func runVerify(ctx context.Context, dockslim, dir string, names []string, out string) int {
	start := time.Now()
	var results []*VerifiedApp
	for _, name := range names {
		results = append(results, verifyApp(ctx, dockslim, filepath.Join(dir, name), name))
	}
	must(os.MkdirAll(out, 0o755))
	js, _ := json.MarshalIndent(struct {
		Apps    []*VerifiedApp `json:"apps"`
		Seconds float64        `json:"seconds"`
	}{results, time.Since(start).Seconds()}, "", "  ")
	md := verifyMarkdown(results, time.Since(start))
	must(os.WriteFile(filepath.Join(out, "verify.json"), append(js, '\n'), 0o644))
	must(os.WriteFile(filepath.Join(out, "verify.md"), []byte(md), 0o644))
	fmt.Print(md)
	failed, inconclusive := 0, 0
	for _, a := range results {
		switch {
		case a.Inconclusive:
			inconclusive++
		case len(a.Problems) > 0:
			failed++
		}
	}
	fmt.Printf("\nverify e2e: %d passed, %d failed, %d skipped (original did not build); report in %s/verify.md\n",
		len(results)-failed-inconclusive, failed, inconclusive, out)
	switch {
	case failed > 0:
		return 1
	case inconclusive > 0:
		return 3
	}
	return 0
}

// verifyApp runs fix --verify on one app and checks the result.
func verifyApp(ctx context.Context, dockslim, dir, name string) *VerifiedApp {
	a := &VerifiedApp{Name: name, Problems: []string{}}
	smoke, _ := os.ReadFile(filepath.Join(dir, "smoke"))
	expected, _ := os.ReadFile(filepath.Join(dir, "smoke.expected"))
	a.MustDrop = mustDrop(filepath.Join(dir, "unsafe-breaks"))
	fmt.Fprintf(os.Stderr, "== %s (fix --verify)\n", name)
	cmd := exec.CommandContext(ctx, dockslim, "fix", "--verify", "--builder", "buildah",
		"--smoke", strings.TrimSpace(string(smoke)), "--format", "json", filepath.Join(dir, "Dockerfile"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	a.Seconds = time.Since(start).Seconds()
	var ee *exec.ExitError
	if errors.As(err, &ee) && strings.Contains(stderr.String(), "the original Dockerfile does not build") {
		a.Inconclusive = true
		a.Problems = append(a.Problems, "the original does not build:\n"+measure.Tail(stderr.String(), 10))
		return a
	}
	var files []struct {
		*proof.Report
	}
	if err != nil || json.Unmarshal(stdout.Bytes(), &files) != nil || len(files) != 1 {
		a.Problems = append(a.Problems, fmt.Sprintf("dockslim fix --verify failed (%v):\n%s", err, measure.Tail(stderr.String(), 10)))
		return a
	}
	a.Report = files[0].Report
	a.Problems = append(a.Problems, checkVerified(a.Report, a.MustDrop, expected)...)
	return a
}

// unsafeBreaks reports whether the app's unsafe-breaks file says that
// --unsafe-fixes breaks it: the suite leaves that variant to the verify
// mode, which must drop what breaks and keep the rest.
func unsafeBreaks(dir string) bool { return len(mustDrop(filepath.Join(dir, "unsafe-breaks"))) > 0 }

// mustDrop reads the rule ids an unsafe-breaks file names: the words
// before the first colon ("DS200: the program runs convert ...").
func mustDrop(p string) []string {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	ids, _, _ := strings.Cut(string(b), ":")
	return strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
}

// checkVerified compares the verification with what the app says: the fixes of
// mustDrop dropped, every other unsafe fix kept, the smoke output the
// expected one, the image no larger.
func checkVerified(r *proof.Report, mustDrop []string, expected []byte) []string {
	var problems []string
	tried := map[string]bool{}
	for _, f := range r.Fixes {
		tried[f.Rule] = true
		breaks := slices.Contains(mustDrop, f.Rule)
		switch {
		case breaks && f.Kept:
			problems = append(problems, fmt.Sprintf("%s (line %d) kept, but unsafe-breaks says it breaks the app", f.Rule, f.Line))
		case !breaks && !f.Kept:
			problems = append(problems, fmt.Sprintf("%s (line %d) dropped: %s", f.Rule, f.Line, f.Reason))
		}
	}
	for _, id := range mustDrop {
		if !tried[id] {
			problems = append(problems, id+" was not tried, yet unsafe-breaks names it")
		}
	}
	if !r.SafeFixes {
		problems = append(problems, "the safe fixes did not pass: "+strings.Join(r.Notes, "; "))
	}
	switch fin := r.Final; {
	case r.Smoke == nil || r.Smoke.Argv == nil:
		problems = append(problems, "no smoke test ran")
	case fin == nil || fin.Smoke == nil:
		problems = append(problems, "the verified image was not smoke-tested")
	case len(expected) > 0 && fin.Smoke.Stdout != string(expected):
		problems = append(problems, fmt.Sprintf("the verified image prints %q, not smoke.expected %q", fin.Smoke.Stdout, expected))
	}
	if r.Final != nil && r.Original != nil && r.Final.SizeBytes > r.Original.SizeBytes+measure.SizeSlack {
		problems = append(problems, fmt.Sprintf("the verified image is larger: %d > %d bytes", r.Final.SizeBytes, r.Original.SizeBytes))
	}
	return problems
}

// verifyMarkdown is the per-app table: fixes tried, kept and dropped (with why),
// size before and after, RUN steps rerun after a source edit, wall time.
func verifyMarkdown(apps []*VerifiedApp, elapsed time.Duration) string {
	var sb strings.Builder
	sb.WriteString("| app | unsafe fixes tried | kept | dropped | original | verified | RUN steps rerun after a source edit, original → verified | images built | wall time | result |\n")
	sb.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, a := range apps {
		row := []string{a.Name, "-", "-", "-", "-", "-", "-", "-", fmt.Sprintf("%.0fs", a.Seconds), "ok"}
		if r := a.Report; r != nil {
			var kept, dropped []string
			for _, f := range r.Fixes {
				if f.Kept {
					kept = append(kept, f.Rule)
				} else {
					dropped = append(dropped, f.Rule+" ("+f.Reason+")")
				}
			}
			row[1], row[2], row[3] = fmt.Sprint(len(r.Fixes)), list(kept), list(dropped)
			row[4], row[5] = mb(r.Original.SizeBytes), mb(r.Final.SizeBytes)
			if rb := r.Rebuild; rb != nil && rb.Original != nil && rb.Final != nil {
				row[6] = fmt.Sprintf("%d → %d (edited %s)", rb.Original.RunRerun, rb.Final.RunRerun, rb.Touched)
			}
			row[7] = fmt.Sprint(len(r.Trials))
		}
		if a.Inconclusive {
			row[9] = "SKIPPED (original did not build)"
		} else if len(a.Problems) > 0 {
			row[9] = "FAILED"
		}
		sb.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	fmt.Fprintf(&sb, "\n`dockslim fix --verify --builder buildah --smoke \"$(cat smoke)\" --format json` on each app, one after the other, on the stand-in bases (sizes uncompressed). Run time: %s.\n", elapsed.Round(time.Second))
	for _, a := range apps {
		for _, p := range a.Problems {
			fmt.Fprintf(&sb, "\n- **%s**: %s", a.Name, p)
		}
	}
	sb.WriteString("\n")
	return sb.String()
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, ", ")
}
