package main

import (
	"image/png"
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
		Original:         &measure.Variant{Built: true, SizeBytes: orig, Rebuild: &measure.Steps{Steps: 4, Reused: 1}},
		Fixed:            &measure.Variant{Built: true, SizeBytes: fixed, Rebuild: &measure.Steps{Steps: 5, Reused: reused}},
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
	for _, want := range []string{"| a | 1000 MB | 500 MB | 50.0% |", "| b | 800 MB | 700 MB | 12.5% | 100 MB | 87.5% |",
		"1/4 → 3/5 (edited main.go)", "1/4 → 4/5 → 0/5 (edited main.go)", "Median size reduction (best of safe/unsafe): 50.0% over 3 apps", "FAILED", "smoke output differs"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
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
