package proof

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/measure"
	"github.com/dockslim/dockslim/parser"
)

// SmokeTest is the command that proves an image still works, where it came
// from, and what the original printed.
type SmokeTest struct {
	Argv   []string `json:"argv,omitempty"` // nil: no smoke test
	Source string   `json:"source,omitempty"`
	// CompareOutput is set when the original printed the same output twice:
	// then a fixed image must print it too, not only exit 0.
	CompareOutput bool           `json:"compare_output"`
	Original      *measure.Smoke `json:"original,omitempty"`
	// Notes say which commands were not used and why, or why there is none.
	Notes []string `json:"notes,omitempty"`
}

// candidate is a smoke command to try in the original image.
type candidate struct {
	argv   []string
	source string
	// group: when one candidate of a group does not end in time (a server
	// that ignores its arguments), the later ones of the group are skipped.
	group string
}

// chooseSmoke picks the smoke test: --smoke, else the first candidate the
// Dockerfile suggests (smokeCandidates) that exits 0 in the original; it
// runs it a second time there to learn whether its output is stable.
func (s *session) chooseSmoke(orig *Trial) (*SmokeTest, error) {
	st := &SmokeTest{}
	var cands []candidate
	if s.o.Smoke != "" {
		argv := measure.SmokeArgv(s.o.Smoke)
		if argv == nil {
			return nil, fmt.Errorf("--smoke %q: not a command line (one command, words with shell quoting, no expansions)", s.o.Smoke)
		}
		cands = []candidate{{argv: argv, source: "--smoke"}}
	} else {
		f, err := parser.Load(s.o.Dockerfile, s.src)
		if err != nil {
			return nil, err
		}
		cands = smokeCandidates(f)
	}
	hung := map[string]bool{}
	for _, c := range cands {
		if c.group != "" && hung[c.group] {
			continue
		}
		s.progress("smoke test candidate (%s): %s", c.source, strings.Join(c.argv, " "))
		sm := s.runSmoke(orig.Tag, c.argv)
		if sm.ExitCode != 0 {
			hung[c.group] = sm.ExitCode == -1
			st.Notes = append(st.Notes, fmt.Sprintf("not used: %s (%s): the original exits %d: %s",
				strings.Join(c.argv, " "), c.source, sm.ExitCode, short(complaint(sm.Stdout+"\n"+sm.Stderr))))
			continue
		}
		again := s.runSmoke(orig.Tag, c.argv)
		st.Argv, st.Source, st.Original = c.argv, c.source, sm
		st.CompareOutput = again.ExitCode == 0 && again.Stdout == sm.Stdout
		orig.Smoke, s.smoke = sm, c.argv
		return st, nil
	}
	if len(cands) == 0 {
		st.Notes = append(st.Notes, "no smoke test: no --smoke, and the Dockerfile has no HEALTHCHECK, CMD or ENTRYPOINT to start the program with; the fixes are judged on the build and the size only")
	} else {
		st.Notes = append(st.Notes, "no smoke test: the original image passes none of the commands above; the fixes are judged on the build and the size only")
	}
	return st, nil
}

// imageConfig is what the final stage's Dockerfile instructions set (nil:
// not set there; the base image's values are unknown offline).
type imageConfig struct {
	entrypoint, cmd, health []string
	// shellEntrypoint: ENTRYPOINT in shell form ignores CMD.
	shellEntrypoint bool
}

