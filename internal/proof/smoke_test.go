package proof

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/parser"
)

// TestSmokeCandidates: what each kind of Dockerfile suggests, best first.
func TestSmokeCandidates(t *testing.T) {
	cases := []struct{ name, dockerfile, want string }{
		{"binary: --version, --help, the CMD", "FROM debian\nCMD [\"checksum\", \"hello\"]\n",
			"checksum --version | checksum --help | checksum hello"},
		{"ENTRYPOINT takes the flag, CMD is dropped", "FROM scratch\nENTRYPOINT [\"/hello\"]\nCMD [\"-lang\", \"fr\"]\n",
			"/hello --version | /hello --help | /hello -lang fr"},
		{"python script: import it first", "FROM python:3.11\nWORKDIR /app\nCMD [\"python\", \"src/app.py\", \"--port\", \"80\"]\n",
			`python -c import sys; sys.path.insert(0, "src"); import app | python src/app.py --port 80`},
		{"python -m", "FROM python:3.11\nCMD python -m pkg.server\n",
			`python -c import sys; sys.path.insert(0, "."); import pkg | /bin/sh -c python -m pkg.server`},
		{"gunicorn", "FROM python:3.11\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:80\", \"app.main:app\"]\n",
			"python3 -c import app.main | gunicorn --version | gunicorn --help | gunicorn -b 0.0.0.0:80 app.main:app"},
		{"node script", "FROM node:18\nCMD [\"node\", \"dist/index.js\"]\n",
			`node -e require.resolve("./dist/index.js"); ` + nodeDeps + ` | node --check dist/index.js | node dist/index.js`},
		{"npm start, behind tini", "FROM node:18\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"npm\", \"start\"]\n",
			"node -e " + nodeDeps + " | tini -- npm start"},
		{"HEALTHCHECK first, then with the server", "FROM nginx\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
			"/bin/sh -c curl -f http://localhost/ | /bin/sh -c nginx -g 'daemon off;' >/dev/null 2>&1 & i=0; while [ $i -lt 30 ]; do if (curl -f http://localhost/); then kill $! 2>/dev/null; exit 0; fi; i=$((i+1)); sleep 1; done; kill $! 2>/dev/null; exit 1 | nginx --version | nginx --help | nginx -g daemon off;"},
		{"the final stage inherits from its stage", "FROM debian AS base\nCMD [\"tool\"]\nFROM base\nRUN true\n",
			"tool --version | tool --help | tool"},
		{"HEALTHCHECK NONE, no CMD: nothing", "FROM debian\nHEALTHCHECK NONE\n", ""},
		{"shell CMD that is no simple command: only itself", "FROM debian\nCMD ./run.sh && echo $HOME\n",
			"/bin/sh -c ./run.sh && echo $HOME"},
	}
	for _, c := range cases {
		f, err := parser.Load("Dockerfile", []byte(c.dockerfile))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, cand := range smokeCandidates(f) {
			got = append(got, strings.Join(cand.argv, " "))
		}
		if g := strings.Join(got, " | "); g != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.name, g, c.want)
		}
	}
}

// TestSmokeGroupSkipsAfterAHang: a program that does not end with
// --version (a server ignoring it) is not tried with --help or as is.
func TestSmokeGroupSkipsAfterAHang(t *testing.T) {
	dir := nodeApp(t)
	fb := &fakeBuilder{exits: map[string]int{"--version": -1, "require.resolve": 1, "--check": 1}}
	rep := verifyNode(t, dir, "FROM debian\nCMD [\"server\"]\n", fb)
	if rep.Smoke.Argv != nil || len(rep.Smoke.Notes) != 2 || !strings.Contains(rep.Smoke.Notes[0], "server --version") {
		t.Errorf("smoke: %+v", rep.Smoke)
	}
}

// TestComplaint: the line that says what went wrong, not buildah's own.
func TestComplaint(t *testing.T) {
	node := "node:child_process:924\n    throw err;\n    ^\n\nError: spawnSync convert ENOENT\n    at Object.spawnSync\n\nNode.js v18.20.4\nsubprocess exited with status 1\nError: exit status 1\n"
	if got := complaint(withoutNoise(node)); got != "Error: spawnSync convert ENOENT" {
		t.Errorf("node: %q", got)
	}
	if got := complaint("Traceback (most recent call last):\n  File \"x\"\nModuleNotFoundError: No module named 'x'\n"); got != "ModuleNotFoundError: No module named 'x'" {
		t.Errorf("python: %q", got)
	}
	tb := "Traceback (most recent call last):\n  File \"/app/app.py\", line 16, in main\n    with self.open(mode='r', encoding=encoding, errors=errors) as f:\n" +
		"         ^^^^^^^^^\nFileNotFoundError: [Errno 2] No such file or directory: '/app/.env'\n"
	if got := complaint(tb); got != "FileNotFoundError: [Errno 2] No such file or directory: '/app/.env'" {
		t.Errorf("complaint of a traceback quoting errors=errors: %q", got)
	}
	if _, tail, _ := strings.Cut(tb, "\n"); complaint(tail) != "FileNotFoundError: [Errno 2] No such file or directory: '/app/.env'" {
		t.Errorf("complaint of a traceback without its first line: %q", complaint(tail))
	}
	if got := complaint("sh: 1: convert: not found\n"); got != "sh: 1: convert: not found" {
		t.Errorf("sh: %q", got)
	}
	if got := complaint("1\n2\n"); got != "2" {
		t.Errorf("plain: %q", got)
	}
}
