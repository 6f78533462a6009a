package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/rewrite"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:      "rules",
		Usage:     "list the rules, or explain one",
		ArgsUsage: "[RULE]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or markdown (the README's rules table)"},
		},
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			e, ok := newEngine(c)
			if !ok {
				return exitCode(exitError)
			}
			if id := c.Args().First(); id != "" {
				r := e.LookupRule(id)
				if r == nil {
					fmt.Fprintf(c.App.ErrWriter, "dockslim rules: no rule %q\n", id)
					return exitCode(exitError)
				}
				explain(w, r)
				return nil
			}
			switch c.String("format") {
			case "markdown":
				rulesMarkdown(w, e)
			case "text":
				rulesText(w, e)
			default:
				fmt.Fprintf(c.App.ErrWriter, "dockslim rules: unknown --format %q\n", c.String("format"))
				return exitCode(exitError)
			}
			return nil
		},
	}
}

func rulesText(w io.Writer, e *rewrite.Engine) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tFIX\tHADOLINT\tPARFUM\tSUMMARY")
	for _, r := range e.Rules() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Applicability,
			orDash(r.Hadolint), orDash(r.Parfum), r.Summary)
	}
	tw.Flush()
}

func rulesMarkdown(w io.Writer, e *rewrite.Engine) {
	fmt.Fprintln(w, "| id | name | fix | hadolint | Parfum | summary |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range e.Rules() {
		fmt.Fprintf(w, "| %s | `%s` | %s | %s | %s | %s |\n", r.ID, r.Name, r.Applicability,
			orDash(r.Hadolint), orDash(r.Parfum), strings.ReplaceAll(r.Summary, "|", `\|`))
	}
}

func orDash(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, ",")
}

func explain(w io.Writer, r *rewrite.Rule) {
	fmt.Fprintf(w, "%s %s (%s fix, %s)\n\n%s\n\n%s\n", r.ID, r.Name, r.Applicability, r.Severity, r.Summary, r.Explanation)
	if len(r.Hadolint) > 0 || len(r.Parfum) > 0 {
		fmt.Fprintf(w, "\nEquivalents: hadolint %s; Parfum %s\n", orDash(r.Hadolint), orDash(r.Parfum))
	}
	if len(r.ConfigKeys) > 0 {
		fmt.Fprintf(w, "\nOptions in .dockslim.toml [rules.%s]: severity, %s\n", r.ID, strings.Join(r.ConfigKeys, ", "))
	}
	if r.Before != "" {
		fmt.Fprintf(w, "\nBefore:\n%s\n\nAfter:\n%s\n", indent(r.Before), indent(r.After))
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
