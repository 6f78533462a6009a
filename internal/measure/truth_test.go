package measure

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// app writes a small context whose Dockerfile one fix changes.
func app(t *testing.T, dockerfile string) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644)
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("print(1)\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "requirements.txt"), nil, 0o644)
	return filepath.Join(dir, "Dockerfile")
}

const pipApp = "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"

// runCold measures pipApp with cold builds.
func runCold(t *testing.T) (string, *fakeBuilder, *Report) {
	df := app(t, pipApp)
	fb := &fakeBuilder{}
	rep, err := Run(context.Background(), fb, Options{Dockerfile: df, Cold: true})
	if err != nil {
		t.Fatal(err)
	}
	return df, fb, rep
}

// Cold: the first builds go without the cache and say so; the rebuild
// after the edit uses it. Not cold: the label follows the log.
func TestColdBuilds(t *testing.T) {
	df, fb, rep := runCold(t)
	if want := []string{rep.Original.Tag, rep.Fixed.Tag}; !slices.Equal(fb.cold, want) {
		t.Errorf("built cold %q, want %q", fb.cold, want)
	}
	if rep.Original.BuildCache != "cold" || rep.Fixed.BuildCache != "cold" || rep.Fixed.Rebuild == nil || rep.Fixed.Rebuild.Reused != 1 {
		t.Errorf("labels %q %q, rebuild %+v", rep.Original.BuildCache, rep.Fixed.BuildCache, rep.Fixed.Rebuild)
	}
	fb = &fakeBuilder{}
	rep, _ = Run(context.Background(), fb, Options{Dockerfile: df})
	if len(fb.cold) != 0 || rep.Original.BuildCache != "cold" {
		t.Errorf("not cold: built cold %q, label %q (no step was cached)", fb.cold, rep.Original.BuildCache)
	}
	b := &buildahLog{Builder: &fakeBuilder{}, log: "STEP 1/2: FROM x\nSTEP 2/2: RUN y\n--> Using cache 1ab\n"}
	rep, _ = Run(context.Background(), b, Options{Dockerfile: df, Cold: true})
	if rep.Original.BuildCache != "cached" {
		t.Errorf("a builder that cannot build cold: label %q, want cached", rep.Original.BuildCache)
	}
}

// buildahLog is a builder without BuildCold whose builds come from the cache.
type buildahLog struct {
	Builder
	log string
}

func (b *buildahLog) Build(ctx context.Context, df, dir, tag string) (string, error) {
	b.Builder.Build(ctx, df, dir, tag)
	return b.log, nil
}

