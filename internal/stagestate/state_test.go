package stagestate

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// runAt returns the model of the RUN on line n.
func runAt(t *testing.T, f *parser.File, n int) *Run {
	t.Helper()
	for _, in := range f.Instructions {
		if in.StartLine == n {
			if r := Of(f).Run(in); r != nil {
				return r
			}
		}
	}
	t.Fatalf("no RUN on line %d", n)
	return nil
}

func TestLists(t *testing.T) {
	f := parsertest.Load(t, `FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y make
RUN apt-get install -y gcc && rm -rf /var/lib/apt/lists/* /tmp/*
RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y g++
RUN apt-get update
FROM base AS child
RUN apt-get install -y file && apt-get dist-clean
ONBUILD RUN apt-get update
RUN ["apt-get", "update"]
RUN ["sh", "-c", "rm -rf /var/lib/apt/lists/*"]
`)
	cases := []struct {
		line          int
		before, after bool
		first         OpKind
	}{
		{2, false, true, Update},
		{3, true, false, Reads},
		{4, false, false, Update}, // the mount keeps what it does out of the layer
		{5, false, true, Update},
		{7, true, false, Reads}, // the child starts with the base's end state
		{8, false, false, Update},
		{9, false, true, Update},
		{10, true, false, Removes},
	}
	for _, c := range cases {
		r := runAt(t, f, c.line)
		if r.Before.Lists != c.before || r.After.Lists != c.after || r.FirstListsOp() != c.first {
			t.Errorf("line %d: lists before %v after %v first %d, want %v %v %d",
				c.line, r.Before.Lists, r.After.Lists, r.FirstListsOp(), c.before, c.after, c.first)
		}
	}
}

