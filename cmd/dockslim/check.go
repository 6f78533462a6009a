package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/rewrite"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "report findings without changing anything; exit 1 when there are any",
		ArgsUsage: "PATH... (files, folders, or - for standard input)",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"},
		}, commonFlags()...),
		Action: checkAction,
	}
}

// jsonFinding is the stable JSON shape of a finding (documented in README).
type jsonFinding struct {
	File          string `json:"file"`
	Line          int    `json:"line"`
	Column        int    `json:"column"`
	Rule          string `json:"rule"`
	Name          string `json:"name"`
	Severity      string `json:"severity"`
	Message       string `json:"message"`
	Applicability string `json:"applicability"`
	Fix           string `json:"fix,omitempty"`
	Hadolint      string `json:"hadolint"`
}

func checkAction(c *cli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		fmt.Fprintf(c.App.ErrWriter, "dockslim check: unknown --format %q (text or json)\n", format)
		return exitCode(exitError)
	}
	e, ok := newEngine(c)
	if !ok {
		return exitCode(exitError)
	}
	opts, err := optionsFrom(c, e)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim check: %v\n", err)
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
	jobs := runAll(e, paths, c.App.Reader, c.String("stdin-filename"), opts, c.String("context"))
	all := []jsonFinding{}
	for _, j := range jobs {
		if j.err != nil {
			reportError(c.App.ErrWriter, j)
			code = exitError
			continue
		}
		if len(j.res.InternalErrors) > 0 {
			reportInternal(c.App.ErrWriter, j.display, j.res)
			code = exitError // the file's findings are incomplete
		}
		for _, fd := range j.res.Findings {
			code = max(code, exitChanges)
			jf := toJSON(j.display, fd)
			if format == "text" {
				fmt.Fprintf(c.App.Writer, "%s:%d:%d: %s %s\n", jf.File, jf.Line, jf.Column, jf.Rule, jf.Message)
			}
			all = append(all, jf)
		}
	}
	if format == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		enc.Encode(all)
	}
	if code != exitOK {
		return exitCode(code)
	}
	return nil
}

func toJSON(file string, fd rewrite.Finding) jsonFinding {
	jf := jsonFinding{
		File: file, Line: fd.Line, Column: fd.Col,
		Rule: fd.Rule.ID, Name: fd.Rule.Name,
		Severity: fd.Severity.String(), Message: fd.Message,
		Applicability: fd.Applicability().String(),
	}
	if fd.Fix != nil {
		jf.Fix = fd.Fix.Description
	}
	jf.Hadolint = fd.HadolintCode()
	return jf
}
