package measure

import (
	"mvdan.cc/sh/v3/syntax"

	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/rewrite/all"
)

// SizeSlack is how much larger a fixed image may be and still count as "not
// larger": splitting a broad COPY adds a layer holding only the dependency
// manifests, whose tar headers cost a few KB. That is the price of the
// cached dependency layer, not bloat.
const SizeSlack = 64 << 10

// Options of a measurement.
type Options struct {
	Dockerfile string
	ContextDir string // default: the Dockerfile's folder
	Fix        rewrite.Options
	// Engine runs the fixes; nil: every pass (rewrite/all).
	Engine *rewrite.Engine
	Smoke  string // command line run in both images ("" = none)
	// Touch is the context file edited for the cached-rebuild test ("" =
	// pick a source file; "-" = skip the rebuild test).
	Touch string
	// Expert is a hand-optimised Dockerfile for the same context ("" =
	// none): built, smoke-tested and rebuilt like the other two, so that
	// the fixes can be compared with what an expert reaches by hand.
	Expert string
	// Cold times the first builds without the layer cache (ColdBuilder);
	// otherwise the cache may serve them and they are labelled "cached"
	// when it did. The rebuild test always uses the cache.
	Cold bool
	// Keep keeps the images built (Report.Kept names them); otherwise Run
	// removes them and the intermediate images its builds committed, also
	// when it fails or ctx is cancelled.
	Keep     bool
	Progress io.Writer // build progress (stderr); nil = quiet
	// retryWait is the pause before a failed rebuild is tried again
	// (0: rebuildRetryWait).
	retryWait time.Duration
}

// rebuildRetryWait lets whatever broke a rebuild (another build removing
// images from the shared store: "layer not known") finish first.
const rebuildRetryWait = 20 * time.Second

// Report is the result, also written as JSON (`dockslim measure --format json`).
type Report struct {
	Dockerfile   string   `json:"dockerfile"`
	Builder      string   `json:"builder"`
	Fixes        []Fix    `json:"fixes"`
	Touched      string   `json:"touched,omitempty"`
	Original     *Variant `json:"original"`
	Fixed        *Variant `json:"fixed"`
	Expert       *Variant `json:"expert,omitempty"` // only with Options.Expert
	SmokeMatches *bool    `json:"smoke_matches,omitempty"`
	// ExpertSmokeMatches compares the expert's smoke output with the original's.
	ExpertSmokeMatches *bool `json:"expert_smoke_matches,omitempty"`
	// ReductionPercent is (original − fixed) / original × 100, by size;
	// null in JSON when either size is unknown.
	ReductionPercent float64 `json:"reduction_percent"`
	// Kept are the image tags left in the store (Options.Keep).
	Kept []string `json:"kept,omitempty"`
}

// Fix is one applied fix, for the report.
type Fix struct {
	Rule    string `json:"rule"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Variant is one of the builds.
type Variant struct {
	Tag       string `json:"tag"`
	Built     bool   `json:"built"`
	ErrorTail string `json:"error_tail,omitempty"`
	// Skipped says why the variant was not built ("" = it was tried).
	Skipped      string  `json:"skipped,omitempty"`
	BuildSeconds float64 `json:"build_seconds"`
	// BuildCache is how the build ran: "cold" (no step from the layer
	// cache) or "cached" (some steps from it).
	BuildCache string `json:"build_cache,omitempty"`
	// SizeBytes and Layers are null in JSON when unknown (SizeKnown).
	SizeBytes     int64   `json:"size_bytes"`
	Layers        int     `json:"layers"`
	LargestLayers []Layer `json:"largest_layers"`
	Rebuild       *Steps  `json:"rebuild,omitempty"`
	RebuildSecs   float64 `json:"rebuild_seconds,omitempty"`
	RebuildError  string  `json:"rebuild_error,omitempty"` // the failed rebuild's log tail
	Smoke         *Smoke  `json:"smoke,omitempty"`
}

// Smoke is the smoke command's outcome in one image.
type Smoke struct {
	ExitCode int    `json:"exit_code"`
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr,omitempty"`
}

// job is one variant to build: its Dockerfile and its own copy of the context.
type job struct {
	v       *Variant
	df, dir string
}