// configOf reads CMD, ENTRYPOINT and HEALTHCHECK along the final stage and
// the stages it is built FROM, as the builder sets them.
func configOf(f *parser.File) imageConfig {
	var c imageConfig
	if len(f.Stages) == 0 {
		return c
	}
	var chain []*parser.Stage
	for st := f.Stages[len(f.Stages)-1]; st != nil; st = st.Base.StageRef {
		chain = append([]*parser.Stage{st}, chain...)
	}
	for _, st := range chain {
		cmdSet := false
		for _, in := range st.Instructions {
			switch in.Keyword {
			case "cmd":
				c.cmd, cmdSet = argvOf(in, in.Args()), true
			case "entrypoint":
				// An ENTRYPOINT resets the CMD of the image below.
				c.entrypoint, c.shellEntrypoint = argvOf(in, in.Args()), !in.JSON
				if !cmdSet {
					c.cmd = nil
				}
			case "healthcheck":
				c.health = nil
				if args := in.Args(); len(args) > 1 && strings.EqualFold(args[0], "CMD") {
					c.health = argvOf(in, args[1:])
				}
			}
		}
	}
	return c
}

// argvOf is the argv of an exec-form instruction, or /bin/sh -c for the
// shell form.
func argvOf(in *parser.Instruction, args []string) []string {
	if in.JSON {
		var out []string
		for _, a := range in.JSONArgs {
			out = append(out, a.Value)
		}
		return out
	}
	return []string{"/bin/sh", "-c", strings.Join(args, " ")}
}

// run is what the container starts: ENTRYPOINT plus CMD (exec form), the
// shell-form ENTRYPOINT alone, or CMD.
func (c imageConfig) run() []string {
	switch {
	case c.entrypoint == nil:
		return c.cmd
	case c.shellEntrypoint:
		return c.entrypoint
	}
	return append(append([]string(nil), c.entrypoint...), c.cmd...)
}

// words are the argv of a command line: exec form as is, a shell form
// that is one command of literal words split, else nil.
func words(argv []string) []string {
	if len(argv) == 3 && argv[0] == "/bin/sh" && argv[1] == "-c" {
		return measure.SmokeArgv(argv[2])
	}
	return argv
}

// smokeCandidates are the smoke commands the Dockerfile suggests, best
// first: the HEALTHCHECK (alone, then with the program running in the
// background), the language's own proof that the program's code and
// dependencies load (Python: import the main module; Node: resolve the
// script and the dependencies), the program with --version and --help (not
// an interpreter's, which prove only the interpreter), the CMD itself.
func smokeCandidates(f *parser.File) []candidate {
	c := configOf(f)
	var out []candidate
	run := c.run()
	if c.health != nil {
		out = append(out, candidate{argv: c.health, source: "HEALTHCHECK"})
		if run != nil {
			out = append(out, candidate{argv: healthWithServer(c.health, run), source: "HEALTHCHECK, with the CMD running in the background"})
		}
	}
	if run == nil {
		return out
	}
	w := unwrap(words(run))
	if len(w) > 0 {
		out = append(out, languageCandidates(w)...)
	}
	if len(w) > 0 && !isInterpreter(w[0]) {
		prog := w[:1]
		if c.entrypoint != nil && !c.shellEntrypoint {
			prog = unwrap(c.entrypoint)
		}
		for _, fl := range []string{"--version", "--help"} {
			out = append(out, candidate{argv: append(append([]string(nil), prog...), fl), source: "the program with " + fl, group: "cmd"})
		}
	}
	return append(out, candidate{argv: run, source: "the image's CMD", group: "cmd"})
}

// wrappers start the real program: the program is what follows them.
var wrappers = []string{"tini", "dumb-init", "gosu", "su-exec", "exec"}

func unwrap(w []string) []string {
	for len(w) > 0 && slices.Contains(wrappers, path.Base(w[0])) {
		w = w[1:]
		for len(w) > 0 && (strings.HasPrefix(w[0], "-") || w[0] == "--") {
			w = w[1:]
		}
	}
	return w
}

var interpreters = []string{"node", "nodejs", "npm", "npx", "yarn", "pnpm", "java", "sh", "bash", "dash", "ash",
	"ruby", "php", "perl", "dotnet", "deno", "bun", "env"}

func isInterpreter(prog string) bool {
	b := path.Base(prog)
	return slices.Contains(interpreters, b) || strings.HasPrefix(b, "python")
}

