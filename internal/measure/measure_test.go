package measure

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCountSteps(t *testing.T) {
	log := `[1/2] STEP 1/6: FROM golang:1.19 AS build
[1/2] STEP 2/6: WORKDIR /src
--> Using cache 28b55daa78e8
[1/2] STEP 3/6: COPY go.mod go.sum ./
--> Using cache 2c20cf0b4798
[1/2] STEP 4/6: RUN go mod download
--> Using cache c9ff930b83f0
[1/2] STEP 5/6: COPY . .
[1/2] STEP 6/6: RUN go build -o /out/hello .
[2/2] STEP 1/2: FROM gcr.io/distroless/static-debian12
[2/2] STEP 2/2: COPY --from=build /out/hello /hello
`
	got := CountSteps("buildah", log)
	if got != (Steps{Steps: 6, Reused: 3, Rerun: 3, RunRerun: 1}) {
		t.Errorf("got %+v", got)
	}
	// A rerun RUN prints its output and the new layer's id, not "Using cache".
	rlog := "STEP 1/4: FROM debian:bookworm\nSTEP 2/4: RUN apt-get update\n--> Using cache 1a\nSTEP 3/4: COPY tools.sh /t\n--> 2b\nSTEP 4/4: RUN chmod +x /t\n--> 3c\nCOMMIT x\n"
	if got := CountSteps("buildah", rlog); got != (Steps{Steps: 3, Reused: 1, Rerun: 2, RunRerun: 1}) {
		t.Errorf("rerun RUN: got %+v", got)
	}
	dlog := "#4 [1/4] FROM docker.io/library/alpine\n#5 [2/4] RUN apk add x\n#5 CACHED\n#6 [3/4] COPY . .\n#7 [4/4] RUN make\n#7 0.1 cc -o x x.c\n"
	if got := CountSteps("docker", dlog); got != (Steps{Steps: 3, Reused: 1, Rerun: 2, RunRerun: 1}) {
		t.Errorf("docker: got %+v", got)
	}
}

func TestParseBuildahInspect(t *testing.T) {
	js := `{"Manifest":"{\"layers\":[{\"size\":100},{\"size\":30},{\"size\":5}]}",
	"Docker":{"history":[{"created_by":"debootstrap"},{"created_by":"/bin/sh -c #(nop) ENV A=1","empty_layer":true},
	{"created_by":"/bin/sh -c apt-get install -y curl"},{"created_by":"/bin/sh -c #(nop) COPY file:abc in /x"}]}}`
	img, err := parseBuildahInspect(js)
	if err != nil {
		t.Fatal(err)
	}
	if img.SizeBytes != 135 || len(img.Layers) != 3 || img.Layers[1].CreatedBy != "apt-get install -y curl" || img.Layers[2].CreatedBy != "COPY file:abc in /x" {
		t.Errorf("got %+v", img)
	}
}

func TestParseDockerHistory(t *testing.T) {
	out := `{"CreatedBy":"CMD [\"x\"]","Size":"0B"}
{"CreatedBy":"RUN /bin/sh -c apt-get install -y curl","Size":"12.5MB"}
{"CreatedBy":"/bin/sh -c #(nop) ADD file:1 in /","Size":"74.8MB"}`
	img, err := parseDockerHistory(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Layers) != 2 || img.SizeBytes != 87_300_000 || img.Layers[0].CreatedBy != "ADD file:1 in /" {
		t.Errorf("got %+v", img)
	}
}

