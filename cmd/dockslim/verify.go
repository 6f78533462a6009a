package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/measure"
	"github.com/dockslim/dockslim/internal/proof"
	"github.com/dockslim/dockslim/internal/report"
	"github.com/dockslim/dockslim/rewrite"
)

// verifyFlags adds fix --verify's flags to fix's; --format only when fix
// has none of its own.
func verifyFlags(flags []cli.Flag) []cli.Flag {
	flags = append(flags,
		&cli.BoolFlag{Name: "verify", Usage: "prove the unsafe fixes with real builds and keep those whose image builds, passes the smoke test and is not larger"},
		&cli.StringFlag{Name: "builder", Value: "auto", Usage: "with --verify: auto, docker, podman or buildah"},
		&cli.StringFlag{Name: "smoke", Usage: "with --verify: the command line that proves an image works (argv, shell-style quoting; default: the HEALTHCHECK, else a check derived from the CMD)"},
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Minute, Usage: "with --verify: the longest one build may take"},
	)
	for _, f := range flags {
		if slices.Contains(f.Names(), "format") {
			return flags
		}
	}
	return append(flags, &cli.StringFlag{Name: "format", Value: "text", Usage: "with --verify: text (the report on standard error), json, sarif or github (on standard output)"})
}

// verifyFlagsSet reports whether a flag only --verify reads is set.
func verifyFlagsSet(c *cli.Context) bool {
	return c.IsSet("builder") || c.IsSet("smoke") || c.IsSet("timeout")
}

// verifiedFile is one file's --format json entry.
type verifiedFile struct {
	*proof.Report
	// Fixed is the Dockerfile with the fixes kept.
	Fixed string `json:"fixed_dockerfile"`
}