// isModulePath reports whether s is a Python module path (a.b.c).
func isModulePath(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] >= '0' && part[0] <= '9' {
			return false
		}
		for _, r := range part {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// languageCandidates prove that the program's code and dependencies load
// without starting it.
func languageCandidates(w []string) []candidate {
	prog := path.Base(w[0])
	switch {
	case strings.HasPrefix(prog, "python"):
		if mod, dir := pythonModule(w[1:]); mod != "" {
			return []candidate{{argv: []string{w[0], "-c", fmt.Sprintf("import sys; sys.path.insert(0, %q); import %s", dir, mod)}, source: "Python: import the main module"}}
		}
	case slices.Contains([]string{"gunicorn", "uvicorn", "hypercorn"}, prog):
		for _, a := range w[1:] {
			if mod, _, ok := strings.Cut(a, ":"); ok && !strings.HasPrefix(a, "-") && isModulePath(mod) {
				return []candidate{{argv: []string{"python3", "-c", "import " + mod}, source: "Python: import the application module"}}
			}
		}
	case prog == "node" || prog == "nodejs":
		return nodeCandidates(w)
	case slices.Contains([]string{"npm", "yarn", "pnpm"}, prog):
		return []candidate{{argv: []string{"node", "-e", nodeDeps}, source: "Node: resolve the dependencies of package.json"}}
	}
	return nil
}

// pythonModule is the module `python [-m mod | script.py]` runs and the
// folder to import it from.
func pythonModule(args []string) (mod, dir string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-m" && i+1 < len(args):
			if m, _, _ := strings.Cut(args[i+1], "."); isModulePath(m) {
				return m, "."
			}
			return "", ""
		case a == "-c":
			return "", ""
		case strings.HasPrefix(a, "-"):
			continue
		case strings.HasSuffix(a, ".py"):
			m := strings.TrimSuffix(path.Base(a), ".py")
			if isModulePath(m) && !strings.Contains(m, ".") {
				return m, path.Dir(a)
			}
		}
		return "", ""
	}
	return "", ""
}

// nodeDeps resolves every dependency package.json (in the working
// directory) names: they are installed where the program finds them.
const nodeDeps = `const p = require(require("path").resolve("package.json")); for (const d of Object.keys(p.dependencies || {})) require.resolve(d)`

func nodeCandidates(w []string) []candidate {
	var script string
	for _, a := range w[1:] {
		if !strings.HasPrefix(a, "-") {
			script = a
			break
		}
	}
	if script == "" {
		return nil
	}
	rel := script
	if !strings.HasPrefix(rel, "/") && !strings.HasPrefix(rel, ".") {
		rel = "./" + rel
	}
	return []candidate{
		{argv: []string{w[0], "-e", fmt.Sprintf("require.resolve(%q); %s", rel, nodeDeps)}, source: "Node: resolve the script and the dependencies of package.json"},
		{argv: []string{w[0], "--check", script}, source: "Node: check the script"},
	}
}

// healthWithServer runs the HEALTHCHECK while the program runs in the
// background (most health checks ask the running server), up to 30 times a
// second apart, then stops the program.
func healthWithServer(health, run []string) []string {
	script := fmt.Sprintf(`%s >/dev/null 2>&1 & i=0; while [ $i -lt 30 ]; do if %s; then kill $! 2>/dev/null; exit 0; fi; i=$((i+1)); sleep 1; done; kill $! 2>/dev/null; exit 1`,
		shellLine(run), shellLine(health))
	return []string{"/bin/sh", "-c", script}
}

// shellLine renders argv as a shell command line; a /bin/sh -c form as a
// subshell.
func shellLine(argv []string) string {
	if len(argv) == 3 && argv[0] == "/bin/sh" && argv[1] == "-c" {
		return "(" + argv[2] + ")"
	}
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = quote(a)
	}
	return strings.Join(q, " ")
}

// quote single-quotes a word for sh when it needs it.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
