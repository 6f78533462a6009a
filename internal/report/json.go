package report

import (
	"encoding/json"
	"io"
)

// jsonFinding is the stable JSON shape of a finding (README documents it;
// fields are only ever added).
type jsonFinding struct {
	File          string  `json:"file"`
	Line          int     `json:"line"`
	Column        int     `json:"column"`
	End           jsonPos `json:"end"`
	Rule          string  `json:"rule"`
	Name          string  `json:"name"`
	Severity      string  `json:"severity"`
	Message       string  `json:"message"`
	Applicability string  `json:"applicability"`
	Fixable       bool    `json:"fixable"`
	Fix           string  `json:"fix,omitempty"`
	Saving        int64   `json:"saving,omitempty"`
	Hadolint      string  `json:"hadolint"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// writeJSON prints an array of findings (empty when there are none).
func writeJSON(w io.Writer, r *Report) error {
	out := make([]jsonFinding, 0, len(r.Findings))
	for _, f := range r.Findings {
		jf := jsonFinding{
			File: f.File, Line: f.Start.Line, Column: f.Start.Column,
			End:  jsonPos{f.End.Line, f.End.Column},
			Rule: f.Rule.ID, Name: f.Rule.Name, Severity: f.Severity, Message: f.Message,
			Applicability: f.Applicability, Fixable: f.Applicability != "suggestion",
			Saving: f.Saving, Hadolint: f.Hadolint,
		}
		// The fix's description only when it says more than the message.
		if f.Fix != f.Message {
			jf.Fix = f.Fix
		}
		out = append(out, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
