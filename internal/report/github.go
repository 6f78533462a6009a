package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// writeGitHub prints GitHub Actions workflow commands: one annotation a
// finding (::error, ::warning or ::notice by severity) and an ::error for
// each file that could not be checked.
func writeGitHub(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	for _, e := range r.Errors {
		props := "file=" + ghProp(e.File)
		if e.Line > 0 {
			props += fmt.Sprintf(",line=%d", e.Line)
		}
		fmt.Fprintf(bw, "::error %s,title=dockslim::%s\n", props, ghData(Clean(e.Message)))
	}
	for _, f := range r.Findings {
		title := f.Rule.ID + " " + f.Rule.Name
		msg := f.Message
		if f.Proof != nil {
			msg += " (" + f.Proof.verdict() + ")"
		}
		fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n", level(f.Severity, "error", "warning", "notice"),
			ghProp(f.File), f.Start.Line, f.Start.Column, f.End.Line, f.End.Column, ghProp(title), ghData(Clean(msg)))
	}
	return bw.Flush()
}

// ghData escapes a workflow command's message.
var ghDataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")

func ghData(s string) string { return ghDataEscaper.Replace(s) }

// ghProp escapes a workflow command's property value.
var ghPropEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")

func ghProp(s string) string { return ghPropEscaper.Replace(s) }
