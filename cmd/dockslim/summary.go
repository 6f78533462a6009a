package main

import (
	"fmt"
	"strings"

	"github.com/dockslim/dockslim/rewrite"
)

// summary tallies a run for its last line on stderr.
type summary struct {
	changedFiles, fixes int
	saved               int64             // estimated, of the fixes counted
	unfixed             []rewrite.Finding // findings without a fix
	findings, fixable   int               // check: what it listed
	findingFiles        int
}

// count adds a file's result: the fixes applied to it and its findings
// without a fix.
func (s *summary) count(res *rewrite.Result) {
	s.unfixed = append(s.unfixed, declines(res)...)
	if !res.Changed() {
		return
	}
	s.changedFiles++
	s.fixes += len(res.Applied)
	for _, fd := range res.Applied {
		s.saved += fd.SavedBytes
	}
}

// notWritten takes back a file that count added but --write could not
// write.
func (s *summary) notWritten(res *rewrite.Result) {
	s.changedFiles--
	s.fixes -= len(res.Applied)
	for _, fd := range res.Applied {
		s.saved -= fd.SavedBytes
	}
}

// countFindings adds check's findings of a file.
func (s *summary) countFindings(res *rewrite.Result) {
	s.count(res)
	s.findings += len(res.Findings)
	for _, fd := range res.Findings {
		if fd.Fix != nil {
			s.fixable++
		}
	}
	if len(res.Findings) > 0 {
		s.findingFiles++
	}
}

// fixLine is fix's summary: "3 fix(es) in 1 of 2 file(s)" with the verb
// of the mode, the estimated saving, the findings without a fix.
func (s *summary) fixLine(verb string, files int) string {
	msg := fmt.Sprintf("%d fix(es) %s %d of %d file(s)", s.fixes, verb, s.changedFiles, files)
	if verb == "changed" {
		msg = fmt.Sprintf("%d fix(es) in %d of %d file(s)", s.fixes, s.changedFiles, files)
	}
	return msg + s.tail("see dockslim check or fix --diff")
}

// checkLine is check's summary.
func (s *summary) checkLine(files int) string {
	msg := fmt.Sprintf("%d finding(s) in %d of %d file(s), %d with a fix", s.findings, s.findingFiles, files, s.fixable)
	return msg + s.tail("")
}

func (s *summary) tail(seeAlso string) string {
	var b strings.Builder
	if s.saved > 0 {
		fmt.Fprintf(&b, "; estimated saving ~%d MB compressed (linux/amd64)", (s.saved+500_000)/1_000_000)
	}
	if len(s.unfixed) > 0 && seeAlso != "" {
		fmt.Fprintf(&b, "; %d finding(s) without a fix (%s): %s", len(s.unfixed), ruleCounts(s.unfixed), seeAlso)
	}
	return b.String()
}