// verifyAction is fix --verify: every Dockerfile's fixes proven with real
// builds, one file after the other.
func verifyAction(c *cli.Context) error {
	errw := c.App.ErrWriter
	mode, format, err := verifyMode(c)
	if err != nil {
		fmt.Fprintf(errw, "dockslim fix --verify: %v\n", err)
		return exitCode(exitError)
	}
	e, opts, ok := setup(c, "fix")
	if !ok {
		return exitCode(exitError)
	}
	defer closeEnv(opts)
	paths, ok := inputs(c)
	code := exitOK
	if !ok {
		code = exitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b, err := measure.NewBuilder(ctx, c.String("builder"))
	if err != nil {
		fmt.Fprintf(errw, "dockslim fix --verify: %v\n", err)
		return exitCode(exitError)
	}
	// runAll reads each file and its settings (.dockslim.toml, --context)
	// and rejects bad input, as fix does; proof.Run then re-runs the engine.
	files := []verifiedFile{}
	findings := newReport(e) // --format sarif or github
	_, ok = runAll(c, e, paths, opts, func(j *job) {
		rep, fc := verifyFile(c, ctx, b, e, j)
		code = max(code, fc)
		if rep == nil {
			if j.err != nil {
				add(findings, j, nil)
			}
			return
		}
		code = max(code, verifyOutput(c, mode, format, j, rep))
		files = append(files, verifiedFile{rep, string(j.res.Output)})
		addVerified(findings, j, rep)
	})
	if !ok {
		return exitCode(exitError)
	}
	switch format {
	case "json":
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		enc.Encode(files)
	case "sarif", "github":
		if err := report.Write(c.App.Writer, format, findings, report.Options{}); err != nil {
			fmt.Fprintf(errw, "dockslim: %v\n", err)
			code = exitError
		}
	}
	if code != exitOK {
		return exitCode(code)
	}
	return nil
}

// verifyFormats are fix --verify's report formats: text and json are its
// own (the report, the fixed Dockerfile), sarif and github list each fix
// with its proof.
var verifyFormats = []string{"text", "json", "sarif", "github"}

// verifyMode checks the flags --verify goes with.
func verifyMode(c *cli.Context) (mode, format string, err error) {
	if !c.Bool("verify") {
		return "", "", fmt.Errorf("--builder, --smoke and --timeout go with --verify")
	}
	for _, m := range []string{"diff", "write", "check"} {
		if c.Bool(m) {
			if mode != "" || m == "check" {
				return "", "", fmt.Errorf("--verify goes with --diff or --write (or neither), not --%s", m)
			}
			mode = m
		}
	}
	switch format = c.String("format"); {
	case !slices.Contains(verifyFormats, format):
		err = fmt.Errorf("--verify reports as %s, not %q", strings.Join(verifyFormats, ", "), format)
	case format == "json" && mode == "diff":
		err = fmt.Errorf("--format json carries the fixed Dockerfile: drop --diff")
	case format != "text" && format != "json" && mode == "diff":
		err = fmt.Errorf("--format %s prints the proven fixes (as SARIF fixes or annotations): drop --diff", format)
	}
	return mode, format, err
}

// verifyFile proves one Dockerfile's fixes and puts the verified result in
// j.res; the report goes to standard error unless it is JSON.
func verifyFile(c *cli.Context, ctx context.Context, b measure.Builder, e *rewrite.Engine, j *job) (*proof.Report, int) {
	errw := c.App.ErrWriter
	switch {
	case j.err != nil:
		reportError(errw, j)
		return nil, exitError
	case j.path == "-":
		j.err = errors.New("a Dockerfile on standard input has no build context to build with: name the file")
		fmt.Fprintf(errw, "dockslim fix --verify: %v\n", j.err)
		return nil, exitError
	}
	rep, res, err := proof.Run(ctx, b, proof.Options{Dockerfile: j.path, ContextDir: j.opts.ContextDir, Engine: e, Fix: j.opts,
		Smoke: c.String("smoke"), Timeout: c.Duration("timeout"), Progress: prefixWriter{errw, j.display}})
	if oe, ok := proof.IsOriginalError(err); ok {
		fmt.Fprintf(errw, "%s: the original Dockerfile does not build with %s, so there is nothing to compare the fixes with:\n%s\n",
			j.display, b.Name(), indent(oe.Tail))
		j.err = fmt.Errorf("the original Dockerfile does not build with %s (%s): nothing to compare the fixes with", b.Name(), oe.Line)
		return nil, exitError
	}
	if err != nil {
		fmt.Fprintf(errw, "dockslim: %s: %v\n", j.display, err)
		j.err = err
		return nil, exitError
	}
	if c.String("format") != "json" {
		proof.WriteText(errw, rep)
	}
	j.res = res
	return rep, exitOK
}

// verifyOutput prints, diffs or writes the verified result, as fix does.
func verifyOutput(c *cli.Context, mode, format string, j *job, rep *proof.Report) int {
	res, w := j.res, c.App.Writer
	switch {
	case mode == "diff":
		// The unsafe fixes not applied are those --verify dropped: listed
		// with why, not as waiting for --unsafe-fixes.
		for _, f := range rep.Fixes {
			if !f.Kept {
				fmt.Fprintf(w, "# %s:%d: %s [UNSAFE, dropped by --verify: %s]\n", j.display, f.Line, f.Rule, oneLine(f.Reason))
			}
		}
		shown := *res
		shown.Pending = nil
		if res.Changed() {
			writeDiff(w, j.display, &shown)
			return exitChanges
		}
		writePending(w, j.display, &shown)
	case mode == "write":
		if !res.Changed() {
			return exitOK
		}
		if err := writeResult(j); err != nil {
			fmt.Fprintf(c.App.ErrWriter, "dockslim: %v\n", err)
			return exitError
		}
		fmt.Fprintf(c.App.ErrWriter, "fixed %s: %s\n", j.display, ruleCounts(res.Applied))
	case format == "text":
		w.Write(res.Output)
	}
	return exitOK
}

// prefixWriter puts the file's name before each progress line.
type prefixWriter struct {
	w    io.Writer
	name string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	fmt.Fprintf(p.w, "%s: %s", p.name, b)
	return len(b), nil
}
