package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/report"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "report findings without changing anything; exit 1 when there are any",
		ArgsUsage: "PATH... (files, folders, or - for standard input)",
		Flags:     append(formatFlags(), commonFlags()...),
		Action:    checkAction,
	}
}

func checkAction(c *cli.Context) error {
	format, ropts, err := outputOptions(c)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim check: %v\n", err)
		return exitCode(exitError)
	}
	e, opts, ok := setup(c, "check")
	if !ok {
		return exitCode(exitError)
	}
	defer closeEnv(opts)
	// check reports what fix would do, unsafe fixes included.
	opts.UnsafeFixes = true
	paths, ok := inputs(c)
	code := exitOK
	if !ok {
		code = exitError
	}
	rep := newReport(e)
	var sum summary
	files, ok := runAll(c, e, paths, opts, func(j *job) {
		if j.err != nil {
			reportError(c.App.ErrWriter, j)
			add(rep, j, nil)
			code = exitError
			return
		}
		if len(j.res.InternalErrors) > 0 {
			reportInternal(c.App.ErrWriter, j.display, j.res)
			code = exitError // the file's findings are incomplete
		}
		if len(j.res.Findings) > 0 {
			code = max(code, exitChanges)
		}
		sum.countFindings(j.res)
		add(rep, j, j.res.Findings)
	})
	if !ok {
		return exitCode(exitError)
	}
	if err := report.Write(c.App.Writer, format, rep, ropts); err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim check: %v\n", err)
		return exitCode(exitError)
	}
	if format == "text" && !c.Bool("quiet") && files > 0 {
		fmt.Fprintln(c.App.ErrWriter, sum.checkLine(files))
	}
	if code != exitOK {
		return exitCode(code)
	}
	return nil
}
