package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/xeipuuv/gojsonschema"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.* from the current output")

// sample is a run over two files and a third that is not a Dockerfile:
// a safe fix with its edit, an unsafe one with a saving, a suggestion, a
// finding whose fix an earlier fix made possible (no edits), a message
// with a multi-byte character and characters each format must escape.
func sample() *Report {
	pip := &Rule{ID: "DS101", Name: "pip-no-cache-dir", Summary: "pip install keeps its download cache in the layer",
		Description: "pip keeps downloads in ~/.cache/pip.",
		Help:        "pip keeps downloads in ~/.cache/pip.\n\nBefore:\n    RUN pip install flask\n\nAfter:\n    RUN pip install --no-cache-dir flask",
		Severity:    "warning", Applicability: "safe", Hadolint: []string{"DL3042"}}
	slim := &Rule{ID: "DS200", Name: "slim-base-image", Summary: "a full base image where a slim variant exists",
		Help: "Use the slim variant.", Severity: "info", Applicability: "unsafe"}
	split := &Rule{ID: "DS405", Name: "python-multistage", Summary: "compilers kept in the image",
		Help: "Split into stages.", Severity: "info", Applicability: "unsafe"}
	apt := &Rule{ID: "DS112", Name: "apt-lists-cleanup", Summary: "apt lists left in the layer",
		Help: "Remove them.", Severity: "warning", Applicability: "safe"}
	return &Report{
		Tool: "dockslim", Version: "1.2.3",
		Rules: []*Rule{pip, apt, slim, split},
		Files: []string{"app/Dockerfile", "web.Dockerfile", "bad.Dockerfile"},
		Findings: []Finding{
			{File: "app/Dockerfile", Start: Position{1, 6, 6}, End: Position{1, 18, 18}, Rule: slim, Severity: "info",
				Message: "python:3.11 → python:3.11-slim: ~409 MB → ~46 MB", Applicability: "unsafe",
				Fix: "python:3.11 → python:3.11-slim", Saving: 363_000_000, Snippet: "FROM python:3.11",
				Edits: []Edit{{Start: Position{1, 12, 12}, End: Position{1, 18, 18}, Text: "3.11-slim"}}},
			{File: "app/Dockerfile", Start: Position{1, 1, 1}, End: Position{1, 18, 18}, Rule: split, Severity: "info",
				Message: `not split: the runtime needs "curl", 100% sure, a:b,c`, Applicability: "suggestion", Snippet: "FROM python:3.11"},
			{File: "app/Dockerfile", Start: Position{3, 9, 9}, End: Position{3, 30, 30}, Rule: pip, Severity: "warning",
				Message: "pip install: add --no-cache-dir", Applicability: "safe", Fix: "pip install: add --no-cache-dir",
				Hadolint: "DL3042", Snippet: "RUN pip install flask",
				Edits: []Edit{{Start: Position{3, 20, 20}, End: Position{3, 20, 20}, Text: " --no-cache-dir"}}},
			{File: "web.Dockerfile", Start: Position{2, 5, 5}, End: Position{3, 20, 19}, Rule: apt, Severity: "warning",
				Message: "apt-get update leaves its lists <in> the layer & more", Applicability: "safe",
				Fix: "remove /var/lib/apt/lists/*", Snippet: "RUN apt-get update &&  apt-get install -y curl"},
		},
		Errors: []Error{{File: "bad.Dockerfile", Line: 2, Message: "unknown instruction: FOO (did you mean FROM?)"}},
	}
}

