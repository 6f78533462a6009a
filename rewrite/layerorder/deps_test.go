package layerorder

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/parser"
)

func TestPathsOverlap(t *testing.T) {
	tests := []struct {
		a, b []string
		want bool
	}{
		{[]string{"/app"}, []string{"/app/x"}, true},
		{[]string{"/app/x"}, []string{"/app"}, true},
		{[]string{"/app"}, []string{"/application"}, false},
		{[]string{"/"}, []string{"/etc"}, true},
		{[]string{"/home/*/.cache"}, []string{"/home/app/web"}, false},
		{[]string{"/home/*/.cache"}, []string{"/home/app/.cache/pip"}, true},
		{[]string{"/home"}, []string{"/home/*/.npm"}, true},
		{[]string{"$W0/x"}, []string{"$W0/y"}, false},
		{[]string{"$W0/x"}, []string{"/x"}, true}, // unknown base folder
		{nil, []string{"/x"}, false},
	}
	for _, tt := range tests {
		a, b := Paths{List: tt.a}, Paths{List: tt.b}
		if got := a.Overlaps(b); got != tt.want {
			t.Errorf("%v overlaps %v = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	if !(Paths{All: true}).Overlaps(Paths{List: []string{"/x"}}) {
		t.Error("All must overlap everything")
	}
}

func TestResolve(t *testing.T) {
	tests := []struct{ cwd, p, want string }{
		{"/app", "x", "/app/x"},
		{"/app", "./x/../y", "/app/y"},
		{"/app", "/etc/x", "/etc/x"},
		{"", "x", ""},
		{"$W0", "x", "$W0/x"},
		{"$W0", "../x", ""},
		{"/app", "~/.cache", ""},
	}
	for _, tt := range tests {
		if got := resolve(tt.cwd, tt.p); got != tt.want {
			t.Errorf("resolve(%q, %q) = %q, want %q", tt.cwd, tt.p, got, tt.want)
		}
	}
}

// TestCommute checks pairs of instructions: the first line is the stage
// header; a and b are 1-based line numbers of the two instructions.
func TestCommute(t *testing.T) {
	tests := []struct {
		name string
		src  string
		a, b int
		want bool
	}{
		{"apt after copy", "FROM x\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y curl\n", 3, 4, true},
		{"pip -r reads the copy", "FROM x\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", 3, 4, false},
		{"pip from the registry", "FROM x\nWORKDIR /app\nCOPY . .\nRUN pip install --upgrade pip flask\n", 3, 4, true},
		{"script from the context", "FROM x\nWORKDIR /app\nCOPY . .\nRUN ./build.sh\n", 3, 4, false},
		{"unknown command", "FROM x\nWORKDIR /app\nCOPY . .\nRUN make\n", 3, 4, false},
		{"cd to /tmp", "FROM x\nWORKDIR /app\nCOPY . .\nRUN cd /tmp && curl -fsSLO https://x/t.tgz && tar xzf t.tgz && mv t /usr/local/bin/\n", 3, 4, true},
		{"relative cd stays in the copy", "FROM x\nWORKDIR /app\nCOPY . .\nRUN cd sub && cat foo\n", 3, 4, false},
		{"cd in a subshell", "FROM x\nWORKDIR /app\nCOPY . .\nRUN (cd /tmp && true) && cat foo\n", 3, 4, false},
		{"redirect into the copy", "FROM x\nWORKDIR /app\nCOPY . .\nRUN echo hi > version.txt\n", 3, 4, false},
		{"redirect elsewhere", "FROM x\nWORKDIR /app\nCOPY . .\nRUN echo hi > /etc/motd\n", 3, 4, true},
		{"mkdir in the copy", "FROM x\nCOPY . /app\nRUN mkdir -p /app/logs\n", 2, 3, false},
		{"mkdir elsewhere", "FROM x\nCOPY . /app\nRUN mkdir -p /var/log/app\n", 2, 3, true},
		{"sh -c string", "FROM x\nCOPY . /app\nRUN sh -c 'rm -rf /app/tmp'\n", 2, 3, false},
		{"non-literal command", "FROM x\nCOPY . /app\nRUN $TOOL install\n", 2, 3, false},
		{"unparsable shell", "FROM x\nCOPY . /app\nRUN echo $(\n", 2, 3, false},
		{"npm -g reads the project's .npmrc", "FROM x\nWORKDIR /app\nCOPY . .\nRUN npm install -g pnpm@9\n", 3, 4, false},
		{"npm -g elsewhere", "FROM x\nWORKDIR /app\nCOPY . /srv\nRUN npm install -g pnpm@9\n", 3, 4, true},
		{"npm ci", "FROM x\nWORKDIR /app\nCOPY . .\nRUN npm ci\n", 3, 4, false},
		{"go install remote", "FROM x\nWORKDIR /app\nCOPY . .\nRUN go install golang.org/x/tools/cmd/goimports@latest\n", 3, 4, true},
		{"go build", "FROM x\nWORKDIR /app\nCOPY . .\nRUN go build .\n", 3, 4, false},
		{"env after copy", "FROM x\nCOPY . /app\nENV A=1\n", 2, 3, true},
		{"copy uses the env", "FROM x\nCOPY . $APP\nENV APP=/x\n", 2, 3, false},
		{"workdir after copy", "FROM x\nCOPY . .\nWORKDIR /srv\n", 2, 3, false},
		{"chown by name needs users", "FROM x\nCOPY --chown=app . /app\nRUN useradd app\n", 2, 3, false},
		{"numeric chown", "FROM x\nCOPY --chown=1000:1000 . /app\nRUN useradd app\n", 2, 3, true},
		{"user after copy", "FROM x\nCOPY . /app\nUSER app\n", 2, 3, true},
		{"run reads env", "FROM x\nENV A=1\nRUN apt-get install -y curl\n", 2, 3, false},
		{"run reads user", "FROM x\nUSER app\nRUN apt-get install -y curl\n", 2, 3, false},
		{"two installs", "FROM x\nRUN apt-get install -y gcc\nRUN pip install flask\n", 2, 3, false},
		{"cmd and entrypoint", "FROM x\nCMD [\"a\"]\nENTRYPOINT [\"b\"]\n", 2, 3, false},
		{"expose and label", "FROM x\nEXPOSE 80\nLABEL a=b\n", 2, 3, true},
		{"volume", "FROM x\nVOLUME /data\nEXPOSE 80\n", 2, 3, false},
		{"unknown base workdir", "FROM x\nCOPY . .\nRUN apt-get install -y curl\n", 2, 3, false},
		{"heredoc script", "FROM x\nCOPY . /app\nRUN <<EOF\napt-get install -y curl\nEOF\n", 2, 3, true},
		{"heredoc reads the copy", "FROM x\nCOPY . /app\nRUN <<EOF\ncat /app/x\nEOF\n", 2, 3, false},
		{"useradd home in the copy", "FROM x\nCOPY . /home/app\nRUN useradd -m -d /home/app app\n", 2, 3, false},
		{"wget to cwd", "FROM x\nWORKDIR /app\nCOPY . .\nRUN wget https://x/y\n", 3, 4, false},
		{"wget to stdout", "FROM x\nWORKDIR /app\nCOPY . .\nRUN wget -qO- https://x/y | tar xz -C /opt\n", 3, 4, true},
		{"venv from ENV", "FROM x\nENV VIRTUAL_ENV=/app/.venv\nCOPY . /app\nRUN pip install flask\n", 3, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parsertest.Load(t, tt.src)
			ms := models(f)
			var a, b *parser.Instruction
			for _, in := range f.Instructions {
				if in.StartLine == tt.a {
					a = in
				}
				if in.StartLine == tt.b {
					b = in
				}
			}
			m := ms[a.Stage]
			ea, eb := m.Effects(a), m.Effects(b)
			if got := Commute(ea, eb); got != tt.want {
				t.Errorf("Commute = %v, want %v\n a: %+v\n b: %+v", got, tt.want, ea, eb)
			}
			if Commute(ea, eb) != Commute(eb, ea) {
				t.Error("Commute is not symmetric")
			}
			if got := Conflict(ea, eb) == ""; got != tt.want {
				t.Errorf("Conflict(...) == \"\" is %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWorkdirs(t *testing.T) {
	src := "FROM python AS base\nWORKDIR /app\nWORKDIR sub\nRUN true\nFROM base\nRUN true\nFROM scratch\nRUN true\nFROM x\nENV D=/srv\nWORKDIR $D/web\nRUN true\nWORKDIR $UNSET\nRUN true\n"
	f := parsertest.Load(t, src)
	ms := models(f)
	want := map[int]string{4: "/app/sub", 6: "/app/sub", 8: "/", 12: "/srv/web", 14: "$X12"}
	for _, in := range f.Instructions {
		if w, ok := want[in.StartLine]; ok {
			if got := ms[in.Stage].wd[in]; got != w {
				t.Errorf("line %d: workdir %q, want %q", in.StartLine, got, w)
			}
		}
	}
}

func TestRunItemsFollowCd(t *testing.T) {
	src := "FROM x\nWORKDIR /app\nRUN cd /tmp && wget https://x/y && cd - && pip install -r r.txt\n"
	f := parsertest.Load(t, src)
	m := models(f)[f.Stages[0]]
	var cwds []string
	for _, it := range m.runItems(f.Instructions[2]) {
		if it.cmd != nil {
			cwds = append(cwds, it.cmd.Name+"@"+it.cwd)
		}
	}
	if got := strings.Join(cwds, " "); got != "cd@/app wget@/tmp cd@/tmp pip@" {
		t.Errorf("got %s", got)
	}
}

func TestRequirementIncludes(t *testing.T) {
	tests := []struct {
		text, more, why string
	}{
		{"flask\n-r base.txt\n--constraint=c.txt\n", "base.txt c.txt", ""},
		{"-rother.txt  # comment\n", "other.txt", ""},
		{"flask @ https://x/y.whl\n", "", ""},
		{"-e .\n", "", "the project itself (-e .)"},
		{"--editable=./\n", "", "the project itself"},
		{"./libs/foo\n", "./libs/foo", ""},
		{"./libs/foo[dev] ; python_version >= '3.8'\n", "./libs/foo", ""},
		{"-e ./libs/foo\n-e git+https://x/y.git#egg=y\n", "./libs/foo", ""},
		{"foo @ file:///src/foo\n", "/src/foo", ""},
		{"foo@file:./foo\nbar @ https://x/bar.whl\n", "./foo", ""},
		{"file://localhost/src/foo\nfile://host/x\n", "/src/foo", ""},
		{"./dist/foo-1.0-py3-none-any.whl --hash=sha256:00\n", "./dist/foo-1.0-py3-none-any.whl", ""},
		{"--find-links ./wheels\nfoo\n", "./wheels", ""},
		{"--find-links https://x/simple\n-i https://x/simple\n", "", ""},
	}
	for _, tt := range tests {
		more, why := requirementIncludes(strings.Split(tt.text, "\n"), "r.txt")
		var names []string
		for _, m := range more {
			names = append(names, m.rel)
		}
		if got := strings.Join(names, " "); got != tt.more {
			t.Errorf("%q: includes %q, want %q", tt.text, got, tt.more)
		}
		if (why == "") != (tt.why == "") || !strings.Contains(why, tt.why) {
			t.Errorf("%q: why %q, want %q", tt.text, why, tt.why)
		}
	}
}

func TestLocalDeps(t *testing.T) {
	for spec, want := range map[string]bool{"^1.2.0": false, "file:../lib": true, "link:./x": true, "workspace:*": true,
		"npm:foo@1": false, "patch:foo@1#./p.patch": true, "github:a/b": false, "./vendor/x.tgz": true} {
		if localSpec(spec) != want {
			t.Errorf("localSpec(%q) != %v", spec, want)
		}
	}
	tests := []struct {
		toml string
		want bool
	}{
		{"[tool.poetry.dependencies]\nlib = {path = \"../lib\", develop = true}\n", true},
		{"[tool.uv.sources]\nlib = { path = \"packages/lib\" }\n", true},
		{"[tool.poetry.dependencies.lib]\npath = \"../lib\"\n", true},
		{"[packages]\nflask = \"*\"\nlib = {path = \".\", editable = true}\n", true},
		{"[tool.hatch.version]\npath = \"src/pkg/__about__.py\"\n", false},
		{"[tool.poetry.dependencies]\nflask = \"^3\"\n", false},
	}
	for _, tt := range tests {
		if got := localPathDep(strings.Split(tt.toml, "\n")); got != tt.want {
			t.Errorf("localPathDep(%q) = %v", tt.toml, got)
		}
	}
}
