// Package proof is `dockslim fix --verify`: it proves unsafe fixes with real
// builds before it keeps them. It builds the original Dockerfile once, then
// the safe fixes, then the safe fixes with every unsafe rule's fixes; a set
// of rules that fails (the image does not build, fails the smoke test, or is
// larger) is halved until the rules that broke it are found, and those are
// dropped. Every set is a fresh run of the engine with that rule selection
// (rewrite.Options.UnsafeRules), so the fixes kept stay consistent with each
// other. Building goes through internal/measure's Builder (docker buildx,
// podman or buildah); the build cache keeps the repeated builds cheap.
//
// It is not internal/verify, the stage simulator the tests use.
package proof

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dockslim/dockslim/internal/measure"
	"github.com/dockslim/dockslim/rewrite"
)

// Options of a verification.
type Options struct {
	Dockerfile string
	ContextDir string // default: the Dockerfile's folder
	Engine     *rewrite.Engine
	// Fix are the user's options (rule selection, cache mounts, online);
	// UnsafeFixes and UnsafeRules are set for each build tried.
	Fix rewrite.Options
	// Smoke is the --smoke command line; "" chooses one (see smoke.go).
	Smoke string
	// Timeout bounds each build (0: none); SmokeTimeout each smoke run
	// (0: DefaultSmokeTimeout).
	Timeout, SmokeTimeout time.Duration
	// RetryDelay is the pause before a failed build is tried again (0:
	// DefaultRetryDelay; a busy image store or registry needs a moment).
	RetryDelay time.Duration
	// NoRebuild skips the cached-rebuild test.
	NoRebuild bool
	Progress  io.Writer // progress lines (stderr); nil = quiet
}

// DefaultSmokeTimeout bounds a smoke run: a command that does not exit by
// then (a server that ignores --version) is no smoke test.
const DefaultSmokeTimeout = time.Minute

// DefaultRetryDelay is the pause before a failed build is tried again.
const DefaultRetryDelay = 10 * time.Second

// Report is what the verification did and found (`--format json`).
type Report struct {
	Dockerfile string     `json:"dockerfile"`
	Builder    string     `json:"builder"`
	Smoke      *SmokeTest `json:"smoke"`
	Original   *Trial     `json:"original"`
	// Final is the image of the fixes kept (the original's when none).
	Final *Trial `json:"final"`
	// Fixes are the unsafe fixes tried, each kept or dropped with why.
	Fixes []FixProof `json:"fixes"`
	// Trials are every image built, in order (a Dockerfile tried twice is
	// built once).
	Trials  []*Trial `json:"trials"`
	Rebuild *Rebuild `json:"rebuild,omitempty"`
	// SafeFixes says whether the image of the safe fixes passed; when it
	// did not, nothing is applied and Notes say why.
	SafeFixes bool     `json:"safe_fixes_passed"`
	Notes     []string `json:"notes,omitempty"`
	// ReductionPercent is (original − final) / original × 100, by size.
	ReductionPercent float64 `json:"reduction_percent"`
	Seconds          float64 `json:"seconds"` // wall time of the whole verification
}

// Trial is one image built and what it did.
type Trial struct {
	// Label names it: "original", "safe", or the unsafe rules it has.
	Label        string         `json:"label"`
	Rules        []string       `json:"rules,omitempty"`
	Tag          string         `json:"tag"`
	Built        bool           `json:"built"`
	BuildSeconds float64        `json:"build_seconds"`
	SizeBytes    int64          `json:"size_bytes,omitempty"`
	Layers       int            `json:"layers,omitempty"`
	Error        string         `json:"error,omitempty"` // the build's error line
	ErrorTail    string         `json:"error_tail,omitempty"`
	Smoke        *measure.Smoke `json:"smoke,omitempty"`

	v               variant // what was built
	dockerfile, dir string  // where
}

// FixProof is one unsafe fix and the verdict on it.
type FixProof struct {
	Rule    string `json:"rule"`
	Line    int    `json:"line"`
	Message string `json:"message"`
	Kept    bool   `json:"kept"`
	// Reason says why it was dropped, or what the image with it proved.
	Reason string `json:"reason"`
	// Proof is the build that decided: for a kept fix the final image, for
	// a dropped one the image that failed with it.
	Proof *Trial `json:"proof,omitempty"`
	// Finding is the engine's finding of the fix, placed on the input
	// (reports list a dropped fix where it would have been).
	Finding rewrite.Finding `json:"-"`
}

// Rebuild is the cached-rebuild test: the steps run again after a one-line
// edit of a source file, in the original and in the final image.
type Rebuild struct {
	Touched  string         `json:"touched"`
	Original *measure.Steps `json:"original,omitempty"`
	Final    *measure.Steps `json:"final,omitempty"`
}

// OriginalError is returned when the original Dockerfile does not build:
// there is nothing to compare the fixes with.
type OriginalError struct {
	Tag, Line, Tail string // Line is the build's error line, Tail its last lines
}

func (e *OriginalError) Error() string {
	return fmt.Sprintf("the original Dockerfile does not build (%s): nothing to compare the fixes with", e.Line)
}

