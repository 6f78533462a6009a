package parser

import (
	"errors"
	"strings"
	"testing"
)

// TestParseErrors: Dockerfiles buildkit's parser rejects give a
// ParseError that starts with the file name and the line. (buildkit's own
// parser test files are reserved for independent evaluation, so the
// project's cases are its own: the fixtures and the corpus under fixtures/
// cover the accepted side in fixtures/roundtrip_test.go.)
func TestParseErrors(t *testing.T) {
	for name, src := range map[string]string{
		"unknown instruction": "FROM alpine\nFOO bar\n",
		"no FROM":             "RUN echo hi\n",
		"bad escape":          "# escape=x\nFROM alpine\n",
		"directive twice":     "# escape=`\n# escape=`\nFROM alpine\n",
		"heredoc not closed":  "# syntax=docker/dockerfile:1\nFROM alpine\nRUN <<EOF\necho\n",
		"binary":              "\x00\x01\x02FROM\n",
	} {
		t.Run(name, func(t *testing.T) {
			f, err := Load("Dockerfile", []byte(src))
			var pe *ParseError
			switch {
			case errors.As(err, &pe):
				if !strings.HasPrefix(pe.Error(), "Dockerfile:") {
					t.Errorf("error %q does not start with the file name", pe.Error())
				}
			case err == nil && f.Invalid != nil:
				// parsed, but buildkit's instruction parser rejects it
			default:
				t.Fatalf("want a ParseError or Invalid, got %v (invalid %v)", err, f != nil && f.Invalid != nil)
			}
		})
	}
}

func TestParseErrorHasLine(t *testing.T) {
	_, err := Load("Dockerfile", []byte("FROM alpine\nRUN echo ok\nENV PATH\n"))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want ParseError, got %v", err)
	}
	if pe.Line != 3 || !strings.HasPrefix(pe.Error(), "Dockerfile:3: ") {
		t.Errorf("got %q (line %d), want Dockerfile:3: ...", pe.Error(), pe.Line)
	}
}

func TestInvalidButParsable(t *testing.T) {
	f, err := Load("Dockerfile", []byte("FROM alpine\nRUN echo ok\nCOPY\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Invalid == nil || f.Invalid.Line != 3 {
		t.Fatalf("want Invalid at line 3, got %+v", f.Invalid)
	}
}

// tricky inputs: each must load, satisfy the invariants, and give the
// expected shell words at their exact offsets.
var tricky = []struct {
	name, src string
	words     []string // literal words of the first RUN's commands, in order
}{
	{"continuation", "FROM a\nRUN apt-get update && \\\n    apt-get install -y gcc\n", []string{"apt-get", "update", "apt-get", "install", "-y", "gcc"}},
	{"comment in continuation", "FROM a\nRUN apt-get update \\\n  # why\n  && apt-get install -y gcc\n", []string{"apt-get", "update", "apt-get", "install", "-y", "gcc"}},
	{"blank in continuation", "FROM a\nRUN echo a \\\n\n  b\n", []string{"echo", "a", "b"}},
	{"crlf", "FROM a\r\nRUN pip install \\\r\n  flask\r\n", []string{"pip", "install", "flask"}},
	{"bom", "\ufeffFROM a\nRUN pip install x\n", []string{"pip", "install", "x"}},
	{"no final newline", "FROM a\nRUN pip install x", []string{"pip", "install", "x"}},
	{"trailing spaces after backslash", "FROM a\nRUN pip install \\  \n  x\n", []string{"pip", "install", "x"}},
	{"tabs", "FROM a\n\tRUN\tpip\tinstall\tx\n", []string{"pip", "install", "x"}},
	{"backtick escape", "# escape=`\nFROM a\nRUN pip install `\n  flask\n", []string{"pip", "install", "flask"}},
	{"flags", "FROM a\nRUN --mount=type=cache,target=/root/.cache \\\n    --network=none pip install x\n", []string{"pip", "install", "x"}},
	{"heredoc", "# syntax=docker/dockerfile:1\nFROM a\nRUN <<EOF\npip install x\nEOF\n", nil},
	{"onbuild", "FROM a\nONBUILD RUN pip install x\n", []string{"pip", "install", "x"}},
	{"lowercase", "from a\nrun pip install x\n", []string{"pip", "install", "x"}},
}

func TestTricky(t *testing.T) {
	for _, tc := range tricky {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Load("Dockerfile", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if err := checkInvariants(f); err != nil {
				t.Fatal(err)
			}
			var run *Instruction
			for _, in := range f.Instructions {
				if in.Is("run") {
					run = in
					break
				}
			}
			if run == nil || run.Script == nil || run.Script.Err != nil {
				t.Fatalf("no parsed RUN script: %+v", run)
			}
			if tc.words == nil {
				if len(run.HeredocScripts) != 1 || !strings.Contains(run.HeredocScripts[0].Text, "pip install x") {
					t.Fatalf("heredoc script not found: %+v", run.HeredocScripts)
				}
				return
			}
			var got []string
			for _, w := range wordsOf(run.Script) {
				got = append(got, string(f.Src[w[0]:w[1]]))
			}
			if strings.Join(got, " ") != strings.Join(tc.words, " ") {
				t.Errorf("words at their offsets: got %q, want %q", got, tc.words)
			}
		})
	}
}