// The original does not build: nothing else is built, the report says why
// and holds no zeros for sizes, and what the build committed is removed.
func TestOriginalDoesNotBuild(t *testing.T) {
	df := app(t, pipApp)
	fb := &fakeBuilder{failWord: "pip install -r", failLog: "Error: building at STEP \"RUN pip install\": exit status 1\n"}
	rep, err := Run(context.Background(), fb, Options{Dockerfile: df, Smoke: "python app.py", Cold: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Original.Built || !strings.Contains(rep.Original.ErrorTail, "exit status 1") || len(fb.built) != 1 {
		t.Errorf("original %+v; built %d images", rep.Original, len(fb.built))
	}
	if rep.Fixed.Built || rep.Fixed.Skipped != "the original does not build" || rep.Fixed.Smoke != nil {
		t.Errorf("fixed %+v", rep.Fixed)
	}
	js, _ := json.Marshal(rep)
	var m struct {
		Reduction *float64 `json:"reduction_percent"`
		Original  map[string]any
	}
	json.Unmarshal(js, &m)
	if m.Reduction != nil || m.Original["size_bytes"] != nil || m.Original["layers"] != nil || !strings.Contains(string(js), `"size_bytes":null`) {
		t.Errorf("unknown sizes are null: %s", js)
	}
	if want := []string{fakeID(rep.Original.Tag)}; !slices.Equal(fb.removed, want) {
		t.Errorf("removed %q, want %q", fb.removed, want)
	}
}

// A fixed image that does not build keeps its error tail; sizes known for
// the original only.
func TestFixedDoesNotBuild(t *testing.T) {
	df := app(t, pipApp)
	fb := &fakeBuilder{failWord: "--no-cache-dir", failLog: "Error: no space left\n"}
	rep, err := Run(context.Background(), fb, Options{Dockerfile: df})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Original.SizeKnown() || rep.Fixed.SizeKnown() || !strings.Contains(rep.Fixed.ErrorTail, "no space left") {
		t.Errorf("original %+v fixed %+v", rep.Original, rep.Fixed)
	}
	js, _ := json.Marshal(rep)
	if !strings.Contains(string(js), `"reduction_percent":null`) || !strings.Contains(string(js), `"size_bytes":300000000`) {
		t.Errorf("json: %s", js)
	}
}

// A builder that lacks a feature the original needs: a *MissingFeature.
func TestMissingFeatureStopsRun(t *testing.T) {
	df := app(t, pipApp)
	fb := &fakeBuilder{failWord: "FROM", failLog: "unknown flag: --load\nSee 'docker --help'.\n"}
	d := &named{fb, "docker"}
	_, err := Run(context.Background(), d, Options{Dockerfile: df})
	var mf *MissingFeature
	if !errors.As(err, &mf) || err.Error() != "docker buildx is not installed: install docker-buildx-plugin or use --builder buildah" {
		t.Fatalf("got %v", err)
	}
	if len(fb.built) != 1 {
		t.Errorf("built %d images after the first failed", len(fb.built))
	}
}

type named struct {
	*fakeBuilder
	name string
}

func (n *named) Name() string { return n.name }

func TestDiagnose(t *testing.T) {
	fail := errors.New("exit status 1")
	cases := []struct {
		builder, log string
		err          error
		want         string
	}{
		{"docker", "unknown flag: --load\nSee 'docker --help'.", fail, "docker buildx is not installed: install docker-buildx-plugin or use --builder buildah"},
		{"docker", "docker: 'buildx' is not a docker command.\nSee 'docker --help'", fail, "docker buildx is not installed: install docker-buildx-plugin or use --builder buildah"},
		{"docker", `docker: unknown command: docker buildx`, fail, "docker buildx is not installed: install docker-buildx-plugin or use --builder buildah"},
		{"docker", "ERROR: BuildKit is enabled but the buildx component is missing or broken.", fail, "docker buildx is not installed: install docker-buildx-plugin or use --builder buildah"},
		{"docker", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", fail, "the docker daemon is not running: start it or use --builder buildah"},
		{"podman", "", &exec.Error{Name: "podman", Err: exec.ErrNotFound}, "podman is not installed: install it or use --builder docker or buildah"},
		// buildah 1.28, verbatim.
		{"buildah", "STEP 1/4: FROM debian:bookworm-slim\nSTEP 2/4: RUN <<EOF\n--> 3d902098056\nSTEP 3/4: echo hi\n" +
			`Error: building at STEP "ECHO ": Build error: Unknown instruction: "ECHO" &imagebuilder.Step{}`, fail,
			"buildah is too old for heredocs (<<EOF in RUN or COPY): upgrade buildah or use --builder docker"},
		{"buildah", "STEP 1/2: FROM scratch\nSTEP 2/2: COPY --link a /a\n" +
			`Error: building at STEP "COPY --link a /a": COPY only supports the --chmod=<permissions> --chown=<uid:gid> and the --from=<image|stage> flags`, fail,
			"buildah is too old for --link: upgrade buildah or use --builder docker"},
		// Not the builder's fault.
		{"buildah", "STEP 2/2: RUN apt-get install nope\nE: Unable to locate package nope\nError: building at STEP \"RUN apt-get install nope\": exit status 100", fail, ""},
		{"buildah", "unknown flag: --load", fail, ""},
		{"docker", "unknown flag: --load", nil, ""},
	}
	for _, c := range cases {
		got := ""
		if mf := Diagnose(c.builder, c.log, c.err); mf != nil {
			got = mf.Error()
		}
		if got != c.want {
			t.Errorf("%s %q:\ngot  %q\nwant %q", c.builder, c.log, got, c.want)
		}
	}
}

// Every tag built and every intermediate image committed is removed (the
// ones taken from the cache are not), unless Keep.
func TestImagesRemoved(t *testing.T) {
	df, fb, rep := runCold(t)
	o, f := rep.Original.Tag, rep.Fixed.Tag
	want := []string{f + "-rebuild", o + "-rebuild", f, o,
		fakeID(f + "-rebuild"), fakeID(o + "-rebuild"), fakeID(f), fakeID(o)}
	if !slices.Equal(fb.removed, want) || rep.Kept != nil {
		t.Errorf("removed\n%q\nwant\n%q", fb.removed, want)
	}
	fb = &fakeBuilder{}
	rep, _ = Run(context.Background(), fb, Options{Dockerfile: df, Keep: true})
	if len(fb.removed) != 0 || !slices.Equal(rep.Kept, []string{o, f, o + "-rebuild", f + "-rebuild"}) {
		t.Errorf("--keep: removed %q, kept %q", fb.removed, rep.Kept)
	}
}

// Ctrl-C during a build: Run stops and still removes what was built, with
// a context of its own.
func TestCancelledRunCleansUp(t *testing.T) {
	df := app(t, pipApp)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fb := &fakeBuilder{}
	fb.onBuild = func(tag string) {
		if strings.HasSuffix(tag, ":fixed") {
			cancel()
		}
	}
	_, err := Run(ctx, fb, Options{Dockerfile: df})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if len(fb.built) != 2 || len(fb.removed) != 4 || slices.ContainsFunc(fb.removed, func(s string) bool { return strings.HasSuffix(s, "!") }) {
		t.Errorf("built %d, removed %q", len(fb.built), fb.removed)
	}
}

func TestCreatedFromBuildahLog(t *testing.T) {
	log := "STEP 1/3: FROM debian:bookworm-slim\nSTEP 2/3: RUN echo one > /one\n" +
		"--> Using cache 049266f8febb7fc2408d53712c799a6b254cbe8e0a39fe25a36993b089fec9bd\n--> 049266f8feb\n" +
		"STEP 3/3: COPY a /a\nCOMMIT t:1\n--> bdbedd98fdb\nSuccessfully tagged t:1\nbdbedd98fdb81b2982c408295141ea5eb4caf82a77474cd3f372855c6fcb8b8f\n"
	var c created
	c.add("t:1", log, true)
	c.add("t:2", "Error: x\n", false)
	if !slices.Equal(c.tags, []string{"t:1"}) || !slices.Equal(c.ids, []string{"bdbedd98fdb"}) {
		t.Errorf("tags %q ids %q", c.tags, c.ids)
	}
}
