package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/dockslim/dockslim/internal/measure"
)

// slimFails is a builder that builds anything: an image FROM node:18-slim is
// 200 MB and fails the smoke test (a tool the slim image lacks), any other
// is 1000 MB and passes it.
type slimFails struct{ built map[string]string }

func (f *slimFails) Name() string { return "buildah" }

func (f *slimFails) Build(_ context.Context, df, _, tag string) (string, error) {
	b, err := os.ReadFile(df)
	f.built[tag] = string(b)
	return "STEP 1/1: FROM node:18\n", err
}

func (f *slimFails) Inspect(_ context.Context, tag string) (measure.Image, error) {
	size := int64(1000e6)
	if strings.Contains(f.built[tag], "node:18-slim") {
		size = 200e6
	}
	return measure.Image{SizeBytes: size, Layers: []measure.Layer{{SizeBytes: size}}}, nil
}

func (f *slimFails) Run(_ context.Context, tag string, _ []string) (string, string, int, error) {
	if strings.Contains(f.built[tag], "node:18-slim") {
		return "", "Error: spawn convert ENOENT\n", 1, nil
	}
	return "ok\n", "", 0, nil
}

// fix --verify --format sarif: every fix kept carries its proof and its
// SARIF fix; the slim swap the smoke test rejects is listed as dropped,
// with why and the image that failed, and no fix; the log is valid SARIF.
// --format github says the same in each annotation.
func TestVerifySARIF(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"Dockerfile":        "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN apt-get update && apt-get install -y imagemagick\nCMD [\"node\", \"index.js\"]\n",
		"package.json":      `{"name": "a", "version": "1.0.0", "dependencies": {"ms": "2.1.3"}}`,
		"package-lock.json": `{"name": "a", "lockfileVersion": 3, "packages": {}}`,
		"index.js":          "console.log(require('ms')(1000))\n",
	} {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	df := filepath.Join(dir, "Dockerfile")
	run := func(format string) string {
		var stdout, stderr bytes.Buffer
		app := newApp(strings.NewReader(""), &stdout, &stderr)
		app.Metadata[builderKey] = measure.Builder(&slimFails{built: map[string]string{}})
		err := app.Run([]string{"dockslim", "fix", "--verify", "--unsafe-fixes", "--smoke", "node index.js", "--format", format, df})
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "DS200 dropped") {
			t.Errorf("%s: the text report is not on standard error:\n%s", format, stderr.String())
		}
		return stdout.String()
	}
	out := run("sarif")
	abs, err := filepath.Abs("../../internal/report/testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	schema := gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(abs))
	if res, err := gojsonschema.Validate(schema, gojsonschema.NewStringLoader(out)); err != nil || !res.Valid() {
		t.Fatalf("invalid SARIF (%v): %v", err, res.Errors())
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID     string `json:"ruleId"`
				Fixes      []any  `json:"fixes"`
				Properties struct {
					Applicability string `json:"applicability"`
					Verification  *struct {
						Kept          bool   `json:"kept"`
						Reason        string `json:"reason"`
						Image         string `json:"image"`
						SizeBytes     int64  `json:"sizeBytes"`
						SmokeExitCode *int   `json:"smokeExitCode"`
					} `json:"verification"`
				} `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	var kept, dropped []string
	for _, r := range log.Runs[0].Results {
		v := r.Properties.Verification
		switch {
		case v == nil:
			t.Errorf("%s: no proof", r.RuleID)
		case !v.Kept:
			dropped = append(dropped, r.RuleID)
			if len(r.Fixes) > 0 || !strings.Contains(v.Reason, "smoke") || v.SmokeExitCode == nil || *v.SmokeExitCode != 1 || v.SizeBytes != 200e6 {
				t.Errorf("%s dropped: fixes %v, proof %+v", r.RuleID, r.Fixes, *v)
			}
		default:
			kept = append(kept, r.RuleID+"/"+r.Properties.Applicability)
			if v.Image == "" || v.SizeBytes != 1000e6 || v.SmokeExitCode == nil || *v.SmokeExitCode != 0 {
				t.Errorf("%s kept: proof %+v", r.RuleID, *v)
			}
		}
	}
	if strings.Join(dropped, " ") != "DS200" || !strings.Contains(strings.Join(kept, " "), "/unsafe") || !strings.Contains(strings.Join(kept, " "), "/safe") {
		t.Errorf("kept %v, dropped %v", kept, dropped)
	}
	gh := run("github")
	if !strings.Contains(gh, "title=DS200 slim-base-image::") || !strings.Contains(gh, "(dropped by --verify: the smoke test fails") ||
		!strings.Contains(gh, "(verified by a real build: ") {
		t.Errorf("github annotations:\n%s", gh)
	}
}
