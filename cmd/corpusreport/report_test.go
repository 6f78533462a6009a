package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/parser"
)

// corpusDir is the corpus, from this package's folder: $DOCKSLIM_CORPUS,
// fixtures/corpus when its files are there, else ../shared/corpus.
func corpusDir(t *testing.T) string {
	if d := os.Getenv("DOCKSLIM_CORPUS"); d != "" {
		return d
	}
	for _, d := range []string{"../../fixtures/corpus", "../../../shared/corpus"} {
		if st, err := os.Stat(filepath.Join(d, "real")); err == nil && st.IsDir() {
			return d
		}
	}
	t.Skip("no corpus files (they are not committed; see fixtures/corpus/README.md)")
	return ""
}

// TestCorpus: the sets are big enough, SOURCES.tsv lists exactly the files,
// every file loads and is no template, and a sample runs with counts that add up.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	srcs, err := ReadSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, s := range srcs {
		if listed[s.File] {
			t.Errorf("SOURCES.tsv lists %s twice", s.File)
		}
		listed[s.File] = true
		if !strings.Contains(s.Repo, "/") || len(s.Commit) != 40 || s.Path == "" || s.License == "" {
			t.Errorf("SOURCES.tsv: incomplete row %+v", s)
		}
	}
	min := map[string]int{"real": 330, "official": 45}
	seen := map[string]bool{}
	for _, set := range Sets {
		files, err := Files(dir, set)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < min[set] {
			t.Errorf("%s: %d files, want at least %d", set, len(files), min[set])
		}
		for _, name := range files {
			seen[name] = true
			if !listed[name] {
				t.Errorf("%s is not in SOURCES.tsv", name)
			}
			src, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parser.Load(name, src); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if bytes.Contains(src, []byte("%%")) || bytes.Contains(src, []byte("{{")) {
				t.Errorf("%s looks like a template", name)
			}
		}
		// Nothing but *.Dockerfile in the set folders, and none named Dockerfile.
		ents, _ := os.ReadDir(filepath.Join(dir, set))
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".Dockerfile") {
				t.Errorf("%s/%s: not a corpus file", set, e.Name())
			}
		}
	}
	for f := range listed {
		if !seen[f] {
			t.Errorf("SOURCES.tsv lists %s, which is not in the corpus", f)
		}
	}

	r, err := Run(dir, 6)
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, r)
	for _, set := range Sets {
		for _, mode := range Modes {
			if n := r.Stats[set][mode].Files; n != 6 {
				t.Errorf("%s/%s: ran %d files, want 6", set, mode, n)
			}
		}
	}
}

// checkSums: the numbers of a report agree with each other.
func checkSums(t *testing.T, r *Report) {
	t.Helper()
	for _, set := range Sets {
		for _, mode := range Modes {
			st := r.Stats[set][mode]
			if st.Changed > st.Files || len(st.ChangedFiles) != st.Changed || len(st.LinesChanged) != st.Changed {
				t.Errorf("%s/%s: %d changed of %d files, %d listed", set, mode, st.Changed, st.Files, len(st.ChangedFiles))
			}
			if st.Changed > 0 && (st.MedianLines < 1 || st.MedianLines > st.MaxLines) {
				t.Errorf("%s/%s: lines changed median %d max %d", set, mode, st.MedianLines, st.MaxLines)
			}
			total := 0
			for _, c := range st.ChangedFiles {
				total += len(c.Rules)
				if c.Lines < 1 || c.Lines > st.MaxLines {
					t.Errorf("%s/%s: %s: %d lines changed (max %d)", set, mode, c.File, c.Lines, st.MaxLines)
				}
			}
			if total > sum(st.Applied) || st.Changed > 0 && sum(st.Applied) == 0 {
				t.Errorf("%s/%s: %d rules over the changed files, %d fixes applied", set, mode, total, sum(st.Applied))
			}
		}
		// Both modes see the input's findings; unsafe fixes may reveal more
		// in later rounds (check reports every round's), never fewer files.
		safe, unsafe := r.Stats[set]["safe"], r.Stats[set]["unsafe"]
		if safe.Files != unsafe.Files {
			t.Errorf("%s: %d files in safe mode, %d in unsafe mode", set, safe.Files, unsafe.Files)
		}
	}
}

// TestReport runs the whole program on a corpus made of the project's own
// fixtures: counts, text, JSON, and the exit rule with a verifier wired.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"real/001-example.Dockerfile":   "../../fixtures/example/Dockerfile",
		"real/002-python.Dockerfile":    "../../fixtures/apps/python-app/Dockerfile",
		"real/003-node.Dockerfile":      "../../fixtures/apps/node-app/Dockerfile",
		"official/001-ok.Dockerfile":    "../../fixtures/apps/multistage-ok/Dockerfile",
		"official/002-apt.Dockerfile":   "../../fixtures/apps/apt-tools/Dockerfile",
		"official/003-clean.Dockerfile": "",
	}
	tsv := "file\trepo\tcommit\tpath\tlicense\n"
	for name, from := range files {
		src := []byte("FROM alpine:3.20\nRUN apk add --no-cache curl\n")
		if from != "" {
			var err error
			if src, err = os.ReadFile(from); err != nil {
				t.Fatal(err)
			}
		}
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
		tsv += name + "\tdockslim/dockslim\t" + strings.Repeat("0", 40) + "\t" + from + "\tsame as dockslim\n"
	}
	os.WriteFile(filepath.Join(dir, "SOURCES.tsv"), []byte(tsv), 0o644)
	if srcs, err := ReadSources(dir); err != nil || len(srcs) != len(files) {
		t.Fatalf("ReadSources: %d rows, %v", len(srcs), err)
	}

	r, err := Run(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, r)
	ex := r.Stats["real"]["safe"]
	if ex.Files != 3 || ex.Changed < 2 || ex.Applied["DS101"] == 0 || ex.Findings["DS200"] == 0 {
		t.Errorf("real/safe: %+v", ex)
	}
	if r.Stats["real"]["unsafe"].Applied["DS200"] == 0 || ex.Applied["DS200"] != 0 {
		t.Errorf("DS200 (unsafe) applied %d in safe mode, %d in unsafe mode", ex.Applied["DS200"], r.Stats["real"]["unsafe"].Applied["DS200"])
	}
	for _, c := range r.Stats["official"]["safe"].ChangedFiles {
		if c.File == "official/003-clean.Dockerfile" {
			t.Errorf("a clean file changed: %+v", c)
		}
	}
	if r.Verifier != "internal/verify" || r.Failed() {
		t.Errorf("verifier %q, failed %v", r.Verifier, r.Failed())
	}
	var text bytes.Buffer
	r.WriteText(&text)
	for _, want := range []string{"verifier: internal/verify", "real    safe      3", "official files changed in safe mode:", "DS101"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatal(err)
	}

	// A verifier that objects to every changed file fails the run.
	saved := introduced
	introduced = func(before, after *parser.File) []string { return []string{"test-check: line 1: objection"} }
	defer func() { introduced = saved }()
	r, err = Run(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	st := r.Stats["real"]["safe"]
	if !r.Failed() || len(st.Introduced) != st.Changed || st.Introduced[0].Rule != "test-check" {
		t.Errorf("verifier %q, failed %v, %d introduced for %d changed files", r.Verifier, r.Failed(), len(st.Introduced), st.Changed)
	}
}

func TestChangedLines(t *testing.T) {
	u := "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n+d\n e\n"
	if n := changedLines(u); n != 3 {
		t.Errorf("changedLines = %d, want 3", n)
	}
}
