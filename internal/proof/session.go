package proof

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dockslim/dockslim/internal/measure"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/rewrite/all"
)

// session is one verification: the scratch folder, the images built (by
// Dockerfile and new files: the same text is built once), the tags to
// remove at the end.
type session struct {
	ctx   context.Context
	b     measure.Builder
	o     Options
	src   []byte
	work  string
	name  string            // tag name of the Dockerfile
	dirs  map[string]string // context copy per set of new files
	built map[string]*Trial // image per variant key
	smoke []string          // the smoke argv, nil: none
	tags  []string          // every tag made, removed by close
	rep   *Report
}

func newSession(ctx context.Context, b measure.Builder, o Options) (*session, error) {
	src, err := os.ReadFile(o.Dockerfile)
	if err != nil {
		return nil, err
	}
	if o.ContextDir == "" {
		o.ContextDir = filepath.Dir(o.Dockerfile)
	}
	if o.SmokeTimeout == 0 {
		o.SmokeTimeout = DefaultSmokeTimeout
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	if o.Timeout > 0 {
		o.SmokeTimeout = min(o.SmokeTimeout, o.Timeout)
	}
	if o.Engine == nil {
		if o.Engine, err = all.New(); err != nil {
			return nil, err
		}
	}
	work, err := os.MkdirTemp("", "dockslim-verify-")
	if err != nil {
		return nil, err
	}
	return &session{ctx: ctx, b: b, o: o, src: src, work: work, name: measure.TagName(o.Dockerfile, src),
		dirs: map[string]string{}, built: map[string]*Trial{},
		rep: &Report{Dockerfile: o.Dockerfile, Builder: b.Name(), Fixes: []FixProof{}}}, nil
}

// close removes the scratch folder and the images built (the build cache
// stays, as after any build).
func (s *session) close() {
	os.RemoveAll(s.work)
	r, ok := s.b.(measure.Remover)
	if !ok {
		return
	}
	ctx := context.WithoutCancel(s.ctx)
	for _, t := range s.tags {
		r.Remove(ctx, t)
	}
}

func (s *session) progress(format string, args ...any) {
	if s.o.Progress != nil {
		fmt.Fprintf(s.o.Progress, format+"\n", args...)
	}
}

// fixes runs the engine with the safe fixes and the unsafe fixes of these
// rules (none when empty).
func (s *session) fixes(rules []string) (*rewrite.Result, error) {
	opts := s.o.Fix
	opts.ContextDir = s.o.ContextDir
	opts.UnsafeFixes, opts.UnsafeRules = len(rules) > 0, rules
	return s.o.Engine.Run(s.o.Dockerfile, s.src, opts)
}

// allFixes runs the engine with every unsafe fix.
func (s *session) allFixes() (*rewrite.Result, error) {
	opts := s.o.Fix
	opts.ContextDir = s.o.ContextDir
	opts.UnsafeFixes, opts.UnsafeRules = true, nil
	return s.o.Engine.Run(s.o.Dockerfile, s.src, opts)
}

// variant is what one build gets: a Dockerfile and the files the fixes add
// to the context.
type variant struct {
	dockerfile []byte
	newFiles   []rewrite.NewFile
}

func variantOf(res *rewrite.Result) variant { return variant{res.Output, res.NewFiles} }

func (s *session) input() variant { return variant{dockerfile: s.src} }

func (v variant) filesKey() string {
	var parts []string
	for _, nf := range v.newFiles {
		parts = append(parts, nf.Path+"\x00"+string(nf.Content))
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x01")
}

func (v variant) key() string { return string(v.dockerfile) + "\x02" + v.filesKey() }

// contextFor is a scratch copy of the context with the variant's new
// files (one per set of new files; the user's folder is never touched).
func (s *session) contextFor(v variant) (string, error) {
	k := v.filesKey()
	if d, ok := s.dirs[k]; ok {
		return d, nil
	}
	d := filepath.Join(s.work, fmt.Sprintf("context-%d", len(s.dirs)))
	if err := s.copyContext(d, v); err != nil {
		return "", err
	}
	s.dirs[k] = d
	return d, nil
}

// copyContext copies the user's context to d and adds the variant's files
// (never over a file the user has, as fix --write).
func (s *session) copyContext(d string, v variant) error {
	if err := measure.CopyContext(s.o.ContextDir, d); err != nil {
		return fmt.Errorf("copying the build context: %v", err)
	}
	for _, nf := range v.newFiles {
		p := filepath.Join(d, nf.Path)
		if _, err := os.Lstat(p); err == nil {
			continue
		}
		if err := writeFile(p, nf.Content); err != nil {
			return err
		}
	}
	return nil
}

// build builds a variant once (a variant built before returns its image),
// reads its size and runs the smoke test in it.
func (s *session) build(label string, rules []string, v variant) *Trial {
	if t, ok := s.built[v.key()]; ok {
		return t
	}
	n := len(s.built)
	t := &Trial{Label: label, Rules: rules, Tag: fmt.Sprintf("localhost/dockslim-verify/%s:%d", s.name, n), v: v}
	s.built[v.key()] = t
	s.rep.Trials = append(s.rep.Trials, t)
	dir, err := s.contextFor(v)
	if err != nil {
		t.Error = err.Error()
		return t
	}
	t.dir, t.dockerfile = dir, filepath.Join(s.work, fmt.Sprintf("Dockerfile.%d", n))
	if err := os.WriteFile(t.dockerfile, v.dockerfile, 0o644); err != nil {
		t.Error = err.Error()
		return t
	}
	s.buildImage(t, t.Tag)
	if t.Built && s.smoke != nil {
		t.Smoke = s.runSmoke(t.Tag, s.smoke)
	}
	return t
}

// buildImage builds t's Dockerfile into tag and reads the image. A build
// that fails is tried again (a dropped connection or a busy image store
// must not drop a fix; a broken Dockerfile fails every time, mostly from the
// cache): once after a step failed, up to three times after an error of the
// builder itself (its image store).
func (s *session) buildImage(t *Trial, tag string) (log string) {
	s.progress("building %s (%s) ...", t.Label, tag)
	ctx, cancel := s.withTimeout(s.o.Timeout)
	defer cancel()
	start := time.Now()
	log, err := s.b.Build(ctx, t.dockerfile, t.dir, tag)
	for try := 1; err != nil && ctx.Err() == nil && try <= retries(errorLine(log, err)); try++ {
		s.progress("  failed (%s); building once more ...", errorLine(log, err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(try) * s.o.RetryDelay):
		}
		log, err = s.b.Build(ctx, t.dockerfile, t.dir, tag)
	}
	t.BuildSeconds = since(start)
	s.tags = append(s.tags, tag)
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		t.Error = fmt.Sprintf("the build took longer than %s", s.o.Timeout)
	case err != nil:
		t.Error, t.ErrorTail = errorLine(log, err), measure.Tail(log, 15)
	}
	if err != nil {
		s.progress("  failed after %.1fs: %s", t.BuildSeconds, t.Error)
		return log
	}
	img, err := s.b.Inspect(s.ctx, tag)
	if err != nil {
		t.Error = err.Error()
		return log
	}
	t.Built, t.SizeBytes, t.Layers = true, img.SizeBytes, len(img.Layers)
	s.progress("  built in %.1fs: %s", t.BuildSeconds, mb(t.SizeBytes))
	return log
}

// retries is how often a failed build is tried again: once when a step
// failed (buildah: "building at STEP"; docker: "failed to solve"), three
// times when the builder itself failed.
func retries(errLine string) int {
	if strings.Contains(errLine, "building at STEP") || strings.Contains(errLine, "failed to solve") {
		return 1
	}
	return 3
}

func (s *session) withTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(s.ctx)
	}
	return context.WithTimeout(s.ctx, d)
}

