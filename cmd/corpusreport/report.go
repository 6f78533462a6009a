package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/dockslim/dockslim/internal/diff"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/internal/verify"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/rewrite/all"
)

// Sets are the corpus folders, in report order: real-world Dockerfiles, and
// official-image Dockerfiles (already optimised by their maintainers: a
// false-positive probe).
var Sets = []string{"real", "official"}

// Modes are the two ways the CLI runs the engine.
var Modes = []string{"safe", "unsafe"}

// introduced is the verifier: the problems the fixed file has that the
// original had not (internal/verify), one string per problem, "CHECK: …"
// (the text before the first ':' groups them). Tests may replace it.
var introduced = func(before, after *parser.File) []string {
	var out []string
	for _, p := range verify.Introduced(before, after) {
		out = append(out, fmt.Sprintf("%s: line %d: %s", p.Rule, p.Line, p.Message))
	}
	return out
}

// noop is the no-op hook: whether a fix, computed against src, changes
// nothing. The default applies the fix's edits alone to src.
var noop = func(src []byte, fd rewrite.Finding) bool {
	if fd.Fix == nil || len(fd.Fix.NewFiles) > 0 {
		return false
	}
	out, err := textedit.Apply(src, fd.Fix.Edits)
	return err == nil && string(out) == string(src)
}

// Stats are one set's results in one mode.
type Stats struct {
	Files   int `json:"files"`
	Changed int `json:"files_changed"`
	// LinesChanged are the +/- lines of each changed file's unified diff.
	LinesChanged []int          `json:"-"`
	MedianLines  int            `json:"lines_changed_median"`
	MaxLines     int            `json:"lines_changed_max"`
	Findings     map[string]int `json:"findings"`
	Applied      map[string]int `json:"applied"`
	Dropped      []Event        `json:"dropped"`
	NoOps        []Event        `json:"noops"`
	Unstable     []string       `json:"unstable"`
	Errors       []Event        `json:"errors"`
	// Introduced are the verifier's problems.
	Introduced []Event `json:"introduced"`
	// ChangedFiles are the changed files with the rules whose fixes were applied.
	ChangedFiles []Change `json:"changed_files"`
}