// verified is sample as fix --verify reports it: the unsafe slim swap kept
// with its proof, the safe fix proven by the image of the safe fixes, and an
// unsafe fix dropped (no edits: it is not in the output).
func verified() *Report {
	r := sample()
	zero, one := 0, 1
	r.Findings[0].Proof = &Proof{Kept: true, Reason: "the image with it builds, passes the smoke test and is 52.1 MB (original 1017.3 MB)",
		Builder: "buildah", Image: "localhost/dockslim-verify/app:DS200", SizeBytes: 52_100_000, OriginalSizeBytes: 1_017_300_000,
		BuildSeconds: 41.5, Smoke: "python -c 'import app'", SmokeExitCode: &zero}
	r.Findings[2].Proof = &Proof{Kept: true, Reason: "the image of the safe fixes builds and passes the smoke test",
		Builder: "buildah", Image: "localhost/dockslim-verify/app:safe", SizeBytes: 1_000_000_000, OriginalSizeBytes: 1_017_300_000,
		BuildSeconds: 60.25, Smoke: "python -c 'import app'", SmokeExitCode: &zero}
	split := r.Findings[1]
	split.Applicability, split.Message = "unsafe", "split into a build stage and a python:3.11-slim runtime"
	split.Proof = &Proof{Reason: "smoke test exit code 1 (original 0): ModuleNotFoundError: No module named 'lxml'",
		Builder: "buildah", Image: "localhost/dockslim-verify/app:DS200+DS405", SizeBytes: 48_000_000, OriginalSizeBytes: 1_017_300_000,
		BuildSeconds: 12, Smoke: "python -c 'import app'", SmokeExitCode: &one}
	r.Findings[1] = split
	return r
}

func TestGolden(t *testing.T) {
	for _, format := range Formats {
		for _, color := range []bool{false, true} {
			if color && format != "text" {
				continue
			}
			name := "golden." + format
			if color {
				name += "-color"
			}
			checkGolden(t, name, format, sample(), Options{Color: color})
		}
	}
}

// The SARIF output is valid against the official OASIS schema (copied into
// testdata from ../shared/data so that a clean clone has it).
func TestSARIFSchema(t *testing.T) {
	schema := gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(mustAbs(t, "testdata/sarif-schema-2.1.0.json")))
	for _, r := range []*Report{sample(), {Tool: "dockslim"}} {
		var buf bytes.Buffer
		if err := Write(&buf, "sarif", r, Options{}); err != nil {
			t.Fatal(err)
		}
		res, err := gojsonschema.Validate(schema, gojsonschema.NewBytesLoader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Errors() {
			t.Errorf("SARIF invalid: %s", e)
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, "sarif", verified(), Options{}); err != nil {
		t.Fatal(err)
	}
	if res, err := gojsonschema.Validate(schema, gojsonschema.NewBytesLoader(buf.Bytes())); err != nil || !res.Valid() {
		t.Errorf("SARIF of fix --verify invalid: %v %v", err, res.Errors())
	}
	// The validator does reject an invalid log.
	bad := `{"version": "2.0", "runs": [{"tool": {"driver": {}}}]}`
	if res, err := gojsonschema.Validate(schema, gojsonschema.NewStringLoader(bad)); err != nil || res.Valid() {
		t.Errorf("an invalid SARIF log passes (err %v)", err)
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Fingerprints do not depend on line numbers, and two identical findings
// on identical instructions differ.
func TestFingerprints(t *testing.T) {
	r := sample()
	a := Fingerprints(r)
	r.Findings[2].Start.Line += 10
	r.Findings = append(r.Findings, r.Findings[2])
	b := Fingerprints(r)
	if a[2] != b[2] {
		t.Errorf("a fingerprint moved with its line")
	}
	if b[2] == b[4] {
		t.Errorf("two findings share a fingerprint")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "yaml", sample(), Options{}); err == nil {
		t.Error("no error for an unknown format")
	}
}

// fix --verify's proof is in each SARIF result's properties and in the
// GitHub annotation's message.
func TestGoldenVerified(t *testing.T) {
	for _, format := range []string{"sarif", "github"} {
		checkGolden(t, "golden-verified."+format, format, verified(), Options{})
	}
}

// checkGolden compares r written in format with testdata/name (-update
// writes it).
func checkGolden(t *testing.T, name, format string, r *Report, o Options) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, buf.Bytes(), 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs (go test ./internal/report -update, then review):\n%s", name, buf.String())
	}
}
