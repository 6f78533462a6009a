// Package rewrite is dockslim's engine: rules and passes that find what
// makes an image big or its build cache poorly, the fixes they propose, and
// the driver that applies those fixes safely.
//
// The passes live in sub-packages (one pass per file, each exported as a
// *Pass value); rewrite/all lists them, in order, and builds the Engine
// that runs them.
package rewrite

import (
	"strings"
)

// Applicability says when a fix may be applied.
type Applicability int

const (
	// Safe fixes keep the build's behaviour; `dockslim fix` applies them.
	Safe Applicability = iota
	// Unsafe fixes are likely right but can change behaviour; they need
	// --unsafe-fixes and are always shown by --diff.
	Unsafe
	// Suggestion findings are only reported.
	Suggestion
)

func (a Applicability) String() string {
	switch a {
	case Safe:
		return "safe"
	case Unsafe:
		return "unsafe"
	default:
		return "suggestion"
	}
}

// Severity of a finding.
type Severity int

const (
	Info Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// Rule is one thing dockslim checks, with a stable id.
type Rule struct {
	ID      string // "DS101"; stable forever
	Name    string // "pip-no-cache-dir"
	Summary string // one line
	// Explanation is the long text of `dockslim rules ID`; Before and After
	// are a Dockerfile example of the fix.
	Explanation   string
	Before, After string
	Applicability Applicability // of the rule's fix (the most permissive one it offers)
	// ImageSizeOnly is set when the rule's fix only makes the image smaller
	// (a cache or list left out of a layer): in a build stage whose layers
	// never reach an image (stagestate.Shipped) it changes nothing, so the
	// driver neither makes nor reports it there.
	ImageSizeOnly bool
	Severity      Severity
	Hadolint      []string // equivalent hadolint codes ("DL3042")
	Parfum        []string // equivalent Parfum rule names
	// ConfigKeys are the options the rule reads under [rules.ID] of
	// .dockslim.toml besides severity ("runtime-base").
	ConfigKeys []string
}

// Pass is one analysis: it reads a file and reports findings for its rules.
// A pass is a value exported by its package (AptPass); an Engine runs a list
// of them.
type Pass struct {
	Name  string
	Rules []*Rule
	Run   func(*Context)
	// WholeFile is set for a pass whose findings depend on every stage of
	// the file (the .dockerignore its COPY instructions need). It reports,
	// from the text alone and erring towards yes, whether the pass may
	// report anything on a file: a large file it may report on is run
	// whole, not in parts (see runParts).
	WholeFile func(src []byte, opts Options) bool
}

// Selector decides which rules are on, like ruff's --select/--ignore: each
// entry is a rule id, a rule name, an id prefix ("DS1") or ALL. Ignore wins
// over Select when both name the rule with the same precision.
type Selector struct {
	Select, Ignore []string
}

// Enabled reports whether the rule is on.
func (s Selector) Enabled(r *Rule) bool {
	sel := 0 // precision of the best select match; 0: none
	if len(s.Select) == 0 {
		sel = 1
	}
	for _, x := range s.Select {
		sel = max(sel, match(x, r))
	}
	if sel == 0 {
		return false
	}
	ign := 0
	for _, x := range s.Ignore {
		ign = max(ign, match(x, r))
	}
	return ign == 0 || sel > ign
}

// match returns how precisely pattern x names rule r: 0 no match, 1 ALL,
// 2+ a prefix (longer is more precise), 100 the exact id or name.
func match(x string, r *Rule) int {
	x = strings.TrimSpace(x)
	switch {
	case x == "":
		return 0
	case strings.EqualFold(x, "ALL"):
		return 1
	case strings.EqualFold(x, r.ID) || strings.EqualFold(x, r.Name):
		return 100
	case strings.HasPrefix(r.ID, strings.ToUpper(x)):
		return 1 + len(x)
	}
	return 0
}