func TestListsReaders(t *testing.T) {
	f := parsertest.Load(t, `FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y make
RUN echo no apt here
RUN apt-get install -y gcc
FROM base AS a
RUN apt-get install -y g++
FROM base AS b
RUN apt-get update && apt-get install -y file
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y make
FROM base AS c
RUN apt-get remove -y make
`)
	lines := func(line int) string {
		var in *parser.Instruction
		for _, x := range f.Instructions {
			if x.StartLine == line {
				in = x
			}
		}
		var out []string
		for _, r := range Of(f).ListsReaders(in) {
			out = append(out, r.In.Args()[0]+"@"+itoa(r.In.StartLine))
		}
		return strings.Join(out, " ")
	}
	// line 2's lists are read by line 4 (the next RUN that touches them).
	if got := lines(2); !strings.Contains(got, "@4") || strings.Contains(got, "@6") {
		t.Errorf("readers of line 2: %q", got)
	}
	// line 4 is the base's last: stage a reads them, b updates, c removes only.
	if got := lines(4); got != "apt-get install -y g++@6" {
		t.Errorf("readers of line 4: %q", got)
	}
	// the unrelated stage has none.
	if got := lines(10); got != "" {
		t.Errorf("readers of line 10: %q", got)
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

func TestPackagesAndCACerts(t *testing.T) {
	f := parsertest.Load(t, `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 jq:amd64 "$EXTRA"
RUN apt-get update && apt-get install -y git
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
FROM debian:bookworm-slim
RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/norec
RUN apt-get update && apt-get install -y wget
RUN apt-get update && apt-get install -y -o APT::Install-Recommends=true wget ca-certificates
`)
	r := runAt(t, f, 2)
	if len(r.Installs) != 1 || strings.Join(r.Installs[0].Packages, ",") != "curl,jq" || r.Installs[0].Unknown != 1 || !r.Installs[0].NoRecommends {
		t.Errorf("line 2 install: %+v", r.Installs)
	}
	if r.After.CACerts || !r.After.CAKnown {
		t.Errorf("line 2: curl without recommends on debian slim must not have CA certificates: %+v", r.After)
	}
	if r := runAt(t, f, 3); !r.After.CACerts || !r.After.Has("git") || !r.After.Has("curl") {
		t.Errorf("line 3: git with recommends brings ca-certificates: %+v", r.After)
	}
	if r := runAt(t, f, 5); !r.Before.CACerts {
		t.Errorf("line 5: python's slim image ships ca-certificates: %+v", r.Before)
	}
	if r := runAt(t, f, 8); !r.Installs[0].NoRecommends || r.After.CACerts {
		t.Errorf("line 8: apt configuration turned recommends off: %+v %+v", r.Installs, r.After)
	}
	if r := runAt(t, f, 9); r.Installs[0].NoRecommends || !r.After.CACerts {
		t.Errorf("line 9: -o APT::Install-Recommends=true and ca-certificates by name: %+v %+v", r.Installs, r.After)
	}
}

func TestScope(t *testing.T) {
	f := parsertest.Load(t, `ARG GLOBAL=/g
FROM debian:bookworm-slim AS base
ENV A=/a
ARG B=/b
FROM base
ARG GLOBAL
ARG C
RUN X=/x; export Y=/y && Z=/z rm -rf "$A" ${B}/lists $GLOBAL $X $Y ${C:-/c} ${D} ${Z}
`)
	in := f.Instructions[len(f.Instructions)-1]
	var rm *shellcmd.Command
	for _, c := range shellcmd.All(in) {
		if c.Name == "rm" {
			rm = c
		}
	}
	sc := Scope{File: f, In: in}
	// ENV crosses FROM, ARG does not; a stage ARG without a default takes
	// the global one's; a command's prefix is not seen by its own words.
	want := []string{"rm", "-rf", "/a", "?", "/g", "/x", "/y", "/c", "?", "?"}
	for i, w := range rm.Args {
		got, ok := sc.Word(rm, w)
		if !ok {
			got = "?"
		}
		if got != want[i] {
			t.Errorf("word %d: got %q, want %q", i, got, want[i])
		}
	}
	if !RemovesPath(sc, rm, "/y/z") || RemovesPath(sc, rm, "/var/lib/apt/lists") {
		t.Errorf("RemovesPath")
	}
	// the prefix is the command's environment; X is not exported, Y is
	for name, want := range map[string]string{"Z": "/z", "Y": "/y", "X": "?", "A": "/a"} {
		got, ok := sc.Env(rm, rm.Assigns, name)
		if !ok {
			got = "?"
		}
		if got != want {
			t.Errorf("Env(%s) = %q, want %q", name, got, want)
		}
	}
}

// TestShipped: the last stage and what it is built FROM ship; a stage that
// others only copy from does not; an unused stage may be a --target.
func TestShipped(t *testing.T) {
	f := parsertest.Load(t, `FROM debian AS base
FROM base AS builder
RUN make
FROM golang AS tools
FROM debian AS target
FROM alpine AS assets
FROM base
COPY --from=builder /out /usr/local/bin/
COPY --from=assets /a /a
RUN --mount=from=tools,target=/t true
`)
	want := map[string]bool{"base": true, "builder": false, "tools": false, "target": true, "assets": false, "": true}
	m := Of(f)
	for _, st := range f.Stages {
		if got := m.Shipped(st); got != want[st.Name] {
			t.Errorf("stage %q: shipped %v, want %v", st.Name, got, want[st.Name])
		}
	}
	if m.End(f.Stages[0]).Lists {
		t.Errorf("End of a stage with no RUN has no lists")
	}
}

// TestReaders: the stages that can read a stage's files: itself, those
// built FROM it, those copying or mounting from any of these, and every
// stage when one copies from a stage named by a variable.
func TestReaders(t *testing.T) {
	src := "FROM a AS base\nRUN x\n" + // 0
		"FROM base AS child\n" + // 1: built FROM 0
		"FROM b AS other\nRUN y\n" + // 2: unrelated
		"FROM c\nCOPY --from=child / /\n" + // 3: copies from 1
		"FROM d AS tool\nRUN --mount=type=bind,from=3,target=/m z\n" + // 4: mounts 3
		"FROM e\nRUN w\n" // 5: unrelated
	f, err := parser.Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	names := func(sts []*parser.Stage) (out []int) {
		for _, st := range sts {
			out = append(out, st.Index)
		}
		return out
	}
	m := Of(f)
	if got := names(m.Readers(f.Stages[0])); !slices.Equal(got, []int{0, 1, 3, 4}) {
		t.Errorf("readers of base: %v", got)
	}
	if got := names(m.Readers(f.Stages[2])); !slices.Equal(got, []int{2}) {
		t.Errorf("readers of other: %v", got)
	}
	g, err := parser.Load("Dockerfile", []byte(src+"FROM f\nCOPY --from=$X / /\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(Of(g).Readers(g.Stages[2])); !slices.Equal(got, []int{2, 6}) {
		t.Errorf("readers of other with a --from=$X: %v", got)
	}
}

// TestAddPackages: new packages are appended once, in order, whichever
// way (a scan for a few, a set for many) finds them.
func TestAddPackages(t *testing.T) {
	var many []string
	for i := range 100 {
		many = append(many, fmt.Sprint("p", i))
	}
	for _, tc := range []struct{ have, want []string }{
		{[]string{"a", "b"}, []string{"a", "b", "c", "d", "p7"}},
		{many, append(slices.Clone(many), "b", "c", "a", "d")},
	} {
		got := addPackages(slices.Clone(tc.have), []string{"b", "c", "c", "a", "d", "p7"})
		if !slices.Equal(got, tc.want) {
			t.Errorf("%d packages: got %v", len(tc.have), got[len(tc.have):])
		}
	}
}
