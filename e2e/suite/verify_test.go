package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockslim/dockslim/internal/measure"
	"github.com/dockslim/dockslim/internal/proof"
)

func verified(fixes ...proof.FixProof) *proof.Report {
	final := &proof.Trial{Built: true, SizeBytes: 500e6, Smoke: &measure.Smoke{Stdout: "ok\n"}}
	return &proof.Report{
		Smoke:     &proof.SmokeTest{Argv: []string{"app"}},
		Original:  &proof.Trial{Built: true, SizeBytes: 1000e6},
		Final:     final,
		Fixes:     fixes,
		SafeFixes: true,
		Trials:    []*proof.Trial{final},
		Rebuild:   &proof.Rebuild{Touched: "main.go", Original: &measure.Steps{RunRerun: 2}, Final: &measure.Steps{RunRerun: 1}},
	}
}

// TestCheckVerified: what unsafe-breaks names must be dropped, the rest
// kept; the verified image prints smoke.expected.
func TestCheckVerified(t *testing.T) {
	kept := proof.FixProof{Rule: "DS301", Line: 3, Kept: true}
	dropped := proof.FixProof{Rule: "DS200", Line: 1, Reason: "the smoke test fails: exit 1"}
	if p := checkVerified(verified(kept, dropped), []string{"DS200"}, []byte("ok\n")); len(p) != 0 {
		t.Errorf("expected drop: %v", p)
	}
	p := checkVerified(verified(kept, dropped), nil, []byte("other\n"))
	if len(p) != 2 || !strings.Contains(p[0], "DS200 (line 1) dropped: the smoke test fails") || !strings.Contains(p[1], "not smoke.expected") {
		t.Errorf("unexpected drop: %v", p)
	}
	r := verified(kept, dropped)
	r.SafeFixes, r.Notes = false, []string{"the safe fixes failed (x)"}
	if p := checkVerified(r, []string{"DS200"}, nil); len(p) != 1 || !strings.Contains(p[0], "the safe fixes did not pass: the safe fixes failed (x)") {
		t.Errorf("safe fixes failed: %v", p)
	}
	p = checkVerified(verified(kept), []string{"DS301", "DS200"}, nil)
	if len(p) != 2 || !strings.Contains(p[0], "DS301 (line 3) kept, but unsafe-breaks") || !strings.Contains(p[1], "DS200 was not tried") {
		t.Errorf("kept what breaks: %v", p)
	}
}

func TestMustDropAndMarkdown(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "unsafe-breaks"), []byte("DS200, DS405: the slim image lacks convert\n"), 0o644)
	if got := strings.Join(mustDrop(filepath.Join(dir, "unsafe-breaks")), " "); got != "DS200 DS405" || !unsafeBreaks(dir) || unsafeBreaks(t.TempDir()) {
		t.Errorf("mustDrop: %q", got)
	}
	apps := []*VerifiedApp{{Name: "a", Seconds: 42, Problems: []string{},
		Report: verified(proof.FixProof{Rule: "DS301", Kept: true}, proof.FixProof{Rule: "DS200", Reason: "the build fails: x"})}}
	md := verifyMarkdown(apps, time.Minute)
	if want := "| a | 2 | DS301 | DS200 (the build fails: x) | 1000 MB | 500 MB | 2 → 1 (edited main.go) | 1 | 42s | ok |"; !strings.Contains(md, want) {
		t.Errorf("markdown lacks %q:\n%s", want, md)
	}
}
