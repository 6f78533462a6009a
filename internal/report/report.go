// Package report writes dockslim's findings in the formats of the places
// Dockerfiles are reviewed: text for a terminal, json (dockslim's own
// stable schema), sarif 2.1.0 (code scanning), github (workflow
// annotations), gitlab (Code Quality), checkstyle and junit XML.
//
// It knows nothing of the engine: the command turns its results into a
// Report, so each format is tested on a Report built by hand.
package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Formats are the names Write accepts, the default first.
var Formats = []string{"text", "json", "sarif", "github", "gitlab", "checkstyle", "junit"}

// Position is a 1-based place in a file: Column counts bytes (as the text
// and json formats say), Char counts Unicode code points (SARIF's unit).
type Position struct {
	Line, Column, Char int
}

// Rule is a rule's metadata.
type Rule struct {
	ID, Name, Summary string
	Description       string // the long explanation
	Help              string // the explanation with its before/after example
	Severity          string // error, warning, info
	Applicability     string // safe, unsafe, suggestion: of the rule's fix
	Hadolint          []string
}

// Edit replaces the input between Start and End by Text.
type Edit struct {
	Start, End Position
	Text       string
}

// Finding is one finding, placed on the input file.
type Finding struct {
	File          string
	Start, End    Position
	Rule          *Rule
	Severity      string
	Message       string
	Applicability string // safe, unsafe, or suggestion (no fix)
	// Fix says what the fix does ("" for a suggestion); Edits are its
	// edits on the input, when the input has their place (a fix that an
	// earlier fix made possible has none).
	Fix   string
	Edits []Edit
	// Saving is the estimated compressed image size the fix saves, in
	// bytes (0: not estimated).
	Saving   int64
	Hadolint string
	// Snippet is the text of the instruction the finding is about: with
	// the rule and file, what the fingerprint hashes (no line number, so
	// it survives edits above it).
	Snippet string
	// Proof is what real builds proved of the fix (fix --verify); nil
	// when it was not verified.
	Proof *Proof
}

// Proof is the verdict of fix --verify on one fix: kept, because the image
// with it builds, passes the smoke test and is not larger, or dropped, with
// the reason; and the image that decided.
type Proof struct {
	Kept    bool
	Reason  string
	Builder string
	Image   string // the tag of the image that decided
	// SizeBytes is that image's size, OriginalSizeBytes the original's
	// (uncompressed; 0: unknown, e.g. the image did not build).
	SizeBytes, OriginalSizeBytes int64
	BuildSeconds                 float64
	Smoke                        string // the smoke command ("": none)
	SmokeExitCode                *int   // nil: not run
}

// verdict is the proof in a few words, for formats with one message.
func (p *Proof) verdict() string {
	if p.Kept {
		return "verified by a real build: " + p.Reason
	}
	return "dropped by --verify: " + p.Reason
}

// Error is a file that could not be checked: it is not a Dockerfile
// buildkit builds, or could not be read.
type Error struct {
	File    string
	Line    int // 0: the whole file
	Message string
}

// Report is one run.
type Report struct {
	Tool, Version string
	Rules         []*Rule  // every rule of the run, for formats that describe them
	Files         []string // every file checked, in order
	Findings      []Finding
	Errors        []Error
}

// Options tune the text format.
type Options struct {
	Color bool
}

// Write writes r in format (one of Formats).
func Write(w io.Writer, format string, r *Report, o Options) error {
	switch format {
	case "text":
		return writeText(w, r, o)
	case "json":
		return writeJSON(w, r)
	case "sarif":
		return writeSARIF(w, r)
	case "github":
		return writeGitHub(w, r)
	case "gitlab":
		return writeGitLab(w, r)
	case "checkstyle":
		return writeCheckstyle(w, r)
	case "junit":
		return writeJUnit(w, r)
	}
	return fmt.Errorf("unknown format %q (%s)", format, strings.Join(Formats, ", "))
}

// Fingerprints are stable identities of the findings, in order: a hash of
// the rule, the file, the instruction's text with its spacing normalised,
// and how many findings before it share those (no line number, so a
// finding keeps its identity when lines are added above it).
func Fingerprints(r *Report) []string {
	seen := map[string]int{}
	out := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		key := f.Rule.ID + "\x00" + f.File + "\x00" + strings.Join(strings.Fields(f.Snippet), " ")
		n := seen[key]
		seen[key]++
		sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d", key, n))
		out[i] = hex.EncodeToString(sum[:16])
	}
	return out
}

// location is "FILE:LINE:COL".
func (f Finding) location() string {
	return fmt.Sprintf("%s:%d:%d", f.File, f.Start.Line, f.Start.Column)
}

// location is "FILE:LINE", or "FILE" for the whole file.
func (e Error) location() string {
	if e.Line == 0 {
		return e.File
	}
	return fmt.Sprintf("%s:%d", e.File, e.Line)
}

// level names a severity in a format's own words.
func level(severity, onError, onWarning, otherwise string) string {
	switch severity {
	case "error":
		return onError
	case "warning":
		return onWarning
	}
	return otherwise
}
