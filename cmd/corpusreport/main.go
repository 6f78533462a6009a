// Command corpusreport runs the engine over the Dockerfile corpus (see
// fixtures/corpus/README.md) in safe and in unsafe mode and reports what it
// found, fixed, dropped, and whether any run was unstable or made a file
// worse.
//
//	go run ./cmd/corpusreport [-json FILE] [-limit N] [DIR]
//
// DIR holds real/*.Dockerfile, official/*.Dockerfile and SOURCES.tsv; the
// default is fixtures/corpus when its files are there, else ../shared/corpus. The exit status is 1 when the
// verifier found an introduced problem or a run was unstable, 2 on a usage or
// I/O error, else 0.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

func main() {
	jsonOut := flag.String("json", "", "also write a JSON summary to `FILE`")
	limit := flag.Int("limit", 0, "run at most `N` files of each set (0: all)")
	flag.Parse()
	if flag.NArg() > 1 {
		fmt.Fprintln(os.Stderr, "usage: corpusreport [-json FILE] [-limit N] [DIR]")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if dir == "" {
		dir = DefaultDir()
	}
	r, err := Run(dir, *limit)
	if err != nil {
		fmt.Fprintln(os.Stderr, "corpusreport:", err)
		os.Exit(2)
	}
	r.WriteText(os.Stdout)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(r, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "corpusreport:", err)
			os.Exit(2)
		}
	}
	if r.Failed() {
		os.Exit(1)
	}
}

// WriteText prints the report as plain-text tables.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "dockslim corpus report: %s\nverifier: %s\n\n", r.Dir, r.Verifier)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tmode\tfiles\tchanged\tlines med\tlines max\tapplied\tdropped\tno-op\tunstable\terrors\tintroduced\t")
	for _, set := range Sets {
		for _, mode := range Modes {
			st := r.Stats[set][mode]
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", set, mode, st.Files, st.Changed,
				st.MedianLines, st.MaxLines, sum(st.Applied), len(st.Dropped), len(st.NoOps), len(st.Unstable), len(st.Errors), r.introducedCell(st))
		}
	}
	tw.Flush()

	// Findings do not depend on the mode; fixes applied do.
	fmt.Fprintln(w, "\nper rule: findings (safe run) and fixes applied, by set and mode")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rule\treal found\treal safe\treal unsafe\tofficial found\tofficial safe\tofficial unsafe\t")
	for _, id := range r.ruleIDs() {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", id,
			r.Stats["real"]["safe"].Findings[id], r.Stats["real"]["safe"].Applied[id], r.Stats["real"]["unsafe"].Applied[id],
			r.Stats["official"]["safe"].Findings[id], r.Stats["official"]["safe"].Applied[id], r.Stats["official"]["unsafe"].Applied[id])
	}
	tw.Flush()

	off := r.Stats["official"]["safe"]
	fmt.Fprintf(w, "\nofficial files changed in safe mode: %d\n", off.Changed)
	for _, c := range off.ChangedFiles {
		fmt.Fprintf(w, "  %s  (%d lines)  %s\n", c.File, c.Lines, strings.Join(c.Rules, " "))
	}

	for _, set := range Sets {
		for _, mode := range Modes {
			st := r.Stats[set][mode]
			list(w, fmt.Sprintf("%s/%s dropped fixes", set, mode), st.Dropped)
			list(w, fmt.Sprintf("%s/%s no-op fixes", set, mode), st.NoOps)
			list(w, fmt.Sprintf("%s/%s errors and panics", set, mode), st.Errors)
			list(w, fmt.Sprintf("%s/%s introduced problems", set, mode), st.Introduced)
			if len(st.Unstable) > 0 {
				fmt.Fprintf(w, "\n%s/%s unstable runs: %d\n", set, mode, len(st.Unstable))
				for _, f := range st.Unstable {
					fmt.Fprintf(w, "  %s\n", f)
				}
			}
		}
	}
}

func (r *Report) introducedCell(st *Stats) string { return fmt.Sprint(len(st.Introduced)) }

func list(w io.Writer, title string, evs []Event) {
	if len(evs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s: %d\n", title, len(evs))
	for _, e := range evs {
		d := e.Detail
		if i := strings.IndexByte(d, '\n'); i >= 0 {
			d = d[:i] + " …"
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", e.File, e.Rule, d)
	}
}

func (r *Report) ruleIDs() []string {
	seen := map[string]bool{}
	for _, modes := range r.Stats {
		for _, st := range modes {
			for id := range st.Findings {
				seen[id] = true
			}
			for id := range st.Applied {
				seen[id] = true
			}
		}
	}
	var ids []string
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
