package layerorder

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/internal/shellcmd"
)

// pipRun describes the first command of `RUN <script>`.
func pipRun(t *testing.T, script string) *toolRun {
	t.Helper()
	f := parsertest.Load(t, "FROM python:3.12-slim\nRUN "+script+"\n")
	return describe(fromShell(shellcmd.All(f.Instructions[1])[0]), "/app")
}

// manifestsOf renders a tool's manifests with their flags.
func manifestsOf(t *toolRun) string {
	var out []string
	for _, m := range t.files {
		s := m.rel
		for _, f := range []struct {
			on   bool
			name string
		}{{m.dir, "dir"}, {m.pyProject, "project"}, {m.requirements, "req"}, {m.fromCwd, "cwd"}} {
			if f.on {
				s += "+" + f.name
			}
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestDescribePip(t *testing.T) {
	tests := []struct {
		script, files, kind string
		stub, others        bool
	}{
		{"pip install -r requirements.txt", "requirements.txt+req", "install", false, false},
		{"pip install ./libs/a -e ./b/ ./dist/x-1-py3-none-any.whl -f ./wheels", "./b+dir+project ./libs/a+dir+project ./dist/x-1-py3-none-any.whl ./wheels+dir", "install", false, false},
		{"pip install --no-cache-dir .", "", "project", true, false},
		{"pip install -e '.[dev]' gunicorn", "", "project", true, true},
		{"pip install -r r.txt --no-deps .", "r.txt+req", "build", false, false},
		{"pip install ..", "", "build", false, false},
		{"pip install --no-deps .", "", "build", false, false},
		{"pip install flask git+https://x/y.git", "", "other", false, true},
	}
	kinds := map[toolKind]string{kindOther: "other", kindInstall: "install", kindProject: "project", kindBuild: "build"}
	for _, tt := range tests {
		tr := pipRun(t, tt.script)
		got := fmt.Sprintf("%s|%s|%v|%v", manifestsOf(tr), kinds[tr.kind], tr.stub, tr.others)
		want := fmt.Sprintf("%s|%s|%v|%v", tt.files, tt.kind, tt.stub, tt.others)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", tt.script, got, want)
		}
	}
}

func TestRequirementFlags(t *testing.T) {
	more, _ := requirementIncludes([]string{"-r base.txt", "./pkg", "-f wheels", "./x.whl"}, "r.txt")
	got := manifestsOf(&toolRun{files: more})
	if want := "base.txt+req ./pkg+dir+project+cwd wheels+dir ./x.whl+cwd"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
