package report

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, with\ttab":            "plain text, with\ttab",
		"unknown instruction: \x7fELF\x02": `unknown instruction: \x7fELF\x02`,
		"esc \x1b[31mred":                  `esc \x1b[31mred`,
		"nul \x00 cr \r":                   `nul \x00 cr \x0d`,
		"bad utf8 \xff\xfe":                `bad utf8 \xff\xfe`,
		"arrow → ok":                       "arrow → ok",
		"line sep \u2028":                  `line sep \u2028`,
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	long := Short(strings.Repeat("a", 10000))
	if len([]rune(long)) != maxEcho+1 || !strings.HasSuffix(long, "…") {
		t.Errorf("a long message is not cut: %d runes", len([]rune(long)))
	}
}