// Run verifies the Dockerfile's fixes with b. It returns the report and the
// engine's result for the fixes kept (what fix prints or writes).
func Run(ctx context.Context, b measure.Builder, o Options) (*Report, *rewrite.Result, error) {
	start := time.Now()
	s, err := newSession(ctx, b, o)
	if err != nil {
		return nil, nil, err
	}
	defer s.close()
	rep := s.rep
	orig := s.build("original", nil, s.input())
	if !orig.Built {
		return rep, nil, &OriginalError{Tag: orig.Tag, Line: orig.Error, Tail: orig.ErrorTail}
	}
	rep.Original, rep.Final = orig, orig
	if rep.Smoke, err = s.chooseSmoke(orig); err != nil {
		return rep, nil, err
	}
	full, err := s.allFixes()
	if err != nil {
		return rep, nil, err
	}
	res, err := s.keepWorking(full)
	if err != nil {
		return rep, nil, err
	}
	if rep.Final != orig && !o.NoRebuild {
		if rep.Rebuild, err = s.rebuild(orig, rep.Final); err != nil {
			return rep, nil, err
		}
	}
	if orig.SizeBytes > 0 && rep.Final.Built {
		rep.ReductionPercent = float64(orig.SizeBytes-rep.Final.SizeBytes) / float64(orig.SizeBytes) * 100
	}
	rep.Seconds = since(start)
	return rep, res, ctx.Err()
}

// keepWorking tries the safe fixes, then the unsafe ones rule by rule, and
// returns the engine's result for what passed.
func (s *session) keepWorking(full *rewrite.Result) (*rewrite.Result, error) {
	rep := s.rep
	safe, err := s.fixes([]string{})
	if err != nil {
		return nil, err
	}
	base := s.build("safe", []string{}, variantOf(safe))
	if ok, why := s.judge(base, rep.Original); !ok {
		// The safe fixes are proven on the stage model; a real build that
		// disagrees is a bug to report, and nothing is applied.
		rep.Notes = append(rep.Notes, "the safe fixes failed ("+why+"): nothing applied; please report this Dockerfile")
		return &rewrite.Result{Name: safe.Name, Input: safe.Input, Output: safe.Input}, nil
	}
	rep.Final, rep.SafeFixes = base, true
	rules := unsafeRules(full)
	if len(rules) == 0 {
		rep.Notes = append(rep.Notes, "no unsafe fix to verify")
		return safe, nil
	}
	dropped := map[string]FixProof{}
	try := func(kept, set []string) (bool, string) {
		res, err := s.fixes(set)
		if err != nil {
			return false, err.Error()
		}
		t := s.build(label(set), set, variantOf(res))
		ok, why := s.judge(t, s.imageOf(kept))
		if ok {
			rep.Final = t
		}
		return ok, why
	}
	kept := bisect(s.ctx, []string{}, rules, try, func(rule string, set []string, why string) {
		dropped[rule] = FixProof{Reason: why, Proof: s.imageOf(set)}
	})
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	final, err := s.fixes(kept)
	if err != nil {
		return nil, err
	}
	rep.Final = s.imageOf(kept)
	rep.Fixes = verdicts(full, final, dropped, rep.Final, rep.Original)
	return final, nil
}

// imageOf is the image already built for the fixes of these unsafe rules.
func (s *session) imageOf(rules []string) *Trial {
	res, err := s.fixes(rules)
	if err != nil {
		return nil
	}
	return s.built[variantOf(res).key()]
}

// unsafeRules are the rules of the unsafe fixes applied, in order.
func unsafeRules(res *rewrite.Result) []string {
	var ids []string
	for _, fd := range res.Applied {
		if fd.Fix.Applicability == rewrite.Unsafe && !slices.Contains(ids, fd.Rule.ID) {
			ids = append(ids, fd.Rule.ID)
		}
	}
	return ids
}

// verdicts says, for every unsafe fix of full, whether final kept it and
// why (dropped: the reason and image of its rule's failure); an unsafe fix
// only final has (made possible by another) is listed too.
func verdicts(full, final *rewrite.Result, dropped map[string]FixProof, img, orig *Trial) []FixProof {
	type at struct {
		rule string
		line int
	}
	in := map[at]bool{}
	for _, fd := range final.Applied {
		in[at{fd.Rule.ID, fd.Line}] = true
	}
	var out []FixProof
	seen := map[at]bool{}
	add := func(fd rewrite.Finding) {
		k := at{fd.Rule.ID, fd.Line}
		if fd.Fix.Applicability != rewrite.Unsafe || seen[k] {
			return
		}
		seen[k] = true
		p := FixProof{Rule: fd.Rule.ID, Line: fd.Line, Message: fd.Message, Finding: fd}
		switch {
		case in[k]:
			p.Kept, p.Proof = true, img
			p.Reason = fmt.Sprintf("the image with it builds, passes the smoke test and is %s (original %s)", mb(img.SizeBytes), mb(orig.SizeBytes))
		case dropped[fd.Rule.ID].Reason != "":
			p.Reason, p.Proof = dropped[fd.Rule.ID].Reason, dropped[fd.Rule.ID].Proof
		default:
			p.Reason = "not made with the fixes kept (it needs a fix that was dropped)"
		}
		out = append(out, p)
	}
	for _, fd := range full.Applied {
		add(fd)
	}
	for _, fd := range final.Applied {
		add(fd)
	}
	return out
}

func label(rules []string) string {
	if len(rules) == 0 {
		return "safe"
	}
	return strings.Join(rules, "+")
}

// IsOriginalError reports whether err is an *OriginalError and returns it.
func IsOriginalError(err error) (*OriginalError, bool) {
	var oe *OriginalError
	ok := errors.As(err, &oe)
	return oe, ok
}

func since(t time.Time) float64 { return float64(time.Since(t).Milliseconds()) / 1000 }

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// writeFile writes a file, making its folder.
func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}