// Run measures the Dockerfile with b. When the original does not build
// there is nothing to compare: the report says so (Original.Built false,
// the other variants Skipped). When the builder lacks a feature the
// original needs, the error is a *MissingFeature.
func Run(ctx context.Context, b Builder, o Options) (*Report, error) {
	src, res, argv, err := o.fix()
	if err != nil {
		return nil, err
	}
	rep := &Report{Dockerfile: o.Dockerfile, Builder: b.Name(), Fixes: []Fix{}}
	for _, fd := range res.Applied {
		rep.Fixes = append(rep.Fixes, Fix{Rule: fd.Rule.ID, Line: fd.Line, Message: fd.Message})
	}
	work, err := os.MkdirTemp("", "dockslim-measure-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	// The absolute path keeps two checkouts measuring the same Dockerfile
	// (two engineers' worktrees) from building and reading the same tags.
	absPath, err := filepath.Abs(o.Dockerfile)
	if err != nil {
		return nil, err
	}
	jobs, err := o.prepare(work, tagName(absPath, src), res, rep)
	if err != nil {
		return nil, err
	}
	made := &created{}
	defer o.cleanup(ctx, b, made, rep)
	if err := o.buildAll(ctx, b, jobs, made); err != nil || !rep.Original.Built {
		return rep, err
	}
	if argv != nil {
		if err := smokeAll(ctx, b, o, jobs, argv); err != nil {
			return nil, err
		}
		rep.SmokeMatches = sameSmoke(rep.Original, rep.Fixed)
		if rep.Expert != nil {
			rep.ExpertSmokeMatches = sameSmoke(rep.Original, rep.Expert)
		}
	}
	if o.Touch != "-" && rep.Fixed.Built {
		if err := o.rebuildAll(ctx, b, jobs, rep, made); err != nil {
			return nil, err
		}
	}
	if rep.reductionKnown() {
		rep.ReductionPercent = float64(rep.Original.SizeBytes-rep.Fixed.SizeBytes) / float64(rep.Original.SizeBytes) * 100
	}
	return rep, nil
}

// fix reads the Dockerfile, runs the fixes and checks the smoke command.
func (o *Options) fix() (src []byte, res *rewrite.Result, argv []string, err error) {
	if src, err = os.ReadFile(o.Dockerfile); err != nil {
		return nil, nil, nil, err
	}
	if o.ContextDir == "" {
		o.ContextDir = filepath.Dir(o.Dockerfile)
	}
	o.Fix.ContextDir = o.ContextDir
	if o.Engine == nil {
		if o.Engine, err = all.New(); err != nil {
			return nil, nil, nil, err
		}
	}
	if res, err = o.Engine.Run(o.Dockerfile, src, o.Fix); err != nil {
		return nil, nil, nil, err
	}
	if o.Smoke != "" {
		if argv = smokeArgv(o.Smoke); len(argv) == 0 {
			return nil, nil, nil, fmt.Errorf("--smoke %q: not a command line (one command, words with shell quoting, no expansions)", o.Smoke)
		}
	}
	return src, res, argv, nil
}

// cleanup removes what the builds made, unless Keep.
func (o Options) cleanup(ctx context.Context, b Builder, made *created, rep *Report) {
	if o.Keep {
		rep.Kept = made.tags
		return
	}
	if n := len(made.tags) + len(made.ids); n > 0 {
		o.progress("removing the %d image(s) built ...", n)
	}
	made.remove(ctx, b)
}

// prepare lays out one scratch copy of the context per variant (so the
// rebuild test can edit a file without touching the user's, and so the
// fixed build sees any file the fixes create, such as .dockerignore) and
// the Dockerfiles to build.
func (o Options) prepare(work, name string, res *rewrite.Result, rep *Report) ([]job, error) {
	rep.Original = &Variant{Tag: "localhost/dockslim-measure/" + name + ":original"}
	rep.Fixed = &Variant{Tag: "localhost/dockslim-measure/" + name + ":fixed"}
	jobs := []job{{rep.Original, filepath.Join(work, "Dockerfile.orig"), filepath.Join(work, "orig")},
		{rep.Fixed, filepath.Join(work, "Dockerfile.fixed"), filepath.Join(work, "fixed")}}
	dfs := [][]byte{res.Input, res.Output}
	if o.Expert != "" {
		expert, err := os.ReadFile(o.Expert)
		if err != nil {
			return nil, err
		}
		rep.Expert = &Variant{Tag: "localhost/dockslim-measure/" + name + ":expert"}
		jobs = append(jobs, job{rep.Expert, filepath.Join(work, "Dockerfile.expert"), filepath.Join(work, "expert")})
		dfs = append(dfs, expert)
	}
	for i, j := range jobs {
		if err := copyTree(o.ContextDir, j.dir); err != nil {
			return nil, fmt.Errorf("copying the build context: %v", err)
		}
		if err := os.WriteFile(j.df, dfs[i], 0o644); err != nil {
			return nil, err
		}
	}
	for _, nf := range res.NewFiles {
		if err := os.WriteFile(filepath.Join(jobs[1].dir, nf.Path), nf.Content, 0o644); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

// buildAll builds the variants, the original first: when it does not
// build there is nothing to compare and the others are skipped; when the
// builder lacks a feature it needs, that is the error.
func (o Options) buildAll(ctx context.Context, b Builder, jobs []job, made *created) error {
	for i, j := range jobs {
		if i > 0 && !jobs[0].v.Built {
			j.v.Skipped = "the original does not build"
			continue
		}
		mf := o.build(ctx, b, j, made)
		if err := ctx.Err(); err != nil {
			return err
		}
		if i == 0 && mf != nil {
			return mf
		}
	}
	return nil
}

// build builds one variant and reads its size and layers; a failure that
// says the builder lacks a feature is returned.
func (o Options) build(ctx context.Context, b Builder, j job, made *created) *MissingFeature {
	v := j.v
	o.progress("building %s ...", v.Tag)
	t := time.Now()
	log, cold, err := o.firstBuild(ctx, b, j)
	v.BuildSeconds = since(t)
	made.add(v.Tag, log, err == nil)
	v.BuildCache = "cached"
	if cold || CountSteps(b.Name(), log).Reused == 0 {
		v.BuildCache = "cold"
	}
	if err != nil {
		if v.ErrorTail = tail(log, 15); strings.TrimSpace(log) == "" {
			v.ErrorTail = err.Error()
		}
		o.progress("  failed after %.1fs", v.BuildSeconds)
		return Diagnose(b.Name(), log, err)
	}
	v.Built = true
	o.progress("  built in %.1fs (%s)", v.BuildSeconds, v.BuildCache)
	img, err := b.Inspect(ctx, v.Tag)
	if err != nil {
		v.ErrorTail = err.Error()
		return nil
	}
	v.SizeBytes, v.Layers = img.SizeBytes, len(img.Layers)
	v.LargestLayers = largest(img.Layers, 3)
	return nil
}

// firstBuild builds without the layer cache when asked and the builder can
// (cold = true), else with it.
func (o Options) firstBuild(ctx context.Context, b Builder, j job) (log string, cold bool, err error) {
	if cb, ok := b.(ColdBuilder); ok && o.Cold {
		log, err = cb.BuildCold(ctx, j.df, j.dir, j.v.Tag)
		return log, true, err
	}
	log, err = b.Build(ctx, j.df, j.dir, j.v.Tag)
	return log, false, err
}

// smokeAll runs the smoke command in every image that built.
func smokeAll(ctx context.Context, b Builder, o Options, jobs []job, argv []string) error {
	for _, j := range jobs {
		if !j.v.Built {
			continue
		}
		o.progress("smoke test in %s ...", j.v.Tag)
		out, errOut, code, err := b.Run(ctx, j.v.Tag, argv)
		if err != nil {
			return err
		}
		j.v.Smoke = &Smoke{ExitCode: code, Stdout: out, Stderr: tail(errOut, 10)}
	}
	return nil
}

// sameSmoke compares two smoke outcomes by exit code and stdout (nil when
// either did not run).
func sameSmoke(a, b *Variant) *bool {
	if a.Smoke == nil || b.Smoke == nil {
		return nil
	}
	same := a.Smoke.ExitCode == b.Smoke.ExitCode && a.Smoke.Stdout == b.Smoke.Stdout
	return &same
}

// rebuildAll edits one source file in each variant's context and rebuilds,
// counting the steps the cache served.
func (o Options) rebuildAll(ctx context.Context, b Builder, jobs []job, rep *Report, made *created) error {
	touched := o.Touch
	if touched == "" {
		touched = pickSourceFile(jobs[0].dir)
	}
	if touched == "" {
		return nil
	}
	rep.Touched = touched
	for i, j := range jobs {
		if !j.v.Built {
			continue
		}
		// A failed rebuild (a registry hiccup, a layer another build
		// removed) is tried twice more, each after a pause and an edit of
		// its own.
		for try := 0; try < 3 && j.v.Rebuild == nil; try++ {
			if err := o.pause(ctx, try); err != nil {
				return err
			}
			if err := o.rebuild(ctx, b, j, touched, fmt.Sprintf("%d-%d", i, try), made); err != nil {
				return err
			}
		}
	}
	return nil
}

// pause waits before a retry (try > 0).
func (o Options) pause(ctx context.Context, try int) error {
	if try == 0 {
		return nil
	}
	wait := o.retryWait
	if wait == 0 {
		wait = rebuildRetryWait
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}

// rebuild makes an edit never made before (a comment with a fresh nonce:
// with an edit seen before, the rebuild would reuse layers from that build
// and look cached) and rebuilds the variant.
func (o Options) rebuild(ctx context.Context, b Builder, j job, touched, id string, made *created) error {
	mark := fmt.Sprintf("dockslim-measure %d-%s", time.Now().UnixNano(), id)
	if err := appendEdit(filepath.Join(j.dir, touched), mark); err != nil {
		return fmt.Errorf("editing %s for the rebuild test: %v", touched, err)
	}
	o.progress("rebuilding %s after editing %s ...", j.v.Tag, touched)
	t := time.Now()
	log, err := b.Build(ctx, j.df, j.dir, j.v.Tag+"-rebuild")
	j.v.RebuildSecs = since(t)
	made.add(j.v.Tag+"-rebuild", log, err == nil)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		j.v.RebuildError = tail(log, 10)
		o.progress("  rebuild failed after %.1fs:\n%s", j.v.RebuildSecs, j.v.RebuildError)
		return nil
	}
	s := CountSteps(b.Name(), log)
	j.v.Rebuild, j.v.RebuildError = &s, ""
	return nil
}

func (o Options) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

func tagName(path string, src []byte) string {
	h := sha256.Sum256(append([]byte(path+"\x00"), src...))
	base := strings.ToLower(filepath.Base(filepath.Dir(path)))
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, base)
	return strings.Trim(clean, "-") + "-" + hex.EncodeToString(h[:4])
}

// largest are the n largest layers of known size (podman reports none).
func largest(ls []Layer, n int) []Layer {
	var out []Layer
	for _, l := range ls {
		if l.SizeBytes > 0 {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SizeBytes > out[j].SizeBytes })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// sourceExts are the files a developer edits most; the rebuild test edits one.
var sourceExts = []string{".py", ".js", ".ts", ".go", ".rs", ".c", ".cc", ".cpp", ".java", ".rb", ".php", ".sh", ".html"}

// pickSourceFile picks the first source file (by path) outside hidden and
// dependency folders, or any regular file when there is none.
func pickSourceFile(dir string) string {
	var any, src string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || src != "" {
			return filepath.SkipDir
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" || name == "target") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.Contains(name, "Dockerfile") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		for _, e := range sourceExts {
			if strings.HasSuffix(name, e) {
				src = rel
				return nil
			}
		}
		if any == "" {
			any = rel
		}
		return nil
	})
	if src != "" {
		return src
	}
	return any
}

// commentSyntax is how to append a harmless line to a source file.
var commentSyntax = map[string]string{
	".py": "# %s\n", ".sh": "# %s\n", ".rb": "# %s\n",
	".js": "// %s\n", ".ts": "// %s\n", ".go": "// %s\n", ".rs": "// %s\n", ".c": "/* %s */\n",
	".cc": "// %s\n", ".cpp": "// %s\n", ".java": "// %s\n", ".php": "// %s\n", ".html": "<!-- %s -->\n",
}

// appendEdit appends a comment holding mark, in the file's language; for
// other files only a newline (which may repeat an earlier run's edit).
func appendEdit(p, mark string) error {
	text := "\n"
	if f, ok := commentSyntax[filepath.Ext(p)]; ok {
		text = "\n" + fmt.Sprintf(f, mark)
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// copyTree copies regular files, folders and symlinks.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if d.Name() == ".git" && p != src {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, info.Mode().Perm())
		}
		return nil
	})
}

// smokeArgv splits a smoke command line into argv with shell quoting rules:
// one simple command of literal words; nil for anything else (expansions,
// pipes, lists), which would need a shell the image may not have.
func smokeArgv(line string) []string {
	s := parser.ParseShell(line, 0)
	if s.Err != nil || len(s.File.Stmts) != 1 {
		return nil
	}
	call, ok := s.File.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 || len(s.File.Stmts[0].Redirs) > 0 {
		return nil
	}
	var argv []string
	for _, w := range call.Args {
		v, ok := shellcmd.WordLit(w)
		if !ok {
			return nil
		}
		argv = append(argv, v)
	}
	return argv
}
