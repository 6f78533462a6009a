// Package measure builds a Dockerfile before and after dockslim's fixes with
// a real image builder (docker buildx, podman or buildah — it shells out to
// the tool, it does not build anything itself) and compares the images: built
// or not, size, layers, build time, cache reuse after a source edit, and a
// smoke command's result.
package measure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Builder is one image build tool.
type Builder interface {
	Name() string
	// Build builds dockerfile with context dir into tag, reusing cached
	// layers; it returns the build log whatever happens.
	Build(ctx context.Context, dockerfile, dir, tag string) (log string, err error)
	Inspect(ctx context.Context, tag string) (Image, error)
	// Run runs argv in a container of the image and removes the container.
	Run(ctx context.Context, tag string, argv []string) (stdout, stderr string, exit int, err error)
}

// ColdBuilder is a Builder that can also build without its layer cache:
// every step runs again (base images are not pulled again), so the time is
// that of a first build. The new layers are stored, so a later Build of an
// edited context still finds them.
type ColdBuilder interface {
	BuildCold(ctx context.Context, dockerfile, dir, tag string) (log string, err error)
}

// Image is what the builder reports about a built image.
type Image struct {
	SizeBytes int64   // uncompressed, the sum of the layers (as `docker images` shows)
	Layers    []Layer // in order, base image's first
}

// Layer is one filesystem layer and the instruction that made it.
type Layer struct {
	SizeBytes int64  `json:"size_bytes"`
	CreatedBy string `json:"created_by"`
}

// runner runs a command; tests replace it.
type runner func(ctx context.Context, stdin string, name string, args ...string) (stdout, stderr string, err error)

