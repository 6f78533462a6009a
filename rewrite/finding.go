package rewrite

import (
	"fmt"
	"io/fs"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// Finding is something a rule found at a place in the file.
type Finding struct {
	Rule     *Rule
	Severity Severity
	Message  string
	// Offset is the byte offset the finding points at; Line and Col are its
	// 1-based position (filled in by the driver). In a Result they are on
	// the input file, whatever the round that reported the finding: a place
	// inside text an earlier fix inserted is the input offset where that
	// text was inserted.
	Offset    int
	Line, Col int
	// Round is the fix round that reported the finding (0: the input);
	// set by Run.
	Round int
	// Fix is nil when the rule only reports. Its edits are relative to the
	// text of the finding's round, not necessarily the input.
	Fix *Fix
	// SavedBytes is the estimated compressed image size the fix saves, when
	// known (base image swaps); summaries add them up.
	SavedBytes int64
	// Hadolint is the equivalent hadolint code of this finding when the
	// rule covers several tools that hadolint checks with different rules
	// (yum → DL3032, dnf → DL3040); "" means the rule's first code.
	Hadolint string
}

// HadolintCode is the equivalent hadolint code of the finding: its own
// (Hadolint), else the rule's first, else "".
func (f Finding) HadolintCode() string {
	if f.Hadolint != "" {
		return f.Hadolint
	}
	if len(f.Rule.Hadolint) > 0 {
		return f.Rule.Hadolint[0]
	}
	return ""
}

// Fix is a set of edits that repairs a finding.
type Fix struct {
	Applicability Applicability
	// Description says what the fix does, for --diff and --write summaries.
	Description string
	Edits       []textedit.Edit
	// NewFiles are files the fix creates beside the Dockerfile (a
	// .dockerignore); paths are relative to the Dockerfile's folder.
	NewFiles []NewFile
}

// NewFile is a file created by a fix.
type NewFile struct {
	Path    string
	Content []byte
}

// Applicability of the finding: its fix's, or Suggestion when it has none.
func (f Finding) Applicability() Applicability {
	if f.Fix == nil {
		return Suggestion
	}
	return f.Fix.Applicability
}

func (f Finding) String() string {
	return fmt.Sprintf("%d:%d: %s %s", f.Line, f.Col, f.Rule.ID, f.Message)
}

// Options are what the user asked for.
type Options struct {
	UnsafeFixes bool
	// UnsafeRules, when not nil, limits the unsafe fixes UnsafeFixes allows
	// to those of these rule ids: fix --verify tries them rule by rule, the
	// engine re-run so the other fixes stay consistent with the choice.
	UnsafeRules []string
	Selector    Selector
	// ContextDir is the build context folder ("" when unknown).
	ContextDir string
	// Online allows registry look-ups; without it dockslim makes no network access.
	Online bool
	// CacheMounts turns package caches into BuildKit cache mounts instead
	// of disabling them.
	CacheMounts bool
	// Bases are the configuration's choices of base images.
	Bases Bases
	// Env is the run's shared services and caches; Run and Analyze make a
	// fresh one when it is nil, so a pass always has one.
	Env *Env
}

// Context is what a pass gets: the file, the options, the build context,
// and a place to report.
type Context struct {
	File    *parser.File
	Options Options
	// BuildContext is the build context (Options.ContextDir) as the builder
	// sees it, .dockerignore applied; nil when there is none. Passes read
	// the context only through it (see buildcontext.go).
	BuildContext fs.FS
	raw          fs.FS
	pass         *Pass
	out          []Finding
}

// RawBuildContext is the build context folder with every file in it,
// whatever .dockerignore excludes; nil when there is none. It is the escape
// hatch for rules about .dockerignore itself (is a file that an entry would
// exclude there at all?); every other read goes through BuildContext.
func (c *Context) RawBuildContext() fs.FS { return c.raw }

// Report records a finding. f.Severity defaults to the rule's.
func (c *Context) Report(f Finding) {
	if f.Rule == nil {
		panic("rewrite: finding without a rule in pass " + c.pass.Name)
	}
	if f.Severity == 0 {
		f.Severity = f.Rule.Severity
	}
	c.out = append(c.out, f)
}

// Reportf reports a finding without a fix.
func (c *Context) Reportf(r *Rule, off int, format string, args ...any) {
	c.Report(Finding{Rule: r, Offset: off, Message: fmt.Sprintf(format, args...)})
}

// Fixf reports a finding with a fix of the rule's applicability.
func (c *Context) Fixf(r *Rule, off int, edits []textedit.Edit, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.Report(Finding{Rule: r, Offset: off, Message: msg,
		Fix: &Fix{Applicability: r.Applicability, Description: msg, Edits: edits}})
}
