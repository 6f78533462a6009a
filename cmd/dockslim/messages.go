package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dockslim/dockslim/internal/diff"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

func reportError(w io.Writer, j *job) {
	var pe *parser.ParseError
	if errors.As(j.err, &pe) {
		fmt.Fprintln(w, pe.Error())
		return
	}
	if j.path == "-" {
		fmt.Fprintf(w, "%s: %v\n", j.display, j.err)
		return
	}
	fmt.Fprintf(w, "%v\n", j.err)
}

// reportEngine prints what the engine refused to do: fixes that failed
// validation, and passes that crashed; it reports whether a pass crashed
// (exit 2: the findings of that file are incomplete).
func reportEngine(w io.Writer, name string, res *rewrite.Result) (internal bool) {
	for _, d := range res.Dropped {
		fmt.Fprintf(w, "%s:%d: %s fix not applied: %s\n", name, d.Finding.Line, d.Finding.Rule.ID, d.Reason)
	}
	if res.Unstable {
		fmt.Fprintf(w, "%s: fixes did not converge; please report this Dockerfile\n", name)
	}
	reportInternal(w, name, res)
	return len(res.InternalErrors) > 0
}

// reportInternal prints the passes that crashed on a file, under its name.
func reportInternal(w io.Writer, name string, res *rewrite.Result) {
	for _, m := range res.InternalErrors {
		fmt.Fprintf(w, "%s: internal error in %s; please report this Dockerfile\n", name, m)
	}
}

func notePending(w io.Writer, name string, res *rewrite.Result) {
	if n := len(res.Pending); n > 0 {
		fmt.Fprintf(w, "%s: %d unsafe fix(es) not applied (%s); use --unsafe-fixes\n", name, n, ruleCounts(res.Pending))
	}
}

// ruleCounts summarises findings as "DS101, DS102×2".
func ruleCounts(fds []rewrite.Finding) string {
	counts := map[string]int{}
	for _, fd := range fds {
		counts[fd.Rule.ID]++
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id
		if counts[id] > 1 {
			parts[i] += fmt.Sprintf("×%d", counts[id])
		}
	}
	return strings.Join(parts, ", ")
}

// writeDiff prints the fixes as comment lines (patch and git apply skip
// text before the first ---), with the unsafe fixes not applied and the
// findings without a fix, then the unified diff of the file and of any new
// files. Every line is placed on the input, whichever round found it.
func writeDiff(w io.Writer, name string, res *rewrite.Result) {
	for _, fd := range res.Applied {
		mark := fd.Fix.Applicability.String()
		if fd.Fix.Applicability == rewrite.Unsafe {
			mark = "UNSAFE"
		}
		fmt.Fprintf(w, "# %s:%d: %s [%s] %s\n", name, fd.Line, fd.Rule.ID, mark, oneLine(fd.Fix.Description))
	}
	writePending(w, name, res)
	fmt.Fprint(w, diff.Unified(strings.TrimPrefix(name, "/"), res.Input, res.Output))
	for _, nf := range res.NewFiles {
		p := filepath.ToSlash(filepath.Join(filepath.Dir(name), nf.Path))
		hdr := strings.TrimPrefix(p, "/")
		var old []byte
		if b, err := os.ReadFile(p); err == nil {
			old = b
		}
		fmt.Fprint(w, diff.Unified(hdr, old, nf.Content))
	}
}

// writePending lists, as comment lines, the unsafe fixes that were not
// applied, and the findings without a fix with the reason: a reviewer
// reading --diff always sees them, marked.
func writePending(w io.Writer, name string, res *rewrite.Result) {
	for _, fd := range res.Pending {
		fmt.Fprintf(w, "# %s:%d: %s [UNSAFE, not applied: use --unsafe-fixes] %s\n", name, fd.Line, fd.Rule.ID, oneLine(fd.Fix.Description))
	}
	for _, fd := range declines(res) {
		fmt.Fprintf(w, "# %s:%d: %s [no fix: %s]\n", name, fd.Line, fd.Rule.ID, oneLine(fd.Message))
	}
}

// declines are the findings without a fix (a rule that found something
// but will not or cannot change it says why), once per line, rule and
// message.
func declines(res *rewrite.Result) []rewrite.Finding {
	var out []rewrite.Finding
	seen := map[string]bool{}
	for _, fd := range res.Findings {
		if fd.Fix != nil {
			continue
		}
		k := fmt.Sprintf("%d\x00%s\x00%s", fd.Line, fd.Rule.ID, fd.Message)
		if !seen[k] {
			seen[k] = true
			out = append(out, fd)
		}
	}
	return out
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// newFileNames lists the files a result's fixes create ("app/.dockerignore").
func newFileNames(res *rewrite.Result) string {
	var names []string
	for _, nf := range res.NewFiles {
		names = append(names, nf.Path)
	}
	return strings.Join(names, ", ")
}
