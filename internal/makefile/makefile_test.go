package makefile

import (
	"strings"
	"testing"
)

const sample = `# a comment
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
DATADIR := $(PREFIX)/share/app
CFLAGS ?= -O2
CFLAGS += -Wall
OBJS = a.o b.o
SRCS = $(OBJS:.o=.c)
CC ?= gcc

app: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^

install: app install-data
	install -d $(DESTDIR)$(BINDIR)
	@install -m 755 app \
	    $(DESTDIR)$(BINDIR)/app

install-data:
	-install -m 644 data.txt $(DESTDIR)$(DATADIR)/data.txt

.PHONY: install install-data
`

func TestValues(t *testing.T) {
	f := Parse("Makefile", []byte(sample), nil)
	for _, c := range []struct {
		name string
		env  Env
		want string
	}{
		{"PREFIX", Env{}, "/usr/local"},
		{"BINDIR", Env{}, "/usr/local/bin"},
		{"BINDIR", Env{CommandLine: map[string]string{"PREFIX": "/opt/x"}}, "/opt/x/bin"},
		{"BINDIR", Env{Environ: map[string]string{"PREFIX": "/opt/env"}}, "/opt/env/bin"},
		// := expands when assigned: a later command-line PREFIX still wins,
		// because the command line is set before the file is read.
		{"DATADIR", Env{CommandLine: map[string]string{"PREFIX": "/opt/x"}}, "/opt/x/share/app"},
		{"CFLAGS", Env{}, "-O2 -Wall"},
		{"SRCS", Env{}, "a.c b.c"},
		{"CC", Env{}, "cc"}, // ?= keeps make's built-in value
		{"UNSET", Env{}, ""},
		{"MAKE", Env{}, "make"},
	} {
		got, err := f.Vars(c.env).Value(c.name)
		if err != nil || got != c.want {
			t.Errorf("%s with %+v = %q, %v; want %q", c.name, c.env, got, err, c.want)
		}
	}
}

func TestAssignmentKinds(t *testing.T) {
	for _, c := range []struct {
		src, env, want, err string
	}{
		{src: "PREFIX = /opt/a\n", want: "/opt/a"},
		{src: "PREFIX := /opt/a\n", want: "/opt/a"},
		{src: "PREFIX ::= /opt/a\n", want: "/opt/a"},
		{src: "prefix=/opt/a\nPREFIX=$(prefix)\n", want: "/opt/a"},
		{src: "PREFIX = /opt/a\n", env: "/opt/env", want: "/opt/a"}, // = wins over the environment
		{src: "PREFIX ?= /opt/a\n", env: "/opt/env", want: "/opt/env"},
		{src: "override PREFIX = /opt/o\n", want: "/opt/o"},
		{src: "export PREFIX = /opt/e\n", want: "/opt/e"},
		{src: "PREFIX = /opt/a # trailing comment\n", want: "/opt/a"},
		{src: "PREFIX = \\\n  /opt/cont\n", want: "/opt/cont"},
		{src: "define PREFIX\n/opt/def\nendef\n", want: "/opt/def"},
		{src: "ifeq ($(X),)\nPREFIX = /opt/c\nendif\n", err: "under a condition"},
		{src: "install: PREFIX = /opt/t\n", err: "for one target"},
		{src: "PREFIX != echo /opt\n", err: "shell command"},
		{src: "PREFIX = $(shell pwd)/out\n", err: "function dockslim does not evaluate"},
		{src: "PREFIX = $(strip  /opt/s )\n", want: "/opt/s"},
		{src: "PREFIX = $(PREFIX)/x\n", err: "refers to itself"},
	} {
		f := Parse("Makefile", []byte(c.src), nil)
		env := Env{}
		if c.env != "" {
			env.Environ = map[string]string{"PREFIX": c.env}
		}
		got, err := f.Vars(env).Value("PREFIX")
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: got %q, %v; want error %q", c.src, got, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%q: got %q, %v; want %q", c.src, got, err, c.want)
		}
	}
}

func TestCommandLineBeatsFile(t *testing.T) {
	f := Parse("Makefile", []byte("PREFIX = /usr\nPREFIX += /x\noverride DESTDIR = /o\n"), nil)
	v := f.Vars(Env{CommandLine: map[string]string{"PREFIX": "/opt/cl", "DESTDIR": "/cl"}})
	if got, _ := v.Value("PREFIX"); got != "/opt/cl" {
		t.Errorf("PREFIX = %q", got)
	}
	if got, _ := v.Value("DESTDIR"); got != "/o" {
		t.Errorf("override DESTDIR = %q", got)
	}
}

