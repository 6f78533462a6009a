package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/measure"
)

func measureCommand() *cli.Command {
	return &cli.Command{
		Name:      "measure",
		Usage:     "build a Dockerfile before and after dockslim fix and compare the images",
		ArgsUsage: "Dockerfile",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "builder", Value: "auto", Usage: "auto, docker, podman or buildah"},
			&cli.StringFlag{Name: "context", Usage: "build context `DIR` (default: the Dockerfile's folder)"},
			&cli.BoolFlag{Name: "unsafe-fixes", Usage: "also apply unsafe fixes"},
			&cli.BoolFlag{Name: "cache-mounts", Usage: "fix with --cache-mounts"},
			&cli.StringFlag{Name: "smoke", Usage: "command line to run in both images (argv, shell-style quoting)"},
			&cli.StringFlag{Name: "touch", Usage: "context `FILE` to edit for the cached-rebuild test (default: a source file; - to skip)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"},
			&cli.BoolFlag{Name: "cached", Usage: "time the first builds with the layer cache (faster; the figures say \"cached\" when it served a step)"},
			&cli.BoolFlag{Name: "keep", Usage: "keep the images built (their tags are printed)"},
		},
		Action: measureAction,
	}
}

func measureAction(c *cli.Context) error {
	if c.NArg() != 1 {
		fmt.Fprintln(c.App.ErrWriter, "dockslim measure: give exactly one Dockerfile")
		return exitCode(exitError)
	}
	format := c.String("format")
	if format != "text" && format != "json" {
		fmt.Fprintf(c.App.ErrWriter, "dockslim measure: unknown --format %q (text or json)\n", format)
		return exitCode(exitError)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// After the first Ctrl-C (which cancels the builds and removes the
	// images), a second one ends dockslim at once.
	context.AfterFunc(ctx, stop)
	b, err := measure.NewBuilder(ctx, c.String("builder"))
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim measure: %v\n", err)
		return exitCode(exitError)
	}
	opts := measure.Options{
		Dockerfile: c.Args().First(),
		ContextDir: c.String("context"),
		Smoke:      c.String("smoke"),
		Touch:      c.String("touch"),
		Progress:   c.App.ErrWriter,
		Cold:       !c.Bool("cached"),
		Keep:       c.Bool("keep"),
	}
	opts.Fix.UnsafeFixes = c.Bool("unsafe-fixes")
	opts.Fix.CacheMounts = c.Bool("cache-mounts")
	rep, err := measure.Run(ctx, b, opts)
	if err != nil {
		// A *measure.MissingFeature reads as one line: the builder, what
		// it lacks, what to do.
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted")
		}
		fmt.Fprintf(c.App.ErrWriter, "dockslim measure: %v\n", err)
		return exitCode(exitError)
	}
	if format == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	}
	// 2: nothing to compare (and no table of unknown sizes).
	if !rep.Original.Built {
		fmt.Fprintf(c.App.ErrWriter, "dockslim measure: the original Dockerfile %s does not build with %s, so there is nothing to compare; the builder's last lines:\n%s\n",
			rep.Dockerfile, rep.Builder, indent(rep.Original.ErrorTail))
		writeKept(c.App.ErrWriter, rep)
		return exitCode(exitError)
	}
	if format != "json" {
		writeMeasure(c.App.Writer, rep)
	}
	// 1: the fixed Dockerfile is worse (does not build, runs differently,
	// or is larger, beyond the few KB of a manifest-only layer).
	if !rep.Fixed.Built || rep.SmokeMatches != nil && !*rep.SmokeMatches ||
		rep.Original.Built && rep.Fixed.SizeBytes > rep.Original.SizeBytes+measure.SizeSlack {
		return exitCode(exitChanges)
	}
	return nil
}