func TestBuildahCommandLines(t *testing.T) {
	t.Setenv("STORAGE_DRIVER", "vfs")
	t.Setenv("BUILDAH_ISOLATION", "")
	var calls []string
	fake := func(ctx context.Context, stdin, name string, args ...string) (string, string, error) {
		calls = append(calls, name+" "+strings.Join(args, " "))
		if len(args) > 2 && args[2] == "from" {
			return "ctr1\n", "", nil
		}
		return "out", "", nil
	}
	b := newOCI("buildah", fake)
	b.Build(context.Background(), "/w/Dockerfile", "/w/ctx", "t:1")
	b.BuildCold(context.Background(), "/w/Dockerfile", "/w/ctx", "t:1")
	b.Run(context.Background(), "t:1", []string{"app", "--version"})
	b.Remove(context.Background(), "t:1")
	want := []string{
		"buildah --storage-driver vfs bud --layers --force-rm --format docker -f /w/Dockerfile -t t:1 --isolation chroot /w/ctx",
		"buildah --storage-driver vfs bud --layers --force-rm --format docker -f /w/Dockerfile -t t:1 --no-cache --isolation chroot /w/ctx",
		"buildah --storage-driver vfs from --pull=never --quiet t:1",
		"buildah --storage-driver vfs run --isolation chroot ctr1 -- app --version",
		"buildah --storage-driver vfs rm ctr1",
		"buildah --storage-driver vfs rmi t:1",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
	calls = nil
	d := &docker{run: fake}
	d.Build(context.Background(), "/w/Dockerfile", "/w/ctx", "t:1")
	d.BuildCold(context.Background(), "/w/Dockerfile", "/w/ctx", "t:1")
	want = []string{
		"docker buildx build --load --progress plain -f /w/Dockerfile -t t:1 /w/ctx",
		"docker buildx build --load --progress plain --no-cache -f /w/Dockerfile -t t:1 /w/ctx",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("docker: got\n%s\nwant\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
}

// fakeBuilder "builds" by reading the Dockerfile: size is 300 MB, minus
// 40 MB when it says --no-cache-dir. Each build commits one intermediate
// image named after its tag ("--> <hex>"); the rebuilds take one from the
// cache.
type fakeBuilder struct {
	built        map[string]string
	failRebuilds int    // rebuilds that fail first
	failWord     string // a Dockerfile holding it fails, with failLog
	failLog      string
	cold         []string // tags built with BuildCold
	removed      []string // names removed, with "!" when the context was done
	onBuild      func(tag string)
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
	f.built[tag] = string(b)
	if f.onBuild != nil {
		f.onBuild(tag)
	}
	if f.failWord != "" && strings.Contains(string(b), f.failWord) {
		return "STEP 1/2: FROM x\n--> " + fakeID(tag) + "\n" + f.failLog, errors.New("exit status 125")
	}
	if strings.HasSuffix(tag, "-rebuild") && f.failRebuilds > 0 {
		f.failRebuilds--
		return "error: layer not known", errors.New("exit status 1")
	}
	log := "STEP 1/3: FROM python:3.11\nSTEP 2/3: COPY . .\n--> " + fakeID(tag) + "\nSTEP 3/3: RUN pip install\n"
	if strings.HasSuffix(tag, "-rebuild") {
		log = "STEP 1/3: FROM python:3.11\nSTEP 2/3: RUN x\n--> Using cache 1aa0000000000000\n--> 1aa00000000\nSTEP 3/3: COPY . .\n--> " + fakeID(tag) + "\n"
	}
	return log, nil
}
func (f *fakeBuilder) BuildCold(ctx context.Context, df, dir, tag string) (string, error) {
	f.cold = append(f.cold, tag)
	return f.Build(ctx, df, dir, tag)
}
func (f *fakeBuilder) Remove(ctx context.Context, name string) error {
	if ctx.Err() != nil {
		name += "!"
	}
	f.removed = append(f.removed, name)
	return nil
}

// fakeID is a hex id standing for the intermediate image of tag's build.
func fakeID(tag string) string {
	return fmt.Sprintf("%x", sha256.Sum256([]byte(tag)))[:11]
}
func (f *fakeBuilder) Inspect(ctx context.Context, tag string) (Image, error) {
	size := int64(300e6)
	if strings.Contains(f.built[tag], "--no-cache-dir") {
		size -= 40e6
	}
	return Image{SizeBytes: size, Layers: []Layer{{SizeBytes: size, CreatedBy: "base"}}}, nil
}
func (f *fakeBuilder) Run(ctx context.Context, tag string, argv []string) (string, string, int, error) {
	return strings.Join(argv, " ") + "\n", "", 0, nil
}

func TestRunReport(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("print(1)\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "requirements.txt"), nil, 0o644)
	rep, err := Run(context.Background(), &fakeBuilder{}, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), Smoke: "python app.py"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Original.Built || !rep.Fixed.Built || rep.Fixed.SizeBytes != 260e6 || rep.ReductionPercent < 13 {
		t.Errorf("sizes: %+v %+v", rep.Original, rep.Fixed)
	}
	if rep.SmokeMatches == nil || !*rep.SmokeMatches || rep.Fixed.Smoke.Stdout != "python app.py\n" {
		t.Errorf("smoke: %+v", rep.Fixed.Smoke)
	}
	if rep.Touched != "app.py" || rep.Fixed.Rebuild == nil || rep.Fixed.Rebuild.Reused != 1 {
		t.Errorf("rebuild: touched %q %+v", rep.Touched, rep.Fixed.Rebuild)
	}
	if len(rep.Fixes) == 0 || rep.Fixes[0].Rule != "DS101" {
		t.Errorf("fixes: %+v", rep.Fixes)
	}
	// The user's files are untouched.
	if b, _ := os.ReadFile(filepath.Join(dir, "app.py")); string(b) != "print(1)\n" {
		t.Errorf("app.py was edited in place")
	}
}

func TestRunExpert(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM python:3.11-slim\nCOPY . .\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "expert.Dockerfile"), []byte("FROM python:3.11-slim\nRUN pip install --no-cache-dir x\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("print(1)\n"), 0o644)
	fb := &fakeBuilder{}
	rep, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), Smoke: "python app.py",
		Expert: filepath.Join(dir, "expert.Dockerfile")})
	if err != nil {
		t.Fatal(err)
	}
	e := rep.Expert
	if e == nil || !e.Built || e.SizeBytes != 260e6 || !strings.Contains(fb.built[e.Tag], "--no-cache-dir") {
		t.Fatalf("expert: %+v", e)
	}
	if rep.ExpertSmokeMatches == nil || !*rep.ExpertSmokeMatches || e.Rebuild == nil || e.Rebuild.RunRerun != 0 {
		t.Errorf("expert smoke %v, rebuild %+v", rep.ExpertSmokeMatches, e.Rebuild)
	}
	if _, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), Expert: filepath.Join(dir, "none")}); err == nil {
		t.Errorf("a missing expert Dockerfile is an error")
	}
}