func TestStagesAndImages(t *testing.T) {
	src := "ARG PY=3.11\nFROM --platform=$BUILDPLATFORM docker.io/library/python:${PY}-slim AS build\n" +
		"FROM build AS test\nFROM scratch\nFROM localhost:5000/app:1@sha256:abc\n"
	f, err := Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stages) != 4 || len(f.MetaArgs) != 1 {
		t.Fatalf("stages %d meta args %d", len(f.Stages), len(f.MetaArgs))
	}
	b := f.Stages[0].Base
	if b.Registry != "docker.io" || b.Repository != "library/python" || b.Tag != "${PY}-slim" || !b.FromArg {
		t.Errorf("split: %+v", b)
	}
	if string(f.Src[b.Start:b.End]) != b.Raw || f.Stages[0].Name != "build" || f.Stages[0].Platform != "$BUILDPLATFORM" {
		t.Errorf("span/name/platform: %+v", f.Stages[0])
	}
	if f.Stages[1].Base.StageRef != f.Stages[0] || !f.Stages[2].Base.Scratch {
		t.Errorf("stage ref / scratch not recognised")
	}
	d := f.Stages[3].Base
	if d.Registry != "localhost:5000" || d.Repository != "app" || d.Tag != "1" || d.Digest != "sha256:abc" {
		t.Errorf("digest split: %+v", d)
	}
	if v, ok := f.MetaArg("PY"); !ok || v == nil || *v != "3.11" {
		t.Errorf("meta arg PY")
	}
}

func TestEnvBefore(t *testing.T) {
	src := "FROM a AS base\nENV PIP_NO_CACHE_DIR=1 OTHER=x\nFROM base\nARG NPM_CONFIG_CACHE=/tmp/npm\nRUN true\nENV LATE=1\n"
	f, err := Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	run := f.Instructions[4]
	if v, ok := f.EnvBefore(run, "PIP_NO_CACHE_DIR"); !ok || v != "1" {
		t.Errorf("inherited ENV: %q %v", v, ok)
	}
	if v, ok := f.EnvBefore(run, "NPM_CONFIG_CACHE"); !ok || v != "/tmp/npm" {
		t.Errorf("ARG default: %q %v", v, ok)
	}
	if _, ok := f.EnvBefore(run, "LATE"); ok {
		t.Errorf("ENV after the RUN must not count")
	}
}

func TestCommentsAbove(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n# first\n\n# about run\n# more\nFROM a\nRUN x\n"
	f, err := Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Instructions[0].Comments
	if len(c) != 2 || c[0].Text != "about run" || c[1].Text != "more" {
		t.Errorf("comments: %+v", c)
	}
	if len(f.Directives) != 1 || f.Directives[0].Name != "syntax" {
		t.Errorf("directives: %+v", f.Directives)
	}
}

