package stagestate

import (
	"testing"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// TestScopeEnv: the variable X as `cmd` (the last command named cmd of
// the last RUN) sees it in its environment.
func TestScopeEnv(t *testing.T) {
	tests := []struct {
		name, src string
		value     string
		set       bool
	}{
		{"export before", "FROM a\nRUN export X=1 && cmd\n", "1", true},
		{"export ;", "FROM a\nRUN export X=1; cmd\n", "1", true},
		{"export then reassign", "FROM a\nRUN export X=1; X=2; cmd\n", "2", true},
		{"plain assignment not exported", "FROM a\nRUN X=1 && cmd\n", "", false},
		{"plain assignment, ENV exports", "FROM a\nENV X=0\nRUN X=1 && cmd\n", "1", true},
		{"plain assignment then export", "FROM a\nRUN X=1; export X; cmd\n", "1", true},
		{"naked export keeps ENV value", "FROM a\nENV X=e\nRUN export X; cmd\n", "e", true},
		{"set -a", "FROM a\nRUN set -a; X=1; cmd\n", "1", true},
		{"set -o allexport", "FROM a\nRUN set -o allexport; X=1; cmd\n", "1", true},
		{"set +a", "FROM a\nRUN set -a; set +a; X=1; cmd\n", "", false},
		{"declare -x", "FROM a\nRUN declare -x X=1 && cmd\n", "1", true},
		{"declare without -x", "FROM a\nRUN declare X=1 && cmd\n", "", false},
		{"unset ENV", "FROM a\nENV X=1\nRUN unset X && cmd\n", "", false},
		{"subshell ended", "FROM a\nRUN (export X=1) && cmd\n", "", false},
		{"inside subshell", "FROM a\nRUN (export X=1 && cmd)\n", "1", true},
		{"pipeline stage", "FROM a\nRUN export X=1 | cat && cmd\n", "", false},
		{"background", "FROM a\nRUN export X=1 & cmd\n", "", false},
		{"after the command", "FROM a\nRUN cmd && export X=1\n", "", false},
		{"if branch", "FROM a\nRUN if true; then export X=1; cmd; fi\n", "1", true},
		{"other branch", "FROM a\nRUN if true; then export X=1; else cmd; fi\n", "", false},
		{"ended if", "FROM a\nRUN if true; then export X=1; fi; cmd\n", "", false},
		{"group", "FROM a\nRUN { export X=1; } && cmd\n", "1", true},
		{"prefix wins", "FROM a\nRUN export X=1 && X=2 cmd\n", "2", true},
		{"env prefix wins", "FROM a\nRUN export X=1 && env X=3 cmd\n", "3", true},
		{"script wins over ENV", "FROM a\nENV X=0\nRUN export X=1 && cmd\n", "1", true},
		{"ENV only", "FROM a AS b\nENV X=e\nFROM b\nRUN cmd\n", "e", true},
		{"non-literal value as written", "FROM a\nRUN export X=\"$HOME/c\" && cmd\n", "\"$HOME/c\"", true},
		{"append", "FROM a\nRUN export X+=b && cmd\n", "${X}b", true},
		{"heredoc", "FROM a\nRUN <<EOT\nexport X=1\ncmd\nEOT\n", "1", true},
		{"sh -c string", "FROM a\nRUN sh -c 'export X=1; cmd'\n", "1", true},
		// Docker's own ENV and ARG along the stage chain, the shell setting nothing.
		{"docker: env", "FROM a\nENV X=1\nRUN cmd\n", "1", true},
		{"docker: multi env", "FROM a\nENV A=1 X=2 \\\n  B=3\nRUN cmd\n", "2", true},
		{"docker: legacy env", "FROM a\nENV X hello world\nRUN cmd\n", "hello world", true},
		{"docker: arg default", "FROM a\nARG X=on\nRUN cmd\n", "on", true},
		{"docker: arg without default", "FROM a\nARG X\nRUN cmd\n", "", false},
		{"docker: arg takes global default", "ARG X=g\nFROM a\nARG X\nRUN cmd\n", "g", true},
		{"docker: global default from another global", "ARG B=python\nARG X=${B}:3.11\nFROM a\nARG X\nRUN cmd\n", "python:3.11", true},
		{"docker: global arg not redeclared", "ARG X=g\nFROM a\nRUN cmd\n", "", false},
		{"docker: env before arg without default", "FROM a\nENV X=e\nARG X\nRUN cmd\n", "e", true},
		{"docker: env inherited", "FROM a AS b\nENV X=e\nFROM b\nRUN cmd\n", "e", true},
		{"docker: arg not inherited", "FROM a AS b\nARG X=1\nFROM b\nRUN cmd\n", "", false},
		{"docker: later env", "FROM a\nRUN cmd\nENV X=1\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, in := lastRun(t, tt.src)
			var cmd *shellcmd.Command
			for _, c := range shellcmd.All(in) {
				if c.Name == "cmd" {
					cmd = c
				}
			}
			if cmd == nil {
				t.Fatal("no cmd")
			}
			v, ok := Scope{File: f, In: in}.Env(cmd, cmd.Assigns, "X")
			if v != tt.value || ok != tt.set {
				t.Errorf("Env = %q, %v; want %q, %v", v, ok, tt.value, tt.set)
			}
		})
	}
}

// TestScopeWord: $references in an rm operand expand with the shell's
// variables (exported or not), not with the command's own prefix.
func TestScopeWord(t *testing.T) {
	tests := []struct {
		name, src string
		want      string
		ok        bool
	}{
		{"literal", "FROM a\nRUN rm -rf /var/cache/apk/*\n", "/var/cache/apk/*", true},
		{"shell var", "FROM a\nRUN D=/var/cache/apk; rm -rf $D/*\n", "/var/cache/apk/*", true},
		{"braces and quotes", "FROM a\nRUN D=/var/cache; rm -rf \"${D}\"/apk\n", "/var/cache/apk", true},
		{"ENV", "FROM a\nENV D=/var/cache/apk\nRUN rm -rf $D\n", "/var/cache/apk", true},
		{"prefix does not expand", "FROM a\nRUN D=/x rm -rf $D\n", "", false},
		{"unknown", "FROM a\nRUN rm -rf $D\n", "", false},
		{"default operator", "FROM a\nRUN D=/x; rm -rf ${D:-/y} ${E:-/e}\n", "/e", true},
		{"value with a reference", "FROM a\nRUN D=$HOME; rm -rf $D\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, in := lastRun(t, tt.src)
			var rm *shellcmd.Command
			for _, c := range shellcmd.All(in) {
				if c.Name == "rm" {
					rm = c
				}
			}
			if rm == nil {
				t.Fatal("no rm")
			}
			got, ok := Scope{File: f, In: in}.Word(rm, rm.Args[len(rm.Args)-1])
			if got != tt.want || ok != tt.ok {
				t.Errorf("Word = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// lastRun loads src and returns its last RUN.
func lastRun(t *testing.T, src string) (*parser.File, *parser.Instruction) {
	t.Helper()
	f, err := parser.Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var last *parser.Instruction
	for _, in := range f.Instructions {
		if in.Is("run") {
			last = in
		}
	}
	return f, last
}