func TestSteps(t *testing.T) {
	f := Parse("Makefile", []byte(sample), nil)
	follow := func(p string) bool { return strings.HasPrefix(p, "install") }
	steps, err := f.Steps("install", f.Vars(Env{CommandLine: map[string]string{"DESTDIR": "/out"}}), follow)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		got = append(got, s.Where()+" "+s.Command)
	}
	want := []string{
		"Makefile:20 install -m 644 data.txt /out/usr/local/share/app/data.txt",
		"Makefile:15 install -d /out/usr/local/bin",
		"Makefile:16 install -m 755 app \\\n\t    /out/usr/local/bin/app",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := f.Steps("uninstall", f.Vars(Env{}), follow); err == nil || !strings.Contains(err.Error(), "no rule for uninstall") {
		t.Errorf("missing rule: %v", err)
	}
}

func TestStepsAutomaticVariables(t *testing.T) {
	src := "BIN = /usr/local/bin\ninstall: $(BIN)/tool\n$(BIN)/tool: tool\n\tcp $< $@\n\tchmod 755 $(@D)/$(@F)\n"
	f := Parse("Makefile", []byte(src), nil)
	steps, err := f.Steps("install", f.Vars(Env{}), func(p string) bool { return strings.HasPrefix(p, "/") })
	if err != nil || len(steps) != 2 || steps[0].Command != "cp tool /usr/local/bin/tool" || steps[1].Command != "chmod 755 /usr/local/bin/tool" {
		t.Errorf("steps = %+v, %v", steps, err)
	}
}

func TestIncludes(t *testing.T) {
	files := map[string]string{"config.mk": "PREFIX = /opt/inc\n"}
	read := func(n string) ([]byte, bool) { s, ok := files[n]; return []byte(s), ok }
	f := Parse("Makefile", []byte("include config.mk\ninstall:\n\tcp x $(PREFIX)/x\n"), read)
	if got, err := f.Vars(Env{}).Value("PREFIX"); got != "/opt/inc" || err != nil {
		t.Errorf("included PREFIX = %q, %v", got, err)
	}
	f = Parse("Makefile", []byte("include gen.mk\n-include opt.mk\nPREFIX = /x\n"), read)
	if f.Incomplete() == "" || !strings.Contains(f.Incomplete(), "gen.mk") {
		t.Errorf("missing include: %q", f.Incomplete())
	}
	if _, err := f.Steps("install", f.Vars(Env{}), nil); err == nil {
		t.Error("Steps of an incomplete file: want an error")
	}
}

func TestRuleMerging(t *testing.T) {
	f := Parse("Makefile", []byte("install: a\ninstall: b\n\techo hi\ninstall: c\n"), nil)
	r := f.Rule("install", f.Vars(Env{}))
	if r == nil || r.Prereqs != "a b c" || len(r.Recipe) != 1 || r.Line != 2 {
		t.Errorf("rule = %+v", r)
	}
	if f.Rule("x", f.Vars(Env{})) != nil {
		t.Error("Rule(x) != nil")
	}
}

func TestSplitAssign(t *testing.T) {
	for _, c := range []struct{ in, name, op string }{
		{"A = b", "A", "="}, {"A:=b", "A", ":="}, {"A ::= b", "A", "::="}, {"A?=b", "A", "?="},
		{"A += b", "A", "+="}, {"A != b", "A", "!="}, {"$(X)_DIR = b", "$(X)_DIR", "="},
		{"a: b", "", ""}, {"a: B=c", "", ""}, {"a b = c", "", ""},
	} {
		n, op, _, ok := splitAssign(c.in)
		if n != c.name || op != c.op || ok != (c.name != "") {
			t.Errorf("splitAssign(%q) = %q %q %v", c.in, n, op, ok)
		}
	}
}

// FuzzParse checks that no Makefile text makes the reader panic.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("A = $(\ninstall: $(A\n\t$(\n")
	f.Add("x: ${\n\tcp $$ $(@D) ${A:.c=.o} $(subst a,b,c)\n")
	f.Fuzz(func(t *testing.T, src string) {
		mf := Parse("Makefile", []byte(src), func(string) ([]byte, bool) { return []byte(src), true })
		v := mf.Vars(Env{CommandLine: map[string]string{"DESTDIR": "/d"}})
		_, _ = v.Value("PREFIX")
		_, _ = mf.Steps("install", v, func(string) bool { return true })
	})
}
