package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockslim/dockslim/internal/measure"
)

func report(orig, fixed int64, reused int) *measure.Report {
	yes := true
	return &measure.Report{
		Original:         &measure.Variant{Built: true, SizeBytes: orig, Rebuild: &measure.Steps{Steps: 4, Reused: 1, RunRerun: 2}},
		Fixed:            &measure.Variant{Built: true, SizeBytes: fixed, Rebuild: &measure.Steps{Steps: 5, Reused: reused, RunRerun: 2}},
		SmokeMatches:     &yes,
		ReductionPercent: float64(orig-fixed) / float64(orig) * 100,
		Touched:          "main.go",
	}
}

func TestMarkdownAndChart(t *testing.T) {
	apps := []*App{
		{Name: "a", Safe: report(1000e6, 500e6, 3), Problems: []string{}},
		{Name: "b", Safe: report(800e6, 700e6, 4), Unsafe: report(800e6, 100e6, 0), Problems: []string{}},
		{Name: "c", Safe: report(300e6, 270e6, 2), Problems: []string{"safe: smoke output differs"}},
	}
	md := markdown(apps, 90*time.Second)
	for _, want := range []string{"| a | 1000 MB | 500 MB | 50.0% |", "| b | 800 MB | 700 MB | 12.5% | 100 MB | 87.5% | - | - | 2 / 2 / 2 / - |",
		"1/4 → 3/5 (edited main.go)", "1/4 → 4/5 → 0/5 (edited main.go)", "Median size reduction (best of safe/unsafe): 50.0% over 3 apps", "FAILED", "smoke output differs"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	apps[0].Safe.Expert = expertVariant(90e6, 1)
	if n := len(bars(apps[0])); n != 3 {
		t.Errorf("bars with an expert: %d", n)
	}
	p := filepath.Join(t.TempDir(), "sizes.png")
	if err := writeChart(p, apps); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() != 900 {
		t.Fatalf("chart: %v %v", err, img.Bounds())
	}
}

func TestCheck(t *testing.T) {
	a := &App{Problems: []string{}}
	r := report(100e6, 101e6, 1)
	a.check("safe", r, []byte("x"), false)
	if len(a.Problems) != 1 || !strings.Contains(a.Problems[0], "larger") {
		t.Errorf("problems: %v", a.Problems)
	}
}

func expertVariant(size int64, runRerun int) *measure.Variant {
	return &measure.Variant{Built: true, SizeBytes: size, Rebuild: &measure.Steps{Steps: 5, Reused: 3, RunRerun: runRerun}}
}

func TestShare(t *testing.T) {
	for _, c := range []struct {
		orig, fixed int64
		expert      *measure.Variant
		want        float64
		ok          bool
		text        string
	}{
		{1000, 500, nil, 0, false, "-"},
		{1000, 500, &measure.Variant{SizeBytes: 100}, 0, false, "-"}, // the expert did not build
		{1398e6, 750e6, expertVariant(90e6, 1), 49.54, true, "50%"},
		{1398e6, 99e6, expertVariant(90e6, 1), 99.31, true, "99%"},
		{1000e6, 50e6, expertVariant(100e6, 1), 105.56, true, ">100%"},
		{1000e6, 1010e6, expertVariant(100e6, 1), -1.11, true, "<0%"},
		// An expert who saves nothing: matched when the fix is no larger.
		{4e6, 4e6 + 1000, expertVariant(4e6, 1), 100, true, "100%"},
		{4e6, 5e6, expertVariant(4e6, 1), 0, true, "0%"},
	} {
		got, ok := share(c.orig, c.fixed, c.expert)
		if ok != c.ok || math.Abs(got-c.want) > 0.01 || shareText(got, ok) != c.text {
			t.Errorf("share(%d, %d, %+v) = %.2f %v %q, want %.2f %v %q", c.orig, c.fixed, c.expert, got, ok, shareText(got, ok), c.want, c.ok, c.text)
		}
	}
}

func TestCompareGaps(t *testing.T) {
	withExpert := func(r *measure.Report, e *measure.Variant) *measure.Report { r.Expert = e; return r }
	// Unsafe reaches 50 % and reruns 2 RUN steps where the expert reruns 1.
	short := &App{Name: "rust-cli", Safe: withExpert(report(1398e6, 1398e6, 1), expertVariant(90e6, 1)), Unsafe: report(1398e6, 750e6, 1)}
	short.compare()
	if *short.SafeShare != 0 || len(short.Gaps) != 2 || !strings.Contains(short.Gaps[0], "50% of the expert's saving") ||
		short.Gaps[1] != "--unsafe-fixes reruns 2 RUN steps after editing main.go, the expert's Dockerfile 1" {
		t.Errorf("gaps: %q", short.Gaps)
	}
	// Without an unsafe measurement the safe one counts for --unsafe-fixes.
	ok := &App{Name: "multistage-ok", Safe: withExpert(report(4e6, 4e6, 3), expertVariant(4e6, 2))}
	ok.compare()
	if ok.UnsafeShare == nil || *ok.UnsafeShare != 100 || len(ok.Gaps) != 0 {
		t.Errorf("multistage-ok: %v %q", ok.UnsafeShare, ok.Gaps)
	}
	failed := &App{Name: "rust-cli", Safe: withExpert(report(1398e6, 97e6, 1), &measure.Variant{Tag: "x:expert", Built: true, SizeBytes: 90e6, RebuildError: "STEP 3/4\nerror: layer not known"})}
	failed.compare()
	if len(failed.Gaps) != 1 || !strings.HasSuffix(failed.Gaps[0], "rebuilding x:expert after the edit failed three times: error: layer not known") {
		t.Errorf("failed rebuild: %q", failed.Gaps)
	}
	none := &App{Name: "node-app", Safe: report(1000e6, 900e6, 1)}
	none.compare()
	if none.SafeShare != nil || none.UnsafeShare != nil || len(none.Gaps) != 0 {
		t.Errorf("no expert: %v %v %q", none.SafeShare, none.UnsafeShare, none.Gaps)
	}
	md := markdown([]*App{short, ok, none}, time.Second)
	for _, want := range []string{
		"| rust-cli | 1398 MB | 1398 MB | 0.0% | 750 MB | 46.4% | 90 MB | 0% / 50% | 2 / 2 / 2 / 1 |",
		"| multistage-ok | 4 MB | 4 MB | 0.0% | - | - | 4 MB | 100% / 100% | 2 / 2 / 2 / 2 |",
		"| node-app | 1000 MB | 900 MB | 10.0% | - | - | - | - | 2 / 2 / 2 / - |",
		"ok (gap) |", "- **rust-cli** (gap): --unsafe-fixes reaches 50% of the expert's saving (1398 MB → 750 MB; expert 90 MB), below 95%",
		"reaches ≥ 95% of the expert's saving with no more RUN steps rerun on 1 of 2 apps with an expert.Dockerfile",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestCheckExpert(t *testing.T) {
	no := false
	r := report(100e6, 90e6, 1)
	r.Original.Smoke = &measure.Smoke{Stdout: "ok\n"}
	r.Expert = &measure.Variant{Built: true, Smoke: &measure.Smoke{Stdout: "boom\n", ExitCode: 1}}
	r.ExpertSmokeMatches = &no
	a := &App{Problems: []string{}}
	a.checkExpert(r)
	if len(a.Problems) != 1 || !strings.Contains(a.Problems[0], "expert: smoke output differs") {
		t.Errorf("problems: %q", a.Problems)
	}
	r.Expert = &measure.Variant{ErrorTail: "E: no such package"}
	a = &App{Problems: []string{}}
	a.checkExpert(r)
	if len(a.Problems) != 1 || !strings.Contains(a.Problems[0], "does not build:\nE: no such package") {
		t.Errorf("problems: %q", a.Problems)
	}
}
