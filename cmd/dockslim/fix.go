package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/diff"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

func fixCommand() *cli.Command {
	return &cli.Command{
		Name:      "fix",
		Usage:     "rewrite Dockerfiles: print the result, a diff, or write it in place",
		ArgsUsage: "PATH... (files, folders, or - for standard input)",
		Flags: verifyFlags(append([]cli.Flag{
			&cli.BoolFlag{Name: "diff", Usage: "print a unified diff instead of the fixed file; exit 1 when there are changes"},
			&cli.BoolFlag{Name: "write", Aliases: []string{"w"}, Usage: "rewrite the files in place (atomically)"},
			&cli.BoolFlag{Name: "check", Usage: "print the files that would change; exit 1 when any would"},
			&cli.BoolFlag{Name: "unsafe-fixes", Usage: "also apply fixes that can change behaviour"},
		}, commonFlags()...)),
		Action: fixAction,
	}
}

func fixAction(c *cli.Context) error {
	if c.Bool("verify") || verifyFlagsSet(c) {
		return verifyAction(c)
	}
	modes := 0
	for _, m := range []string{"diff", "write", "check"} {
		if c.Bool(m) {
			modes++
		}
	}
	if modes > 1 {
		fmt.Fprintln(c.App.ErrWriter, "dockslim fix: --diff, --write and --check exclude each other")
		return exitCode(exitError)
	}
	e, ok := newEngine(c)
	if !ok {
		return exitCode(exitError)
	}
	opts, err := optionsFrom(c, e)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim fix: %v\n", err)
		return exitCode(exitError)
	}
	defer closeEnv(opts)
	paths, ok := inputs(c)
	code := exitOK
	if !ok {
		code = exitError
	}
	out, errw := c.App.Writer, c.App.ErrWriter
	jobs := runAll(e, paths, c.App.Reader, c.String("stdin-filename"), opts, c.String("context"))
	var sum writeSummary
	for _, j := range jobs {
		if j.err != nil {
			reportError(errw, j)
			code = exitError
			continue
		}
		res := j.res
		if reportEngine(errw, j.display, res) {
			code = exitError
		}
		switch {
		case c.Bool("diff"):
			if res.Changed() {
				writeDiff(out, j.display, res)
				code = max(code, exitChanges)
			} else {
				writePending(out, j.display, res)
			}
			notePending(errw, j.display, res)
		case c.Bool("check"):
			if res.Changed() {
				fmt.Fprintln(out, j.display)
				code = max(code, exitChanges)
			}
		case c.Bool("write") && j.path != "-":
			sum.unfixed = append(sum.unfixed, declines(res)...)
			if !res.Changed() {
				notePending(errw, j.display, res)
				continue
			}
			if err := writeResult(j); err != nil {
				fmt.Fprintf(errw, "dockslim: %s: %v\n", j.display, err)
				code = exitError
				continue
			}
			sum.add(res)
			fmt.Fprintf(errw, "fixed %s: %s\n", j.display, ruleCounts(res.Applied))
			notePending(errw, j.display, res)
		default:
			out.Write(res.Output)
			notePending(errw, j.display, res)
		}
	}
	if c.Bool("write") && len(jobs) > 0 {
		fmt.Fprintln(errw, sum.line(len(jobs)))
	}
	if code != exitOK {
		return exitCode(code)
	}
	return nil
}

// writeSummary tallies what fix --write did, for its summary line.
type writeSummary struct {
	fixedFiles, fixes int
	saved             int64
	unfixed           []rewrite.Finding // findings without a fix
}

// add counts a file written with res's fixes.
func (w *writeSummary) add(res *rewrite.Result) {
	w.fixedFiles++
	w.fixes += len(res.Applied)
	for _, fd := range res.Applied {
		w.saved += fd.SavedBytes
	}
}

// line is the summary line for files files.
func (w *writeSummary) line(files int) string {
	msg := fmt.Sprintf("%d fix(es) in %d of %d file(s)", w.fixes, w.fixedFiles, files)
	if w.saved > 0 {
		msg += fmt.Sprintf("; estimated saving ~%d MB compressed (linux/amd64)", (w.saved+500_000)/1_000_000)
	}
	if len(w.unfixed) > 0 {
		msg += fmt.Sprintf("; %d finding(s) without a fix (%s): see dockslim check or fix --diff", len(w.unfixed), ruleCounts(w.unfixed))
	}
	return msg
}

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

func writeResult(j *job) error {
	res := j.res
	if string(res.Output) != string(res.Input) {
		if err := writeAtomic(j.path, res.Output, j.mode); err != nil {
			return err
		}
	}
	for _, nf := range res.NewFiles {
		p := filepath.Join(filepath.Dir(j.path), nf.Path)
		if _, err := os.Stat(p); err == nil {
			continue // never overwrite a file the user has
		}
		if err := writeAtomic(p, nf.Content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
