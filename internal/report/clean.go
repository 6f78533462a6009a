package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxEcho is how many runes of a message Short keeps: a binary file's
// "line" can be megabytes long, and a terminal has no use for it.
const maxEcho = 240

// Short is Clean with a long message cut with "…": for a parser's message
// that quotes a whole line of a file that may not be a Dockerfile.
func Short(s string) string { return clean(s, maxEcho) }

// Clean makes text that may quote a file's bytes safe to print on a
// terminal or in a log: control characters (escape sequences, NUL, CR),
// and bytes that are not UTF-8 are written as Go escapes (\x1b, \u2028).
// Tabs stay.
func Clean(s string) string { return clean(s, -1) }

func clean(s string, limit int) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); n++ {
		if n == limit {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' || (unicode.IsPrint(r) || r == ' '):
			b.WriteString(s[i : i+size])
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}