// TestStageByName: AS names in any case (the first of a name), indexes in
// canonical form only, and FROM naming an earlier stage; a non-ASCII name
// folds as strings.EqualFold does (the Kelvin sign is a k).
func TestStageByName(t *testing.T) {
	src := "FROM a AS Build\nFROM b AS build\nFROM BUILD AS test\nFROM c AS \u212aelvin\nFROM kelvin\n"
	f, err := Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st := f.Stages
	for name, want := range map[string]*Stage{
		"build": st[0], "BUILD": st[0], "test": st[2], "0": st[0], "2": st[2],
		"02": nil, "+1": nil, "5": nil, "-1": nil, "kelvin": st[3], "KELVIN": st[3], "nope": nil,
	} {
		if got := f.StageByName(name); got != want {
			t.Errorf("StageByName(%q) = %v, want %v", name, got, want)
		}
	}
	if st[2].Base.StageRef != st[1] || st[4].Base.StageRef != st[3] {
		t.Errorf("FROM an earlier stage: the last of that name")
	}
}

// TestInstructionAt: the instruction whose span holds an offset; none in
// the text between instructions.
func TestInstructionAt(t *testing.T) {
	src := "# c\nFROM a\n\nRUN x \\\n  y\n# tail\n"
	f, err := Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off <= len(src); off++ {
		var want *Instruction
		for _, in := range f.Instructions {
			if off >= in.Start && off < in.End {
				want = in
			}
		}
		if got := f.InstructionAt(off); got != want {
			t.Errorf("InstructionAt(%d) = %v, want %v", off, got, want)
		}
	}
}

// TestMetaArg: a global ARG's default is expanded with the global ARGs
// declared before it, as the builder does; one that uses an ARG without a
// known default stays as written.
func TestMetaArg(t *testing.T) {
	src := "ARG BASE=python V=3.11\nARG IMG=${BASE}:${V}-slim TWICE=$IMG\nARG LATER=${AFTER}x\n" +
		"ARG NODEF\nARG USES=${NODEF:-d}/$NODEF\nARG AFTER=1\nARG BASE=pypy\nFROM $IMG\n"
	f, err := Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"IMG": "python:3.11-slim", "TWICE": "python:3.11-slim", "LATER": "${AFTER}x",
		"USES": "${NODEF:-d}/$NODEF", "BASE": "pypy",
	} {
		if v, ok := f.MetaArg(name); !ok || v == nil || *v != want {
			t.Errorf("MetaArg(%s) = %v, want %q", name, v, want)
		}
	}
	if v, ok := f.ExpandMeta(f.Stages[0].Base.Raw); !ok || v != "python:3.11-slim" {
		t.Errorf("ExpandMeta($IMG) = %q %v", v, ok)
	}
	if _, ok := f.ExpandMeta("$NODEF"); ok {
		t.Errorf("an ARG without a default must not expand")
	}
}

// TestTooLongLine: buildkit refuses a line longer than its line reader
// holds; the error names that line, not the one read before it, whether
// the line starts an instruction, continues one or follows comments.
func TestTooLongLine(t *testing.T) {
	long := strings.Repeat("x", 70000)
	for _, tc := range []struct {
		src  string
		line int
	}{
		{"FROM debian\nRUN echo a\n# c\nRUN echo " + long + "\nRUN echo b\n", 4},
		{"FROM debian\nRUN echo a \\\n  b\nRUN echo c\nRUN echo " + long + "\n", 5},
		{"FROM debian\nRUN echo c \\\n  && echo " + long + "\n", 3},
		{"FROM debian\nRUN echo " + long, 2},
		{"FROM debian\nRUN echo " + strings.Repeat("x", 65535-len("RUN echo ")) + "\nRUN echo " + long + "\n", 3},
	} {
		_, err := Load("Dockerfile", []byte(tc.src))
		pe, ok := err.(*ParseError)
		if !ok || !strings.HasPrefix(pe.Msg, tooLongMsg) || pe.Line != tc.line {
			t.Errorf("%.40q…: got %v, want line %d", tc.src, err, tc.line)
		}
	}
}
