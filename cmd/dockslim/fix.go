package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/report"
	"github.com/dockslim/dockslim/internal/safewrite"
)

func fixCommand() *cli.Command {
	return &cli.Command{
		Name:      "fix",
		Usage:     "rewrite Dockerfiles: print the result, a diff, or write it in place",
		ArgsUsage: "PATH... (files, folders, or - for standard input)",
		Flags: verifyFlags(append(append([]cli.Flag{
			&cli.BoolFlag{Name: "diff", Usage: "print a unified diff instead of the fixed file; exit 1 when there are changes"},
			&cli.BoolFlag{Name: "write", Aliases: []string{"w"}, Usage: "rewrite the files in place (atomically)"},
			&cli.BoolFlag{Name: "check", Usage: "print the files that would change (--format: the fixes); exit 1 when any would"},
			&cli.BoolFlag{Name: "exit-non-zero-on-fix", Usage: "with --write: exit 1 when a file was changed (for pre-commit hooks)"},
			&cli.BoolFlag{Name: "unsafe-fixes", Usage: "also apply fixes that can change behaviour"},
		}, commonFlags()...), formatFlags()...)),
		Action: fixAction,
	}
}

// fixRun is one run of fix: its mode, what it printed, its exit code.
type fixRun struct {
	c     *cli.Context
	mode  string // "", "diff", "write" or "check"
	quiet bool
	code  int
	sum   summary
	// format is --format; rep collects fix --check's pending fixes for
	// every format but text.
	format string
	ropts  report.Options
	rep    *report.Report
}

func fixAction(c *cli.Context) error {
	if c.Bool("verify") || verifyFlagsSet(c) {
		return verifyAction(c)
	}
	r := &fixRun{c: c, quiet: c.Bool("quiet")}
	for _, m := range []string{"diff", "write", "check"} {
		if c.Bool(m) {
			if r.mode != "" {
				fmt.Fprintln(c.App.ErrWriter, "dockslim fix: --diff, --write and --check exclude each other")
				return exitCode(exitError)
			}
			r.mode = m
		}
	}
	var err error
	if r.format, r.ropts, err = outputOptions(c); err == nil && r.format != "text" && r.mode != "check" {
		err = errors.New("--format is for fix --check (and check)")
	}
	if err == nil && c.Bool("exit-non-zero-on-fix") && r.mode != "write" {
		err = errors.New("--exit-non-zero-on-fix is for fix --write")
	}
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim fix: %v\n", err)
		return exitCode(exitError)
	}
	e, opts, ok := setup(c, "fix")
	if !ok {
		return exitCode(exitError)
	}
	defer closeEnv(opts)
	paths, ok := inputs(c)
	if !ok {
		r.code = exitError
	}
	if r.format != "text" {
		r.rep = newReport(e)
	}
	files, ok := runAll(c, e, paths, opts, r.file)
	if !ok {
		return exitCode(exitError)
	}
	r.finish(files)
	if r.code != exitOK {
		return exitCode(r.code)
	}
	return nil
}

// file prints or writes one file's outcome.
func (r *fixRun) file(j *job) {
	out, errw := r.c.App.Writer, r.c.App.ErrWriter
	if j.err != nil {
		reportError(errw, j)
		if r.rep != nil {
			add(r.rep, j, nil)
		}
		r.code = exitError
		return
	}
	res := j.res
	if reportEngine(errw, j.display, res) {
		r.code = exitError
	}
	r.sum.count(res)
	switch {
	case r.mode == "diff":
		if res.Changed() {
			writeDiff(out, j.display, res)
			r.code = max(r.code, exitChanges)
		} else {
			writePending(out, j.display, res)
		}
	case r.mode == "check":
		if res.Changed() {
			r.code = max(r.code, exitChanges)
		}
		if r.rep != nil {
			add(r.rep, j, res.Applied)
		} else if res.Changed() {
			fmt.Fprintln(out, j.display)
		}
	case r.mode == "write" && j.path != "-":
		if !res.Changed() {
			break
		}
		if err := writeResult(j); err != nil {
			fmt.Fprintf(errw, "dockslim: %v\n", err)
			r.code = exitError
			r.sum.notWritten(res)
			return
		}
		if c := r.c; c.Bool("exit-non-zero-on-fix") {
			r.code = max(r.code, exitChanges)
		}
		if !r.quiet {
			fmt.Fprintf(errw, "fixed %s: %s\n", j.display, ruleCounts(res.Applied))
		}
	default: // standard output (and --write of standard input)
		out.Write(res.Output)
		if len(res.NewFiles) > 0 && !r.quiet {
			fmt.Fprintf(errw, "%s: %s not written (the fixed Dockerfile went to standard output): use --write to create it, --diff to see it\n",
				j.display, newFileNames(res))
		}
	}
	if !r.quiet {
		notePending(errw, j.display, res)
	}
}

// finish prints the report of --check --format and the summary.
func (r *fixRun) finish(files int) {
	if r.rep != nil {
		if err := report.Write(r.c.App.Writer, r.format, r.rep, r.ropts); err != nil {
			fmt.Fprintf(r.c.App.ErrWriter, "dockslim fix: %v\n", err)
			r.code = exitError
		}
	}
	if r.quiet || files == 0 || r.mode == "" {
		return
	}
	verb := "would change"
	if r.mode == "write" {
		verb = "changed"
	}
	fmt.Fprintln(r.c.App.ErrWriter, r.sum.fixLine(verb, files))
}

// writeResult writes the fixed file over the input (internal/safewrite:
// through symlinks, owner, mode and hard links kept, read-only and changed
// files refused) and creates the new files a fix proposes, never over a
// file the user has.
func writeResult(j *job) error {
	res := j.res
	if string(res.Output) != string(res.Input) {
		if err := safewrite.Replace(j.path, res.Input, res.Output); err != nil {
			return err
		}
	}
	for _, nf := range res.NewFiles {
		p := filepath.Join(filepath.Dir(j.path), nf.Path)
		if _, err := os.Lstat(p); err == nil {
			continue // never overwrite a file the user has
		}
		if err := safewrite.Create(p, nf.Content, 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return nil
}
