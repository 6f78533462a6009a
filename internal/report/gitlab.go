package report

import (
	"encoding/json"
	"io"
)

// gitlabIssue is one entry of a GitLab Code Quality report (the subset of
// Code Climate's issue format GitLab reads).
type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Categories  []string       `json:"categories"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
	End   int `json:"end,omitempty"`
}

// writeGitLab prints a Code Quality report: a JSON array of issues.
func writeGitLab(w io.Writer, r *Report) error {
	out := make([]gitlabIssue, 0, len(r.Findings))
	fps := Fingerprints(r)
	for i, f := range r.Findings {
		out = append(out, gitlabIssue{
			Description: f.Rule.ID + " " + f.Message,
			CheckName:   f.Rule.ID + " " + f.Rule.Name,
			Fingerprint: fps[i],
			Severity:    level(f.Severity, "major", "minor", "info"),
			Categories:  []string{"Performance"},
			Location:    gitlabLocation{f.File, gitlabLines{f.Start.Line, f.End.Line}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
