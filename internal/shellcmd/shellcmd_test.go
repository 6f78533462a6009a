package shellcmd

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

func load(t *testing.T, src string) (*parser.File, *parser.Instruction) {
	t.Helper()
	f, err := parser.Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range f.Instructions {
		if in.Is("run") {
			return f, in
		}
	}
	t.Fatal("no RUN")
	return nil, nil
}

func TestCommands(t *testing.T) {
	cases := []struct {
		run  string
		want string // "name:args|..." of every command
	}{
		{"a && b || c; d", "a|b|c|d"},
		{"if true; then pip install x; fi", "true|pip install x"},
		{"for i in 1 2; do echo $i; done", "echo ?"},
		{"(cd /x && make) | tee log", "cd /x|make|tee log"},
		{"{ apt-get update; }", "apt-get update"},
		{"echo $(pip freeze)", "pip freeze|echo ?"},
		{"DEBIAN_FRONTEND=noninteractive apt-get install -y x", "apt-get install -y x"},
		{"sudo -u root -E apt-get install x", "apt-get install x"},
		{"env -i A=1 pip install x", "pip install x"},
		{"cat list | xargs -n 1 apt-get install -y", "cat list|apt-get install -y"},
		{"python3.11 -m pip install x", "pip install x"},
		{"python -u -m pip install x", "pip install x"},
		{"timeout 60 npm ci", "npm ci"},
		{"sh -c 'pip install x && npm ci'", "pip install x|npm ci"},
		{`bash -c "apk add curl"`, "apk add curl"},
		{`sh -c "pip install $PKG"`, "sh -c ?"},
		{"/usr/bin/pip install x", "pip install x"},
		{`echo "pip install x"`, "echo pip install x"},
	}
	for _, tc := range cases {
		f, in := load(t, "FROM a\nRUN "+tc.run+"\n")
		var got []string
		for _, c := range All(in) {
			words := []string{c.Name}
			for i := 1; i < len(c.Args); i++ {
				v, ok := c.Arg(i)
				if !ok {
					v = "?"
				}
				words = append(words, v)
			}
			got = append(got, strings.Join(words, " "))
			// every argument's span holds its text
			for i := range c.Args {
				s, e := c.Span(i)
				if v, ok := c.Arg(i); ok && !strings.ContainsAny(string(f.Src[s:e]), `"'\`) && string(f.Src[s:e]) != v {
					t.Errorf("%q: arg %d span holds %q, not %q", tc.run, i, f.Src[s:e], v)
				}
			}
		}
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("%q: got %q, want %q", tc.run, g, tc.want)
		}
	}
}

func TestCommandContext(t *testing.T) {
	_, in := load(t, "FROM a\nRUN x=$(pip freeze) && if a; then npm ci; fi && sh -c 'yarn'\n")
	cs := All(in)
	by := map[string]*Command{}
	for _, c := range cs {
		by[c.Name] = c
	}
	if !by["pip"].InSubst || by["npm"].InSubst || !by["npm"].Nested || !by["yarn"].Quoted {
		t.Errorf("context flags wrong: pip %+v npm %+v yarn %+v", by["pip"], by["npm"], by["yarn"])
	}
}

func TestAppendToChain(t *testing.T) {
	cases := []struct{ src, want string }{
		{"FROM a\nRUN npm ci\n", "FROM a\nRUN npm ci && X\n"},
		{"FROM a\nRUN npm ci;\n", "FROM a\nRUN npm ci && X;\n"},
		{"FROM a\nRUN a && \\\n    npm ci\n", "FROM a\nRUN a && \\\n    npm ci && \\\n    X\n"},
		{"FROM a\nRUN a \\\n    && npm ci\n", "FROM a\nRUN a \\\n    && npm ci \\\n    && X\n"},
		{"FROM a\nRUN a \\\n    # note\n    && npm ci\n", "FROM a\nRUN a \\\n    # note\n    && npm ci \\\n    && X\n"},
		{"FROM a\r\nRUN a && \\\r\n  npm ci\r\n", "FROM a\r\nRUN a && \\\r\n  npm ci && \\\r\n  X\r\n"},
		{"# escape=`\nFROM a\nRUN a && `\n  npm ci\n", "# escape=`\nFROM a\nRUN a && `\n  npm ci && `\n  X\n"},
		{"FROM a\nRUN npm ci > /dev/null\n", "FROM a\nRUN npm ci > /dev/null && X\n"},
		{"FROM a\nRUN a; npm ci\n", "FROM a\nRUN a; npm ci && X\n"},
		{"FROM a\nRUN sh -c 'npm ci'\n", "FROM a\nRUN sh -c 'npm ci && X'\n"},
	}
	for _, tc := range cases {
		f, in := load(t, tc.src)
		var npm *Command
		for _, c := range All(in) {
			if c.Name == "npm" {
				npm = c
			}
		}
		if npm == nil {
			t.Fatalf("%q: npm not found", tc.src)
		}
		e, ok := AppendToChain(f, npm, "X")
		if !ok {
			t.Fatalf("%q: not appendable", tc.src)
		}
		out, err := textedit.Apply(f.Src, []textedit.Edit{e})
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tc.want {
			t.Errorf("\n src %q\n got %q\nwant %q", tc.src, out, tc.want)
		}
		if _, err := parser.Load("Dockerfile", out); err != nil {
			t.Errorf("result does not parse: %v", err)
		}
	}
}

func TestAppendRefused(t *testing.T) {
	f, in := load(t, "FROM a\nRUN npm ci &\n")
	if _, ok := AppendToChain(f, All(in)[0], "X"); ok {
		t.Errorf("a backgrounded command must not take a cleanup")
	}
}