// Event is something that happened to a file.
type Event struct {
	File   string `json:"file"`
	Rule   string `json:"rule,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Change is a changed file.
type Change struct {
	File  string   `json:"file"`
	Lines int      `json:"lines"`
	Rules []string `json:"rules"`
}

// Report is the whole run.
type Report struct {
	Dir      string                       `json:"dir"`
	Verifier string                       `json:"verifier"`
	Stats    map[string]map[string]*Stats `json:"sets"` // set → mode → stats
}

// DefaultDir is where the corpus is looked for from the repository root:
// fixtures/corpus when its Dockerfiles are there (they are not committed),
// else ../shared/corpus.
func DefaultDir() string {
	for _, d := range []string{"fixtures/corpus", "../shared/corpus"} {
		if st, err := os.Stat(filepath.Join(d, "real")); err == nil && st.IsDir() {
			return d
		}
	}
	return "fixtures/corpus"
}

// Source is one row of SOURCES.tsv.
type Source struct {
	File, Repo, Commit, Path, License string
}

// ReadSources reads dir/SOURCES.tsv (header: file repo commit path license).
func ReadSources(dir string) ([]Source, error) {
	f, err := os.Open(filepath.Join(dir, "SOURCES.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Source
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		cols := strings.Split(sc.Text(), "\t")
		if n == 1 {
			if strings.Join(cols, " ") != "file repo commit path license" {
				return nil, fmt.Errorf("SOURCES.tsv: bad header %q", sc.Text())
			}
			continue
		}
		if len(cols) != 5 {
			return nil, fmt.Errorf("SOURCES.tsv:%d: %d columns, want 5", n, len(cols))
		}
		out = append(out, Source{cols[0], cols[1], cols[2], cols[3], cols[4]})
	}
	return out, sc.Err()
}

// Files lists a set's Dockerfiles (*.Dockerfile), relative to dir, sorted.
func Files(dir, set string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(dir, set))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".Dockerfile") {
			out = append(out, set+"/"+e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Run reports on the corpus in dir. limit > 0 keeps every n-th file so that
// at most limit files of each set are run (for tests).
func Run(dir string, limit int) (*Report, error) {
	r := &Report{Dir: dir, Verifier: "internal/verify", Stats: map[string]map[string]*Stats{}}
	for _, set := range Sets {
		files, err := Files(dir, set)
		if err != nil {
			return nil, err
		}
		files = sample(files, limit)
		r.Stats[set] = map[string]*Stats{}
		for _, mode := range Modes {
			st := &Stats{Findings: map[string]int{}, Applied: map[string]int{}}
			r.Stats[set][mode] = st
			for _, name := range files {
				src, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					return nil, err
				}
				st.add(name, src, rewrite.Options{UnsafeFixes: mode == "unsafe"})
			}
			st.finish()
		}
	}
	return r, nil
}

func sample(files []string, limit int) []string {
	if limit <= 0 || len(files) <= limit {
		return files
	}
	out := make([]string, 0, limit)
	for i := 0; i < limit; i++ {
		out = append(out, files[i*len(files)/limit])
	}
	return out
}

// engine is the engine the CLI runs, with every pass.
var engine = func() *rewrite.Engine {
	e, err := all.New()
	if err != nil {
		panic(err) // the pass list is checked by rewrite/all's tests
	}
	return e
}()

// run is Engine.Run as the CLI calls it (no build context), with a panic
// turned into an error.
func run(name string, src []byte, opts rewrite.Options) (res *rewrite.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return engine.Run(name, src, opts)
}

// add runs one file; the engine's internal errors (pass panics it
// recovered) come in the file's Result.
func (st *Stats) add(name string, src []byte, opts rewrite.Options) {
	st.Files++
	res, err := run(name, src, opts)
	if res != nil {
		for _, m := range res.InternalErrors {
			st.Errors = append(st.Errors, Event{File: name, Detail: m})
		}
	}
	if err != nil {
		st.Errors = append(st.Errors, Event{File: name, Detail: err.Error()})
		return
	}
	for _, fd := range res.Findings {
		st.Findings[fd.Rule.ID]++
		if fd.Fix != nil && (fd.Fix.Applicability == rewrite.Safe || fd.Fix.Applicability == rewrite.Unsafe && opts.UnsafeFixes) && noop(res.Input, fd) {
			st.NoOps = append(st.NoOps, Event{File: name, Rule: fd.Rule.ID, Detail: fd.Message})
		}
	}
	var rules []string
	for _, fd := range res.Applied {
		st.Applied[fd.Rule.ID]++
		rules = append(rules, fd.Rule.ID)
	}
	for _, d := range res.Dropped {
		st.Dropped = append(st.Dropped, Event{File: name, Rule: d.Finding.Rule.ID, Detail: d.Reason})
	}
	if res.Unstable {
		st.Unstable = append(st.Unstable, name)
	}
	if !res.Changed() {
		return
	}
	lines := changedLines(diff.Unified(name, res.Input, res.Output))
	st.Changed++
	st.LinesChanged = append(st.LinesChanged, lines)
	st.ChangedFiles = append(st.ChangedFiles, Change{File: name, Lines: lines, Rules: uniq(rules)})
	if string(res.Input) != string(res.Output) {
		before, err1 := parser.Load(name, res.Input)
		after, err2 := parser.Load(name, res.Output)
		if err1 != nil || err2 != nil {
			st.Errors = append(st.Errors, Event{File: name, Detail: fmt.Sprintf("reload for the verifier: %v %v", err1, err2)})
			return
		}
		for _, p := range introduced(before, after) {
			check, _, _ := strings.Cut(p, ":")
			st.Introduced = append(st.Introduced, Event{File: name, Rule: check, Detail: p})
		}
	}
}

// changedLines counts the removed and added lines of a unified diff.
func changedLines(u string) int {
	n := 0
	for _, l := range strings.Split(u, "\n") {
		if strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ") {
			continue
		}
		if strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+") {
			n++
		}
	}
	return n
}

func uniq(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func (st *Stats) finish() {
	if len(st.LinesChanged) == 0 {
		return
	}
	s := append([]int(nil), st.LinesChanged...)
	sort.Ints(s)
	st.MedianLines = s[len(s)/2]
	st.MaxLines = s[len(s)-1]
}

// Failed reports whether CI should fail: a verifier problem or an unstable run.
func (r *Report) Failed() bool {
	for _, modes := range r.Stats {
		for _, st := range modes {
			if len(st.Introduced) > 0 || len(st.Unstable) > 0 {
				return true
			}
		}
	}
	return false
}
