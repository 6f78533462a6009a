package rewrite

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
)

// TestScanStages: the line scan finds the FROM lines buildkit would start
// stages at, and never one inside an instruction that a line continues.
func TestScanStages(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		starts    []string // the lines the stages start at
		ok        bool
	}{
		{"plain", "ARG A=1\nFROM a AS x\nRUN b\nfrom c\n", []string{"FROM a AS x", "from c"}, true},
		{"continued", "FROM a\nRUN b \\\nFROM c\n", []string{"FROM a"}, true},
		{"continued past comments and blanks", "FROM a\nRUN b \\\n# c \\\n\n  # d\nFROM c\nFROM e\n", []string{"FROM a", "FROM e"}, true},
		{"comment never continues", "FROM a\n# b \\\nFROM c\n", []string{"FROM a", "FROM c"}, true},
		{"backtick counts", "FROM a\nRUN b `\nFROM c\n", []string{"FROM a"}, true},
		{"indented, CRLF", "FROM a\r\n  RUN b  \\  \r\n  FROM c\r\n\tFROM d\r\n", []string{"FROM a", "\tFROM d"}, true},
		{"not the keyword", "FROM a\nFROMAGE b\nRUN echo FROM c\n", []string{"FROM a"}, true},
		{"FROM line continued", "FROM a \\\n AS b\n", nil, false},
		{"variable --from", "FROM a\nCOPY --from=$X / /\n", nil, false},
		{"no FROM", "ARG A\n", nil, false},
	} {
		src := []byte(tc.src)
		_, stages, ok := scanStages(src)
		var got []string
		for _, st := range stages {
			line, _, _ := strings.Cut(tc.src[st.start:], "\n")
			got = append(got, strings.TrimRight(line, "\r \\"))
		}
		if ok != tc.ok || ok && !reflect.DeepEqual(got, tc.starts) {
			t.Errorf("%s: got %q %v, want %q %v", tc.name, got, ok, tc.starts, tc.ok)
		}
	}
}

// TestGroupStages: parts never split a stage from the stage it is built
// FROM (the image resolved with the global ARGs); COPY --from and mount
// from= are links, by name or index, and a part runs the stages it is
// connected to beside its own.
func TestGroupStages(t *testing.T) {
	src := "ARG B=base\n" +
		"FROM debian AS base\nRUN a\n" + // 0
		"FROM $B AS child\nRUN b\n" + // 1: built FROM 0
		"FROM alpine AS tool\nCOPY --from=0 / /\n" + // 2: links 0
		"FROM alpine\nRUN --mount=type=bind,from=tool,target=/t c\n" + // 3: links 2
		"FROM scratch\nCOPY --from=child / /\n" + // 4: links 1
		"FROM alpine AS alone\nRUN d\n" // 5
	_, stages, ok := scanStages([]byte(src))
	if !ok || len(stages) != 6 {
		t.Fatalf("scan: %v %d", ok, len(stages))
	}
	header := parsertest.Load(t, "ARG B=base\nFROM scratch\n")
	l, ok := groupStages(stages, header, 1)
	if !ok {
		t.Fatal("not grouped")
	}
	want := []partRange{{0, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}}
	if !reflect.DeepEqual(l.parts, want) {
		t.Errorf("parts %v, want %v", l.parts, want)
	}
	if !reflect.DeepEqual(l.parent, []int{-1, 0, -1, -1, -1, -1}) {
		t.Errorf("parents %v", l.parent)
	}
	connected := map[int]bool{0: true, 1: true, 2: true, 3: true}
	if got := l.context(4, 5); !reflect.DeepEqual(got, connected) {
		t.Errorf("context of stage 4: %v, want every stage connected to it", got)
	}
	if got := l.context(5, 6); len(got) != 0 {
		t.Errorf("context of a stage with no links: %v", got)
	}
	unresolved := parsertest.Load(t, "ARG B\nFROM scratch\n")
	if _, ok := groupStages(stages, unresolved, 1); ok {
		t.Errorf("FROM $B without a default must not be split")
	}
}
