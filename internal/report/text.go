package report

import (
	"bufio"
	"fmt"
	"io"
)

// ANSI colours of the text format.
const (
	bold   = "\x1b[1m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

// writeText prints one line a finding, FILE:LINE:COL: RULE message, the
// rule coloured by severity on a terminal. Errors go to the command's
// stderr, not here.
func writeText(w io.Writer, r *Report, o Options) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.Findings {
		msg := Clean(f.Message)
		if !o.Color {
			fmt.Fprintf(bw, "%s: %s %s\n", f.location(), f.Rule.ID, msg)
			continue
		}
		tag := ""
		switch f.Applicability {
		case "safe":
			tag = " " + dim + "[fixable]" + reset
		case "unsafe":
			tag = " " + dim + "[unsafe fix]" + reset
		}
		fmt.Fprintf(bw, "%s%s%s: %s%s%s %s%s\n", bold, f.location(), reset, severityColor(f.Severity), f.Rule.ID, reset, msg, tag)
	}
	return bw.Flush()
}

func severityColor(s string) string {
	switch s {
	case "error":
		return bold + red
	case "warning":
		return bold + yellow
	}
	return bold + cyan
}