func execRunner(ctx context.Context, stdin string, name string, args ...string) (string, string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	// Cancelled (Ctrl-C, a timeout): interrupt the builder first, so that it
	// removes its working containers, and kill it only if it lingers.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// interruptGrace is how long a cancelled builder may take to clean up.
const interruptGrace = 15 * time.Second

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// NewBuilder returns the named builder; "auto" picks docker (when its
// daemon answers), then podman, then buildah.
func NewBuilder(ctx context.Context, name string) (Builder, error) {
	run := runner(execRunner)
	switch name {
	case "docker":
		return &docker{run: run}, nil
	case "podman":
		return newOCI("podman", run), nil
	case "buildah":
		return newOCI("buildah", run), nil
	case "auto", "":
		if _, err := exec.LookPath("docker"); err == nil {
			if _, _, err := run(ctx, "", "docker", "info", "--format", "{{.ServerVersion}}"); err == nil {
				return &docker{run: run}, nil
			}
		}
		for _, n := range []string{"podman", "buildah"} {
			if _, err := exec.LookPath(n); err == nil {
				return newOCI(n, run), nil
			}
		}
		return nil, fmt.Errorf("no image builder found: install docker (with buildx), podman or buildah")
	}
	return nil, fmt.Errorf("unknown builder %q (auto, docker, podman or buildah)", name)
}

// oci drives buildah or podman, which share their storage and flags.
type oci struct {
	tool   string
	global []string // flags before the subcommand (buildah --storage-driver)
	run    runner
}

func newOCI(tool string, run runner) *oci {
	b := &oci{tool: tool, run: run}
	// buildah 1.28 ignores STORAGE_DRIVER; pass it as the flag it honours.
	if d := os.Getenv("STORAGE_DRIVER"); d != "" {
		b.global = append(b.global, "--storage-driver", d)
	}
	return b
}

func (b *oci) Name() string { return b.tool }

func (b *oci) cmd(args ...string) []string {
	return append(append([]string(nil), b.global...), args...)
}

// isolation: buildah's default (oci) needs cgroup support that many CI
// machines lack; chroot works everywhere as root. BUILDAH_ISOLATION wins.
func (b *oci) isolation() []string {
	if b.tool == "buildah" && os.Getenv("BUILDAH_ISOLATION") == "" {
		return []string{"--isolation", "chroot"}
	}
	return nil
}

func (b *oci) Build(ctx context.Context, dockerfile, dir, tag string) (string, error) {
	return b.build(ctx, dockerfile, dir, tag, false)
}

func (b *oci) BuildCold(ctx context.Context, dockerfile, dir, tag string) (string, error) {
	return b.build(ctx, dockerfile, dir, tag, true)
}

// build runs one build; --force-rm removes the working container of a
// failed step too (buildah keeps it by default).
func (b *oci) build(ctx context.Context, dockerfile, dir, tag string, cold bool) (string, error) {
	args := []string{"build", "--layers", "--force-rm", "--format", "docker", "-f", dockerfile, "-t", tag}
	if b.tool == "buildah" {
		args[0] = "bud"
	}
	if cold {
		args = append(args, "--no-cache")
	}
	args = append(args, b.isolation()...)
	if p := os.Getenv("DOCKSLIM_PULL"); p != "" {
		args = append(args, "--pull="+p)
	}
	args = append(args, dir)
	out, errOut, err := b.run(ctx, "", b.tool, b.cmd(args...)...)
	return out + errOut, err
}

func (b *oci) Inspect(ctx context.Context, tag string) (Image, error) {
	args := []string{"inspect", "--type", "image", tag}
	if b.tool == "podman" {
		args = []string{"image", "inspect", "--format", "{{json .}}", tag}
	}
	out, errOut, err := b.run(ctx, "", b.tool, b.cmd(args...)...)
	if err != nil {
		return Image{}, fmt.Errorf("%s inspect: %v: %s", b.tool, err, tail(errOut, 3))
	}
	if b.tool == "podman" {
		return parseDockerInspect(out)
	}
	return parseBuildahInspect(out)
}

func (b *oci) Run(ctx context.Context, tag string, argv []string) (string, string, int, error) {
	if b.tool == "podman" {
		out, errOut, err := b.run(ctx, "", "podman", b.cmd(append([]string{"run", "--rm", tag}, argv...)...)...)
		return out, errOut, exitCode(err), nil
	}
	ctr, errOut, err := b.run(ctx, "", "buildah", b.cmd("from", "--pull=never", "--quiet", tag)...)
	if err != nil {
		return "", "", 0, fmt.Errorf("buildah from: %v: %s", err, tail(errOut, 3))
	}
	ctr = strings.TrimSpace(ctr)
	defer b.run(context.WithoutCancel(ctx), "", "buildah", b.cmd("rm", ctr)...)
	args := append([]string{"run"}, b.isolation()...)
	args = append(append(args, ctr, "--"), argv...)
	out, errOut, err := b.run(ctx, "", "buildah", b.cmd(args...)...)
	return out, errOut, exitCode(err), nil
}

// buildahInspect is the part of `buildah inspect --type image` we read.
type buildahInspect struct {
	Manifest string `json:"Manifest"`
	Docker   struct {
		History []struct {
			CreatedBy  string `json:"created_by"`
			EmptyLayer bool   `json:"empty_layer"`
		} `json:"history"`
	} `json:"Docker"`
}

func parseBuildahInspect(out string) (Image, error) {
	var bi buildahInspect
	if err := json.Unmarshal([]byte(out), &bi); err != nil {
		return Image{}, fmt.Errorf("reading buildah inspect: %v", err)
	}
	var m struct {
		Layers []struct {
			Size int64 `json:"size"`
		} `json:"layers"`
	}
	if err := json.Unmarshal([]byte(bi.Manifest), &m); err != nil {
		return Image{}, fmt.Errorf("reading the image manifest: %v", err)
	}
	var img Image
	li := 0
	for _, h := range bi.Docker.History {
		if h.EmptyLayer {
			continue
		}
		if li < len(m.Layers) {
			img.Layers = append(img.Layers, Layer{SizeBytes: m.Layers[li].Size, CreatedBy: cleanCreatedBy(h.CreatedBy)})
			li++
		}
	}
	for ; li < len(m.Layers); li++ {
		img.Layers = append(img.Layers, Layer{SizeBytes: m.Layers[li].Size})
	}
	for _, l := range img.Layers {
		img.SizeBytes += l.SizeBytes
	}
	return img, nil
}

// docker drives `docker buildx build --load`.
type docker struct{ run runner }

func (d *docker) Name() string { return "docker" }

func (d *docker) Build(ctx context.Context, dockerfile, dir, tag string) (string, error) {
	return d.build(ctx, dockerfile, dir, tag)
}

func (d *docker) BuildCold(ctx context.Context, dockerfile, dir, tag string) (string, error) {
	return d.build(ctx, dockerfile, dir, tag, "--no-cache")
}

func (d *docker) build(ctx context.Context, dockerfile, dir, tag string, extra ...string) (string, error) {
	args := append([]string{"buildx", "build", "--load", "--progress", "plain"}, extra...)
	out, errOut, err := d.run(ctx, "", "docker", append(args, "-f", dockerfile, "-t", tag, dir)...)
	return out + errOut, err
}

func (d *docker) Inspect(ctx context.Context, tag string) (Image, error) {
	out, errOut, err := d.run(ctx, "", "docker", "history", "--no-trunc", "--format", "{{json .}}", tag)
	if err != nil {
		return Image{}, fmt.Errorf("docker history: %v: %s", err, tail(errOut, 3))
	}
	return parseDockerHistory(out)
}

func (d *docker) Run(ctx context.Context, tag string, argv []string) (string, string, int, error) {
	out, errOut, err := d.run(ctx, "", "docker", append([]string{"run", "--rm", tag}, argv...)...)
	return out, errOut, exitCode(err), nil
}

// parseDockerHistory reads `docker history --format '{{json .}}'` (newest
// first, one JSON object a line; Size like "12.3MB").
func parseDockerHistory(out string) (Image, error) {
	var img Image
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var h struct{ CreatedBy, Size string }
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		if err := json.Unmarshal([]byte(lines[i]), &h); err != nil {
			return Image{}, fmt.Errorf("reading docker history: %v", err)
		}
		size := parseHumanSize(h.Size)
		if size == 0 {
			continue // metadata-only instruction
		}
		img.Layers = append(img.Layers, Layer{SizeBytes: size, CreatedBy: cleanCreatedBy(h.CreatedBy)})
		img.SizeBytes += size
	}
	return img, nil
}

