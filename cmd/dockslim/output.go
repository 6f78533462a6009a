package main

import (
	"errors"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/report"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// formatFlags are the output flags of check and fix --check.
func formatFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: " + strings.Join(report.Formats, ", ")},
		&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour the text format: auto (on a terminal, unless NO_COLOR is set), always or never"},
	}
}

// outputOptions reads --format and --color; an error is a usage error.
func outputOptions(c *cli.Context) (string, report.Options, error) {
	format := c.String("format")
	known := false
	for _, f := range report.Formats {
		known = known || f == format
	}
	if !known {
		return "", report.Options{}, errors.New("unknown --format " + quote(format) + " (" + strings.Join(report.Formats, ", ") + ")")
	}
	var o report.Options
	switch c.String("color") {
	case "always":
		o.Color = true
	case "never":
	case "auto":
		o.Color = os.Getenv("NO_COLOR") == "" && isTerminal(c.App.Writer)
	default:
		return "", o, errors.New("unknown --color " + quote(c.String("color")) + " (auto, always or never)")
	}
	return format, o, nil
}

func quote(s string) string { return `"` + report.Clean(s) + `"` }

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newReport describes the run's rules and files; add fills in each file.
func newReport(e *rewrite.Engine) *report.Report {
	r := &report.Report{Tool: "dockslim", Version: Version()}
	for _, rule := range e.Rules() {
		help := rule.Explanation
		if rule.Before != "" {
			help += "\n\nBefore:\n" + indent(rule.Before) + "\n\nAfter:\n" + indent(rule.After)
		}
		r.Rules = append(r.Rules, &report.Rule{
			ID: rule.ID, Name: rule.Name, Summary: rule.Summary, Description: rule.Explanation, Help: help,
			Severity: rule.Severity.String(), Applicability: rule.Applicability.String(), Hadolint: rule.Hadolint,
		})
	}
	return r
}

// add records a file: its error, or its findings fds placed on its input.
func add(r *report.Report, j *job, fds []rewrite.Finding) {
	r.Files = append(r.Files, j.display)
	if j.err != nil {
		e := report.Error{File: j.display, Message: j.err.Error()}
		var pe *parser.ParseError
		if errors.As(j.err, &pe) {
			e.Line, e.Message = pe.Line, pe.Msg
		}
		r.Errors = append(r.Errors, e)
		return
	}
	rules := map[string]*report.Rule{}
	for _, rr := range r.Rules {
		rules[rr.ID] = rr
	}
	var lines *parser.Lines
	if len(fds) > 0 {
		lines = parser.NewLines(j.res.Input)
	}
	for _, fd := range fds {
		rf := toFinding(j.res, lines, j.display, rules[fd.Rule.ID], fd)
		if sev := j.severity[fd.Rule.ID]; sev != "" {
			rf.Severity = sev
		}
		r.Findings = append(r.Findings, rf)
	}
}

func toFinding(res *rewrite.Result, f *parser.Lines, name string, rule *report.Rule, fd rewrite.Finding) report.Finding {
	if rule == nil { // a rule of a pass the report was not told of (tests)
		rule = &report.Rule{ID: fd.Rule.ID, Name: fd.Rule.Name, Severity: fd.Rule.Severity.String()}
	}
	rf := report.Finding{
		File: name, Rule: rule, Severity: fd.Severity.String(), Message: fd.Message,
		Applicability: fd.Applicability().String(), Saving: fd.SavedBytes, Hadolint: fd.HadolintCode(),
		Start: position(f, res.Input, fd.Offset),
	}
	end := f.LineEnd(fd.Line)
	if in, ok := res.InstructionAt(fd.Offset); ok {
		end = in.End
		rf.Snippet = string(res.Input[in.Start:in.End])
	} else {
		rf.Snippet = f.Line(fd.Line)
	}
	// The end is the last character of the instruction (or line), its line
	// ending left out.
	for end > fd.Offset && strings.ContainsRune("\r\n", rune(res.Input[end-1])) {
		end--
	}
	rf.End = position(f, res.Input, end)
	if fd.Fix != nil {
		rf.Fix = fd.Fix.Description
		// A later round's edits are on text the input does not have.
		if fd.Round == 0 {
			for _, ed := range fd.Fix.Edits {
				rf.Edits = append(rf.Edits, report.Edit{Start: position(f, res.Input, ed.Start), End: position(f, res.Input, ed.End), Text: ed.Text})
			}
		}
	}
	return rf
}

// position of a byte offset of f, with its column in bytes and in code
// points.
func position(f *parser.Lines, src []byte, off int) report.Position {
	line, col := f.Position(off)
	start := f.LineStart(line)
	return report.Position{Line: line, Column: col, Char: utf8.RuneCount(src[start:min(start+col-1, len(src))]) + 1}
}
