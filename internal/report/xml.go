package report

import (
	"encoding/xml"
	"fmt"
	"io"
)

type checkstyleXML struct {
	XMLName xml.Name         `xml:"checkstyle"`
	Version string           `xml:"version,attr"`
	Files   []checkstyleFile `xml:"file"`
}

type checkstyleFile struct {
	Name   string            `xml:"name,attr"`
	Errors []checkstyleError `xml:"error"`
}

type checkstyleError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr,omitempty"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

// writeCheckstyle prints checkstyle XML: every file checked, with its
// findings and, for a file that could not be checked, its error.
func writeCheckstyle(w io.Writer, r *Report) error {
	doc := checkstyleXML{Version: "4.3"}
	file := byName(&doc.Files, func(name string) checkstyleFile { return checkstyleFile{Name: name} })
	for _, name := range r.Files {
		file(name)
	}
	for _, e := range r.Errors {
		f := file(e.File)
		f.Errors = append(f.Errors, checkstyleError{Line: e.Line, Severity: "error", Message: Clean(e.Message), Source: "dockslim.input"})
	}
	for _, fd := range r.Findings {
		f := file(fd.File)
		f.Errors = append(f.Errors, checkstyleError{
			Line: fd.Start.Line, Column: fd.Start.Column, Severity: checkstyleSeverity(fd.Severity),
			Message: Clean(fd.Message), Source: "dockslim." + fd.Rule.ID,
		})
	}
	return writeXML(w, doc)
}

func checkstyleSeverity(s string) string { return level(s, "error", "warning", "info") }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit prints JUnit XML: a test suite a file, a failing test case a
// finding, an erroring one for a file that could not be checked, and one
// passing case for a clean file (so that CI lists it as checked).
func writeJUnit(w io.Writer, r *Report) error {
	doc := junitSuites{Name: r.Tool}
	suite := byName(&doc.Suites, func(name string) junitSuite { return junitSuite{Name: name} })
	for _, name := range r.Files {
		suite(name)
	}
	for _, e := range r.Errors {
		s := suite(e.File)
		s.Errors++
		s.Cases = append(s.Cases, junitCase{Name: "dockslim", Classname: e.File, File: e.File, Line: e.Line,
			Error: &junitProblem{Message: Clean(e.Message), Type: "input", Text: Clean(e.location() + ": " + e.Message)}})
	}
	for _, f := range r.Findings {
		s := suite(f.File)
		s.Failures++
		s.Cases = append(s.Cases, junitCase{
			Name: fmt.Sprintf("%s %s (line %d)", f.Rule.ID, f.Rule.Name, f.Start.Line), Classname: f.File, File: f.File, Line: f.Start.Line,
			Failure: &junitProblem{Message: Clean(f.Message), Type: f.Rule.ID, Text: Clean(f.location() + ": " + f.Rule.ID + " " + f.Message)},
		})
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		if len(s.Cases) == 0 {
			s.Cases = []junitCase{{Name: "dockslim", Classname: s.Name, File: s.Name}}
		}
		s.Tests = len(s.Cases)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	return writeXML(w, doc)
}

// byName returns a function that finds the element of *list with a name,
// appending a new one (made by mk) the first time: one XML element a file.
func byName[T any](list *[]T, mk func(string) T) func(string) *T {
	at := map[string]int{}
	return func(name string) *T {
		i, ok := at[name]
		if !ok {
			i = len(*list)
			at[name] = i
			*list = append(*list, mk(name))
		}
		return &(*list)[i]
	}
}

func writeXML(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
