package shellcmd

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/parser"
)

func lastRun(t *testing.T, src string) *parser.Instruction {
	t.Helper()
	f := parsertest.Load(t, src)
	return f.Instructions[len(f.Instructions)-1]
}

// TestCalls: every RUN form gives the same argv view, in source order;
// commands of sh -c strings that do not map to the file are Opaque.
func TestCalls(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // name:opaque:editable
	}{
		{"shell", "FROM a\nRUN apt-get update && apt-get install -y curl\n",
			[]string{"apt-get::edit", "apt-get::edit"}},
		{"exec", "FROM a\nRUN [\"pip\", \"install\", \"x\"]\n",
			[]string{"pip::"}},
		{"exec sh -c, mapped", "FROM a\nRUN [\"sh\", \"-c\", \"npm ci && npm cache clean --force\"]\n",
			[]string{"npm::edit", "npm::edit"}},
		{"exec sh -c, escaped", "FROM a\nRUN [\"sh\", \"-c\", \"npm ci \\\"--x\\\"\"]\n",
			[]string{"npm:opaque:"}},
		{"shell sh -c with expansion", "FROM a\nRUN sh -c \"apt-get install -y $PKG\" && echo ok\n",
			[]string{"sh::edit", "apt-get:opaque:", "echo::edit"}},
		{"heredoc", "FROM a\nRUN <<EOF\napk add git\nEOF\n",
			[]string{"apk::edit"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := lastRun(t, c.src)
			var got []string
			for _, call := range Calls(in) {
				op, ed := "", ""
				if call.Opaque {
					op = "opaque"
				}
				if call.Cmd != nil && !call.Opaque {
					ed = "edit"
				}
				got = append(got, call.Name+":"+op+":"+ed)
				if call.Start() < in.Start || call.Start() > in.End {
					t.Errorf("%s starts at %d, outside the RUN [%d,%d)", call.Name, call.Start(), in.Start, in.End)
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestExecScriptAndShellC(t *testing.T) {
	in := lastRun(t, "FROM a\nRUN [\"/bin/bash\", \"-ec\", \"make && make install\"]\n")
	if i := ExecScriptIndex(in); i != 2 {
		t.Errorf("ExecScriptIndex = %d", i)
	}
	s := ExecScript(in)
	if s == nil || len(Commands(s)) != 2 {
		t.Fatalf("ExecScript: %v", s)
	}
	if in := lastRun(t, "FROM a\nRUN [\"bash\", \"--login\", \"-c\", \"x\"]\n"); ExecScriptIndex(in) != -1 {
		t.Errorf("a long option before -c is not an sh -c call")
	}
	in = lastRun(t, "FROM a\nRUN sh -c \"echo $HOME\"\n")
	all := All(in)
	if len(all) != 1 || !ShellC(all[0]) {
		t.Errorf("sh -c with an expansion stays one command that ShellC names: %d", len(all))
	}
	if in := lastRun(t, "FROM a\nRUN sh script.sh\n"); ShellC(All(in)[0]) {
		t.Errorf("sh script.sh is not sh -c")
	}
}

func TestCallInvoke(t *testing.T) {
	in := lastRun(t, "FROM a\nRUN dnf -y in --setopt install_weak_deps=0 gcc\n")
	c := Calls(in)[0]
	inv := c.Invoke(ToolOf(c.Name))
	if inv.Verb != "install" || strings.Join(inv.OperandValues(), ",") != "gcc" {
		t.Errorf("verb %q operands %v", inv.Verb, inv.OperandValues())
	}
	if v, ok := inv.Value("--setopt"); !ok || v != "install_weak_deps=0" {
		t.Errorf("--setopt = %q", v)
	}
	if !AptSimulates(Apt.Parse([]string{"apt-get", "install", "-s", "x"}, []bool{true, true, true, true})) {
		t.Errorf("AptSimulates")
	}
}