func writeMeasure(w io.Writer, r *measure.Report) {
	fmt.Fprintf(w, "%s (builder: %s; sizes are uncompressed)\n\n", r.Dockerfile, r.Builder)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(name string, f func(v *measure.Variant) string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, f(r.Original), f(r.Fixed))
	}
	fmt.Fprintln(tw, "\toriginal\tfixed")
	row("built", func(v *measure.Variant) string { return yesNo(v.Built) })
	row("size", func(v *measure.Variant) string { return known(v, mb(v.SizeBytes)) })
	row("layers", func(v *measure.Variant) string { return known(v, fmt.Sprint(v.Layers)) })
	row("build time", func(v *measure.Variant) string { return fmt.Sprintf("%.1fs (%s)", v.BuildSeconds, v.BuildCache) })
	if r.Touched != "" {
		row("rebuild after editing "+r.Touched, func(v *measure.Variant) string {
			if v.Rebuild == nil {
				return "failed"
			}
			return fmt.Sprintf("%d reused, %d rerun of which %d RUN (%.1fs)", v.Rebuild.Reused, v.Rebuild.Rerun, v.Rebuild.RunRerun, v.RebuildSecs)
		})
	}
	if r.SmokeMatches != nil {
		row("smoke exit code", func(v *measure.Variant) string {
			if v.Smoke == nil {
				return "-"
			}
			return fmt.Sprint(v.Smoke.ExitCode)
		})
	}
	tw.Flush()
	if r.SmokeMatches != nil {
		fmt.Fprintf(w, "smoke output identical: %s\n", yesNo(*r.SmokeMatches))
		for _, v := range []*measure.Variant{r.Original, r.Fixed} {
			if v.Smoke != nil && (!*r.SmokeMatches || v == r.Original) {
				fmt.Fprintf(w, "smoke output of %s:\n%s\n", v.Tag, indent(lastLines(v.Smoke.Stdout+v.Smoke.Stderr, 10)))
			}
		}
	}
	if r.Original.SizeKnown() && r.Fixed.SizeKnown() {
		fmt.Fprintf(w, "size change: %s → %s (%s)\n", mb(r.Original.SizeBytes), mb(r.Fixed.SizeBytes), change(r))
	}
	for _, v := range []*measure.Variant{r.Original, r.Fixed} {
		if v.ErrorTail != "" {
			fmt.Fprintf(w, "\n%s failed:\n%s\n", v.Tag, indent(v.ErrorTail))
		}
		if len(v.LargestLayers) > 0 {
			fmt.Fprintf(w, "\nlargest layers of %s:\n", v.Tag)
			for _, l := range v.LargestLayers {
				fmt.Fprintf(w, "  %9s  %s\n", mb(l.SizeBytes), strings.TrimSpace(l.CreatedBy))
			}
		}
	}
	fmt.Fprintf(w, "\n%d fix(es) applied\n", len(r.Fixes))
	for _, f := range r.Fixes {
		fmt.Fprintf(w, "  line %d: %s %s\n", f.Line, f.Rule, f.Message)
	}
	writeKept(w, r)
}

// change says how much smaller the fixed image is; below 0.05 %, by how
// many bytes ("-0.0% smaller" says nothing).
func change(r *measure.Report) string {
	d := r.Original.SizeBytes - r.Fixed.SizeBytes
	switch {
	case r.ReductionPercent >= 0.05:
		return fmt.Sprintf("%.1f%% smaller", r.ReductionPercent)
	case r.ReductionPercent <= -0.05:
		return fmt.Sprintf("%.1f%% larger", -r.ReductionPercent)
	case d > 0:
		return mb(d) + " smaller"
	case d < 0:
		return mb(-d) + " larger"
	}
	return "the same size"
}

// writeKept names the images --keep left in the store.
func writeKept(w io.Writer, r *measure.Report) {
	if len(r.Kept) > 0 {
		fmt.Fprintf(w, "\nkept images (--keep):\n  %s\n", strings.Join(r.Kept, "\n  "))
	}
}

// known is s when the variant's size was read, else "-".
func known(v *measure.Variant, s string) string {
	if !v.SizeKnown() {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// mb shows a size in MB, or in kB below 0.1 MB (a layer of a few files is
// not "0.0 MB").
func mb(b int64) string {
	if b < 100_000 {
		return fmt.Sprintf("%.1f kB", float64(b)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
