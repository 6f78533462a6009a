package multistage

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/testfs"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
	"golang.org/x/tools/txtar"
)

// recCase is a table case for a recogniser: a Dockerfile, the build
// context (nil: none), and the outcome, one of
//
//	none              the recogniser does not take the stage (nil, nil)
//	split: TEXT       it plans a split, which finish completes; TEXT is in the plan's what
//	plan: TEXT        it plans a split (what contains TEXT) that finish declines
//	decline: TEXT     it declines, with TEXT in the reason
type recCase struct {
	name  string
	src   string
	files map[string]string
	want  string
}

// stageOf loads src with the build context files (nil: none) and returns
// its final stage as the passes see it.
func stageOf(t *testing.T, src string, files map[string]string) *stageInfo {
	t.Helper()
	f, err := parser.Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	opts := rewrite.Options{UnsafeFixes: true}
	if files != nil {
		opts.ContextDir = t.TempDir()
		testfs.Write(t, opts.ContextDir, files)
	}
	view, _ := rewrite.OpenBuildContext(opts.ContextDir)
	return examine(&rewrite.Context{File: f, Options: opts, BuildContext: view})
}

// outcome runs rec on the final stage of src, as the pass does, and
// finishes a plan (the runtime stage, its users and programs).
func outcome(t *testing.T, rec recogniser, c recCase) string {
	t.Helper()
	si := stageOf(t, c.src, c.files)
	if si == nil {
		return "none"
	}
	p, d := rec(si)
	switch {
	case p == nil && d == nil:
		return "none"
	case d != nil:
		return "decline: " + d.reason
	}
	if _, _, d := si.finish(p); d != nil {
		return "plan: " + p.what + " (finish: " + d.reason + ")"
	}
	return "split: " + p.what
}

func runRecCases(t *testing.T, rec recogniser, cases []recCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := outcome(t, rec, c)
			kind, text, _ := strings.Cut(c.want, ":")
			text = strings.TrimSpace(text)
			gotKind, gotText, _ := strings.Cut(got, ": ")
			if kind != gotKind || !strings.Contains(gotText, text) {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestRecognise runs each language's recogniser on its cases,
// testdata/recognise/NAME.txtar.
func TestRecognise(t *testing.T) {
	for _, r := range []struct {
		name string
		rec  recogniser
	}{
		{"go", recogniseGo}, {"java", recogniseJava}, {"native", recogniseNative},
		{"node", recogniseNode}, {"python", recognisePython}, {"rust", recogniseRust},
	} {
		t.Run(r.name, func(t *testing.T) { runRecArchive(t, r.rec, r.name) })
	}
}

// runRecArchive runs the cases of testdata/recognise/NAME.txtar. A file
// named "# CASE" starts a case: its first line is the outcome (recCase's
// want), any further lines are notes; the "Dockerfile" after it is the
// source, and every other file up to the next case is in its build context
// (a case without one has no build context).
func runRecArchive(t *testing.T, rec recogniser, name string) {
	t.Helper()
	a, err := txtar.ParseFile(filepath.Join("testdata", "recognise", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []recCase
	for _, f := range a.Files {
		caseName, starts := strings.CutPrefix(f.Name, "# ")
		switch {
		case starts:
			want, _, _ := strings.Cut(string(f.Data), "\n")
			cases = append(cases, recCase{name: caseName, want: want})
		case len(cases) == 0:
			t.Fatalf("%s.txtar: %s before the first case", name, f.Name)
		case f.Name == "Dockerfile":
			cases[len(cases)-1].src = string(f.Data)
		default:
			c := &cases[len(cases)-1]
			if c.files == nil {
				c.files = map[string]string{}
			}
			c.files[f.Name] = string(f.Data)
		}
	}
	runRecCases(t, rec, cases)
}
