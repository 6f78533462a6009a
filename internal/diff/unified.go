// Package diff renders unified diffs that patch -p1 and git apply accept.
package diff

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Context is the number of unchanged lines around each change.
const Context = 3

type op struct {
	kind byte // ' ', '-', '+'
	text string
}

// Unified returns the diff from a to b with headers `--- a/PATH` and
// `+++ b/PATH`, or "" when they are equal. A nil a is a new file.
func Unified(path string, a, b []byte) string {
	if string(a) == string(b) && a != nil {
		return ""
	}
	oldName, newName := "a/"+path, "b/"+path
	if a == nil {
		oldName = "/dev/null"
	}
	ops := lineOps(string(a), string(b))
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", oldName, newName)
	writeHunks(&sb, ops)
	return sb.String()
}

// lineOps diffs line by line with diffmatchpatch's line mode.
func lineOps(a, b string) []op {
	dmp := diffmatchpatch.New()
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	diffs := dmp.DiffMainRunes(ra, rb, false)
	diffs = dmp.DiffCharsToLines(diffs, lines)
	var ops []op
	for _, d := range diffs {
		kind := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			kind = '-'
		case diffmatchpatch.DiffInsert:
			kind = '+'
		}
		for _, l := range splitLines(d.Text) {
			ops = append(ops, op{kind, l})
		}
	}
	return ops
}

func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func writeHunks(sb *strings.Builder, ops []op) {
	// Old/new line numbers (1-based) of each op.
	oldNo := make([]int, len(ops)+1)
	newNo := make([]int, len(ops)+1)
	o, n := 1, 1
	for i, x := range ops {
		oldNo[i], newNo[i] = o, n
		if x.kind != '+' {
			o++
		}
		if x.kind != '-' {
			n++
		}
	}
	oldNo[len(ops)], newNo[len(ops)] = o, n
	i := 0
	for i < len(ops) {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(0, i-Context)
		end := i
		// Extend while the next change is within 2*Context unchanged lines.
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			j := end
			for j < len(ops) && ops[j].kind == ' ' {
				j++
			}
			if j == len(ops) || j-end > 2*Context {
				end = min(len(ops), end+Context)
				break
			}
			end = j
		}
		oldCount, newCount := 0, 0
		for _, x := range ops[start:end] {
			if x.kind != '+' {
				oldCount++
			}
			if x.kind != '-' {
				newCount++
			}
		}
		oldStart, newStart := oldNo[start], newNo[start]
		if oldCount == 0 {
			oldStart--
		}
		if newCount == 0 {
			newStart--
		}
		fmt.Fprintf(sb, "@@ -%s +%s @@\n", rng(oldStart, oldCount), rng(newStart, newCount))
		for _, x := range ops[start:end] {
			sb.WriteByte(x.kind)
			sb.WriteString(x.text)
			if !strings.HasSuffix(x.text, "\n") {
				sb.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
}

func rng(start, count int) string {
	if count == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
