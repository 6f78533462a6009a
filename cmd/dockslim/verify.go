package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/measure"
	"github.com/dockslim/dockslim/internal/proof"
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
	return append(flags, &cli.StringFlag{Name: "format", Value: "text", Usage: "with --verify: text (the report on standard error) or json (on standard output)"})
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
	e, ok := newEngine(c)
	if !ok {
		return exitCode(exitError)
	}
	opts, err := optionsFrom(c, e)
	if err != nil {
		fmt.Fprintf(errw, "dockslim fix: %v\n", err)
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
	files := []verifiedFile{}
	for _, p := range paths {
		rep, res, fc := verifyFile(c, ctx, b, e, opts, p)
		code = max(code, fc)
		if res == nil {
			continue
		}
		if fc = verifyOutput(c, mode, format, p, rep, res); fc != exitOK {
			code = max(code, fc)
		}
		files = append(files, verifiedFile{rep, string(res.Output)})
	}
	if format == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		enc.Encode(files)
	}
	if code != exitOK {
		return exitCode(code)
	}
	return nil
}

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
	case format != "text" && format != "json":
		err = fmt.Errorf("--verify reports as text or json, not %q", format)
	case format == "json" && mode == "diff":
		err = fmt.Errorf("--format json carries the fixed Dockerfile: drop --diff")
	}
	return mode, format, err
}

// verifyFile proves one Dockerfile's fixes; the report goes to standard
// error unless it is JSON.
func verifyFile(c *cli.Context, ctx context.Context, b measure.Builder, e *rewrite.Engine, opts rewrite.Options, p string) (*proof.Report, *rewrite.Result, int) {
	errw := c.App.ErrWriter
	name := filepath.ToSlash(filepath.Clean(p))
	if p == "-" {
		fmt.Fprintln(errw, "dockslim fix --verify: a Dockerfile on standard input has no build context to build with: name the file")
		return nil, nil, exitError
	}
	dir := c.String("context")
	if dir == "" {
		dir = filepath.Dir(p)
	}
	rep, res, err := proof.Run(ctx, b, proof.Options{Dockerfile: p, ContextDir: dir, Engine: e, Fix: opts,
		Smoke: c.String("smoke"), Timeout: c.Duration("timeout"), Progress: prefixWriter{errw, name}})
	if oe, ok := proof.IsOriginalError(err); ok {
		fmt.Fprintf(errw, "%s: the original Dockerfile does not build with %s, so there is nothing to compare the fixes with:\n%s\n",
			name, b.Name(), indent(oe.Tail))
		return nil, nil, exitError
	}
	if err != nil {
		fmt.Fprintf(errw, "dockslim: %s: %v\n", name, err)
		return nil, nil, exitError
	}
	if c.String("format") != "json" {
		proof.WriteText(errw, rep)
	}
	return rep, res, exitOK
}

// verifyOutput prints, diffs or writes the verified result, as fix does.
func verifyOutput(c *cli.Context, mode, format, p string, rep *proof.Report, res *rewrite.Result) int {
	name := filepath.ToSlash(filepath.Clean(p))
	switch {
	case mode == "diff":
		// The unsafe fixes not applied are those --verify dropped: listed
		// with why, not as waiting for --unsafe-fixes.
		for _, f := range rep.Fixes {
			if !f.Kept {
				fmt.Fprintf(c.App.Writer, "# %s:%d: %s [UNSAFE, dropped by --verify: %s]\n", name, f.Line, f.Rule, oneLine(f.Reason))
			}
		}
		shown := *res
		shown.Pending = nil
		if res.Changed() {
			writeDiff(c.App.Writer, name, &shown)
			return exitChanges
		}
		writePending(c.App.Writer, name, &shown)
	case mode == "write":
		if !res.Changed() {
			return exitOK
		}
		st, err := os.Stat(p)
		if err == nil {
			err = writeResult(&job{path: p, display: name, res: res, mode: st.Mode()})
		}
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "dockslim: %s: %v\n", name, err)
			return exitError
		}
		fmt.Fprintf(c.App.ErrWriter, "fixed %s: %s\n", name, ruleCounts(res.Applied))
	case format == "text":
		c.App.Writer.Write(res.Output)
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
