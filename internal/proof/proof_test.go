package proof

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockslim/dockslim/internal/measure"
)

// fakeBuilder "builds" by reading the Dockerfile: node:18 is 1000 MB,
// node:18-slim 200 MB; a Dockerfile holding a failing word does not build;
// the smoke test fails in images FROM a base named in smokeFails.
type fakeBuilder struct {
	built      map[string]string // tag → Dockerfile
	order      []string          // tags in build order
	ran        []string          // smoke argv run, with the tag
	failWord   string
	smokeFails string
	sizeWord   string // an extra 50 MB when the Dockerfile holds it
	exits      map[string]int
}

func (f *fakeBuilder) Name() string { return "buildah" }

func (f *fakeBuilder) Build(ctx context.Context, df, dir, tag string) (string, error) {
	b, err := os.ReadFile(df)
	if err != nil {
		return "", err
	}
	if f.built == nil {
		f.built = map[string]string{}
	}
	f.built[tag], f.order = string(b), append(f.order, tag)
	if f.failWord != "" && strings.Contains(string(b), f.failWord) {
		return "STEP 1/2: FROM x\nsome output\nError: building at STEP \"RUN x\": exit status 1\n", fmt.Errorf("exit status 1")
	}
	log := "STEP 1/3: FROM node:18\nSTEP 2/3: COPY . .\nSTEP 3/3: RUN npm install\n"
	if strings.HasSuffix(tag, "-rebuild") && strings.Contains(string(b), "COPY package") {
		log = "STEP 1/4: FROM node:18\nSTEP 2/4: COPY package.json ./\n--> Using cache 1\nSTEP 3/4: RUN npm install\n--> Using cache 2\nSTEP 4/4: COPY . .\n"
	}
	return log, nil
}

func (f *fakeBuilder) Inspect(ctx context.Context, tag string) (measure.Image, error) {
	size := int64(1000e6)
	if strings.Contains(f.built[tag], "node:18-slim") {
		size = 200e6
	}
	if f.sizeWord != "" && strings.Contains(f.built[tag], f.sizeWord) {
		size += 50e6
	}
	return measure.Image{SizeBytes: size, Layers: []measure.Layer{{SizeBytes: size}}}, nil
}

func (f *fakeBuilder) Run(ctx context.Context, tag string, argv []string) (string, string, int, error) {
	line := strings.Join(argv, " ")
	f.ran = append(f.ran, tag+" "+line)
	if f.smokeFails != "" && strings.Contains(f.built[tag], "FROM "+f.smokeFails+"\n") {
		return "", "Error: spawn convert ENOENT\n", 1, nil
	}
	for k, code := range f.exits {
		if strings.Contains(line, k) {
			return "", "no\n", code, nil
		}
	}
	return "ok\n", "", 0, nil
}

// nodeApp writes a small Node app whose Dockerfile gets four unsafe
// fixes: DS200 (node:18-slim), DS301 (manifests first), DS303
// (.dockerignore) and DS150 (npm ci, unsafe: the lock file has no root
// package).
func nodeApp(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":        "FROM node:18\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"index.js\"]\n",
		"package.json":      `{"name": "a", "version": "1.0.0", "dependencies": {"ms": "2.1.3"}}`,
		"package-lock.json": `{"name": "a", "lockfileVersion": 3, "packages": {}}`,
		"index.js":          "console.log(require('ms')(1000))\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func verdictsOf(rep *Report) string {
	var parts []string
	for _, f := range rep.Fixes {
		v := "dropped"
		if f.Kept {
			v = "kept"
		}
		parts = append(parts, f.Rule+" "+v)
	}
	return strings.Join(parts, ", ")
}

// TestDropsTheFixThatBreaksTheSmokeTest: the slim swap loses a tool the
// smoke test needs; the group of three fails, bisection finds DS200, the
// other two are kept and the result has them.
func TestDropsTheFixThatBreaksTheSmokeTest(t *testing.T) {
	dir := nodeApp(t)
	fb := &fakeBuilder{smokeFails: "node:18-slim"}
	rep, res, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), Smoke: "node index.js"})
	if err != nil {
		t.Fatal(err)
	}
	if got := verdictsOf(rep); got != "DS200 dropped, DS301 kept, DS303 kept, DS150 kept" {
		t.Fatalf("verdicts: %s", got)
	}
	if r := rep.Fixes[0].Reason; !strings.Contains(r, "the smoke test fails: exit 1: Error: spawn convert ENOENT") {
		t.Errorf("DS200's reason: %s", r)
	}
	if p := rep.Fixes[0].Proof; p == nil || p.Label != "DS200" || p.Smoke == nil || p.Smoke.ExitCode != 1 {
		t.Errorf("DS200's proof: %+v", p)
	}
	if p := rep.Fixes[1].Proof; p == nil || p != rep.Final || p.Smoke == nil || p.Smoke.ExitCode != 0 {
		t.Errorf("DS301's proof: %+v", p)
	}
	out := string(res.Output)
	if !strings.HasPrefix(out, "FROM node:18\n") || !strings.Contains(out, "COPY package") || len(res.NewFiles) != 1 {
		t.Errorf("result:\n%s\nnew files %v", out, res.NewFiles)
	}
	// original, safe (DS104), all four, DS200+DS301, DS200, DS301,
	// DS301+DS303+DS150.
	if len(rep.Trials) != 7 {
		t.Errorf("%d trials: %v", len(rep.Trials), labels(rep.Trials))
	}
	if rep.Rebuild == nil || rep.Rebuild.Touched != "index.js" || rep.Rebuild.Final == nil || rep.Rebuild.Final.RunRerun != 0 || rep.Rebuild.Original.RunRerun != 1 {
		t.Errorf("rebuild: %+v", rep.Rebuild)
	}
	// The user's folder is untouched; the images are removed.
	if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err == nil {
		t.Errorf(".dockerignore written into the user's folder")
	}
}