// runSmoke runs argv in the image, within the smoke timeout (exit -1 and
// a note on stderr when it did not end in time).
func (s *session) runSmoke(tag string, argv []string) *measure.Smoke {
	ctx, cancel := s.withTimeout(s.o.SmokeTimeout)
	defer cancel()
	out, errOut, code, err := s.b.Run(ctx, tag, argv)
	errOut = withoutNoise(errOut)
	sm := &measure.Smoke{ExitCode: code, Stdout: out, Stderr: measure.Tail(errOut, 10)}
	if c := complaint(errOut); c != "" && !strings.Contains(sm.Stderr, c) {
		sm.Stderr = c + "\n...\n" + sm.Stderr // the line that says what went wrong, kept
	}
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		sm.ExitCode, sm.Stderr = -1, fmt.Sprintf("(did not end within %s)", s.o.SmokeTimeout)
	case err != nil:
		sm.ExitCode, sm.Stderr = -1, err.Error()
	}
	return sm
}

// withoutNoise drops the lines buildah adds when the command in the
// container fails.
func withoutNoise(s string) string {
	var keep []string
	for _, l := range strings.SplitAfter(s, "\n") {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "subprocess exited with status ") && !strings.HasPrefix(t, "Error: exit status ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// complaint is the line of a failed command's output that says what went
// wrong: a Python traceback's exception (its last unindented line: the
// lines above it quote source that may say "error" anywhere; the output
// kept may have lost the traceback's first line), else the first that
// names an error or something not found, else the last ("" for no output).
func complaint(out string) string {
	lines := strings.Split(out, "\n")
	traceback := func(l string) bool {
		return strings.HasPrefix(l, "Traceback (most recent call last):") || strings.HasPrefix(l, `  File "`) && strings.Contains(l, `", line `)
	}
	if i := slices.IndexFunc(lines, traceback); i >= 0 {
		for j := len(lines) - 1; j > i; j-- {
			if l := lines[j]; l != "" && l[0] != ' ' && l[0] != '\t' {
				return strings.TrimSpace(l)
			}
		}
	}
	var last string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		low := strings.ToLower(l)
		if strings.Contains(low, "error") || strings.Contains(low, "not found") || strings.Contains(low, "no such file") {
			return l
		}
		if l != "" {
			last = l
		}
	}
	return last
}

// errorLine is the line of a failed build's log that says what failed:
// the last line that names an error, else the last line.
func errorLine(log string, err error) string {
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.Contains(strings.ToLower(l), "error") {
			return l
		}
	}
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return err.Error()
}

// judge says whether t is as good as base, the image without its newest
// fixes: built, passing the smoke test as the original does, not larger.
func (s *session) judge(t, base *Trial) (bool, string) {
	switch {
	case !t.Built:
		return false, "the build fails: " + t.Error
	case base == nil || !base.Built:
		return false, "no image to compare with"
	}
	if sm, want := t.Smoke, s.rep.Smoke; s.smoke != nil && sm != nil {
		if sm.ExitCode != 0 {
			return false, fmt.Sprintf("the smoke test fails: exit %d: %s", sm.ExitCode, short(complaint(sm.Stdout+"\n"+sm.Stderr)))
		}
		if want.CompareOutput && sm.Stdout != want.Original.Stdout {
			return false, fmt.Sprintf("the smoke test prints something else: %q, the original %q", short(sm.Stdout), short(want.Original.Stdout))
		}
	}
	if t.SizeBytes > base.SizeBytes+measure.SizeSlack {
		return false, fmt.Sprintf("the image is larger: %s, %s without it", mb(t.SizeBytes), mb(base.SizeBytes))
	}
	return true, ""
}

func short(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