func TestRebuildRetried(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM python:3.11-slim\nCOPY . .\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("print(1)\n"), 0o644)
	fb := &fakeBuilder{failRebuilds: 2}
	rep, err := Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), retryWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Original.Rebuild == nil || rep.Original.RebuildError != "" || rep.Fixed.Rebuild == nil {
		t.Errorf("a failed rebuild is tried twice more: %+v %q", rep.Original.Rebuild, rep.Original.RebuildError)
	}
	fb.failRebuilds = 3
	rep, _ = Run(context.Background(), fb, Options{Dockerfile: filepath.Join(dir, "Dockerfile"), retryWait: time.Millisecond})
	if rep.Original.Rebuild != nil || rep.Original.RebuildError != "error: layer not known" || rep.Fixed.Rebuild == nil {
		t.Errorf("three times: %+v %q", rep.Original.Rebuild, rep.Original.RebuildError)
	}
}

func TestSmokeArgv(t *testing.T) {
	cases := map[string]string{
		`node index.js`:                 "node|index.js",
		`fastsum 1 2 3`:                 "fastsum|1|2|3",
		`java -jar "/app/my app.jar" x`: "java|-jar|/app/my app.jar|x",
		`sh -c 'echo hi && ls'`:         "sh|-c|echo hi && ls",
		`echo $HOME`:                    "",
		`a | b`:                         "",
		`a; b`:                          "",
		`X=1 app`:                       "",
	}
	for in, want := range cases {
		if got := strings.Join(smokeArgv(in), "|"); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

// Every sample app's smoke command is a plain argv.
func TestAppSmokeFiles(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/apps/*/smoke")
	if len(files) < 8 {
		t.Fatalf("only %d smoke files", len(files))
	}
	for _, p := range files {
		b, _ := os.ReadFile(p)
		if smokeArgv(strings.TrimSpace(string(b))) == nil {
			t.Errorf("%s: %q is not a plain command line", p, b)
		}
	}
}