func labels(ts []*Trial) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Label)
	}
	return out
}

// TestKeepsEveryFixThatWorks: one build of all the unsafe fixes proves
// them all.
func TestKeepsEveryFixThatWorks(t *testing.T) {
	dir := nodeApp(t)
	fb := &fakeBuilder{}
	rep, res, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), Smoke: "node index.js"})
	if err != nil {
		t.Fatal(err)
	}
	if got := verdictsOf(rep); got != "DS200 kept, DS301 kept, DS303 kept, DS150 kept" {
		t.Fatalf("verdicts: %s", got)
	}
	if len(rep.Trials) != 3 || !strings.HasPrefix(string(res.Output), "FROM node:18-slim") || rep.ReductionPercent < 79 {
		t.Errorf("trials %v, reduction %.1f, output:\n%s", labels(rep.Trials), rep.ReductionPercent, res.Output)
	}
}

// TestDropsABuildFailureAndALargerImage: the reasons name the build's
// error line and the sizes.
func TestDropsABuildFailureAndALargerImage(t *testing.T) {
	dir := nodeApp(t)
	fb := &fakeBuilder{failWord: "node:18-slim", sizeWord: ".dockerignore"}
	// (No Dockerfile names .dockerignore: the size rule never fires; use
	// the COPY of the manifests instead, which DS301 makes, and npm ci
	// (DS150) too, as it makes the manifest-first order safe.)
	fb.sizeWord = "COPY package"
	rep, _, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), Smoke: "node index.js", NoRebuild: true, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if got := verdictsOf(rep); got != "DS200 dropped, DS301 dropped, DS303 kept, DS150 dropped" {
		t.Fatalf("verdicts: %s", got)
	}
	if r := rep.Fixes[0].Reason; r != `the build fails: Error: building at STEP "RUN x": exit status 1` {
		t.Errorf("DS200: %s", r)
	}
	if r := rep.Fixes[1].Reason; r != "the image is larger: 1050.0 MB, 1000.0 MB without it" {
		t.Errorf("DS301: %s", r)
	}
}

// TestOriginalMustBuild: nothing to compare with → an OriginalError with
// the builder's last lines.
func TestOriginalMustBuild(t *testing.T) {
	dir := nodeApp(t)
	_, _, err := Run(context.Background(), &fakeBuilder{failWord: "FROM"}, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), RetryDelay: time.Millisecond})
	oe, ok := IsOriginalError(err)
	if !ok || !strings.Contains(oe.Tail, "some output") || !strings.HasPrefix(oe.Line, "Error: building") {
		t.Fatalf("got %v", err)
	}
}

// TestSmokeTheOriginalFails: a --smoke the original fails is not used
// (said so); the fixes are judged on build and size.
func TestSmokeTheOriginalFails(t *testing.T) {
	dir := nodeApp(t)
	fb := &fakeBuilder{exits: map[string]int{"selftest": 3}}
	rep, _, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), Smoke: "node selftest.js", NoRebuild: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Smoke.Argv != nil || len(rep.Smoke.Notes) != 2 || !strings.Contains(rep.Smoke.Notes[0], "the original exits 3") {
		t.Errorf("smoke: %+v", rep.Smoke)
	}
	if got := verdictsOf(rep); got != "DS200 kept, DS301 kept, DS303 kept, DS150 kept" {
		t.Errorf("verdicts: %s", got)
	}
}

// TestDefaultSmoke: without --smoke, the first candidate the original
// passes is used (here Node's resolve check), and run twice there.
func TestDefaultSmoke(t *testing.T) {
	dir := nodeApp(t)
	fb := &fakeBuilder{}
	rep, _, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), NoRebuild: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Smoke.Source != "Node: resolve the script and the dependencies of package.json" || !rep.Smoke.CompareOutput {
		t.Errorf("smoke: %+v", rep.Smoke)
	}
	var buf bytes.Buffer
	WriteText(&buf, rep)
	for _, want := range []string{"smoke test (Node: resolve", "line 1: DS200 kept: the image with it builds", "result: 1000.0 MB → 200.0 MB (80.0% smaller)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, buf.String())
		}
	}
	js, _ := json.Marshal(rep)
	if !strings.Contains(string(js), `"kept":true,"reason":"the image with it builds`) || !strings.Contains(string(js), `"proof":{"label":"DS200+DS301+DS303+DS150"`) {
		t.Errorf("json: %s", js)
	}
}

// verifyNode verifies dockerfile in the Node app's folder.
func verifyNode(t *testing.T, dir, dockerfile string, fb *fakeBuilder) *Report {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, _, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), NoRebuild: true})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
