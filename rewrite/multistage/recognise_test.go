package multistage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
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
		dir := t.TempDir()
		for p, content := range files {
			p = filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		opts.ContextDir = dir
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
			kind, text, _ := strings.Cut(c.want, ": ")
			gotKind, gotText, _ := strings.Cut(got, ": ")
			if kind != gotKind || !strings.Contains(gotText, text) {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}