// parseDockerInspect reads podman's `image inspect` JSON (size only; podman
// has no per-layer sizes there).
func parseDockerInspect(out string) (Image, error) {
	var v struct {
		Size   int64
		RootFS struct{ Layers []string }
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &v); err != nil {
		return Image{}, fmt.Errorf("reading podman inspect: %v", err)
	}
	img := Image{SizeBytes: v.Size}
	for range v.RootFS.Layers {
		img.Layers = append(img.Layers, Layer{})
	}
	return img, nil
}

// The regular expressions are compiled on first use: only `dockslim
// measure` needs them, and every other command would pay for them at start.
var humanSize = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9.]+)\s*([kKMGT]?B)$`) })

func parseHumanSize(s string) int64 {
	m := humanSize().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0
	}
	var f float64
	fmt.Sscanf(m[1], "%g", &f)
	mult := map[string]float64{"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[m[2]]
	return int64(f * mult)
}

// cleanCreatedBy shortens "/bin/sh -c #(nop) COPY ..." to the instruction.
func cleanCreatedBy(s string) string {
	s = strings.TrimPrefix(s, "/bin/sh -c ")
	s = strings.TrimPrefix(s, "#(nop) ")
	s = strings.TrimSpace(s)
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Steps counts build steps and cache hits in a build log (docker buildx's
// "CACHED" lines, or buildah/podman's "--> Using cache"). RunRerun counts the
// RUN steps the cache did not serve: the work a source edit costs.
type Steps struct {
	Steps    int `json:"steps"`
	Reused   int `json:"reused"`
	Rerun    int `json:"rerun"`
	RunRerun int `json:"run_rerun"`
}

var (
	ociStep = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^(\[[0-9]+/[0-9]+\] )?STEP [0-9]+/[0-9]+: (\S+)`)
	})
	ociCached  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^--> Using cache ([0-9a-f]*)`) })
	dockerStep = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^#([0-9]+) \[[^\]]*[0-9]+/[0-9]+\] (\S+)`) })
	dockerHit  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^#([0-9]+) CACHED$`) })
)

// CountSteps reads a build log. FROM steps are not counted.
func CountSteps(builder, log string) Steps {
	var s Steps
	if builder == "docker" {
		cached := map[string]bool{}
		for _, m := range dockerHit().FindAllStringSubmatch(log, -1) {
			cached[m[1]] = true
		}
		s.Reused = len(cached)
		for _, m := range dockerStep().FindAllStringSubmatch(log, -1) {
			if !strings.EqualFold(m[2], "FROM") {
				s.Steps++
			}
			if strings.EqualFold(m[2], "RUN") && !cached[m[1]] {
				s.RunRerun++
			}
		}
	} else {
		// A step's output runs up to the next STEP line; a cache hit
		// prints "--> Using cache" there.
		idx := ociStep().FindAllStringSubmatchIndex(log, -1)
		for i, m := range idx {
			op := log[m[4]:m[5]]
			if !strings.EqualFold(op, "FROM") {
				s.Steps++
			}
			end := len(log)
			if i+1 < len(idx) {
				end = idx[i+1][0]
			}
			if strings.EqualFold(op, "RUN") && !ociCached().MatchString(log[m[1]:end]) {
				s.RunRerun++
			}
		}
		s.Reused = len(ociCached().FindAllString(log, -1))
	}
	s.Rerun = max(0, s.Steps-s.Reused)
	return s
}

func since(t time.Time) float64 { return float64(time.Since(t).Milliseconds()) / 1000 }
