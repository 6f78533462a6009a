package layerorder

// Dependency analysis: what each instruction of a stage reads and writes,
// so that instructions can be reordered without changing the image.
//
// The analysis is conservative. A path dockslim cannot resolve, a command it
// does not know, or a script from the build context makes the instruction
// read or write "anything", and such an instruction never moves past one
// that touches the file system.
//
// This file is the stage model (WORKDIR, ENV, tool folders, the effects of
// each instruction); effects.go is the effects model (Paths, Effects,
// Commute, Conflict); commandtable.go is what each known command reads and
// writes.

import (
	"path"
	"slices"
	"strconv"
	"strings"

	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// Folders that package managers write. The OS package managers' set
// leaves out /usr/local, /usr/src and /home, where applications live;
// language package managers install into /usr/local, homes and caches.
var (
	osSystem = []string{"/etc", "/var", "/opt", "/root", "/tmp", "/run", "/bin", "/sbin",
		"/lib", "/lib32", "/lib64", "/libx32", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32",
		"/usr/lib64", "/usr/libx32", "/usr/libexec", "/usr/include", "/usr/share", "/usr/games"}
	langSystem = []string{"/usr/local/bin", "/usr/local/lib", "/usr/local/include", "/usr/local/share",
		"/usr/local/etc", "/usr/lib", "/usr/share", "/root", "/tmp", "/var/lib/gems", "/var/cache",
		"/go/pkg", "/go/bin", "/home/*/.cache", "/home/*/.local", "/home/*/.config", "/home/*/.npm",
		"/home/*/.yarn", "/home/*/.m2", "/home/*/.nuget", "/home/*/.gem", "/home/*/.bundle",
		"/home/*/.composer", "/home/*/go", "/home/*/.cargo", "/home/*/.dotnet"}
	homeDirs  = []string{"/root", "/home"}
	userFiles = []string{"/etc", "/home", "/var/mail", "/var/spool"}
)

// Env variables whose folders language package managers install into.
var toolDirVars = []string{"VIRTUAL_ENV", "PIP_TARGET", "PYTHONUSERBASE", "GEM_HOME", "BUNDLE_PATH",
	"GOPATH", "GOMODCACHE", "GOBIN", "NPM_CONFIG_PREFIX", "CARGO_HOME", "RUSTUP_HOME", "POETRY_HOME",
	"POETRY_VIRTUALENVS_PATH", "UV_PROJECT_ENVIRONMENT", "WORKON_HOME", "PNPM_HOME", "COMPOSER_HOME",
	"COMPOSER_VENDOR_DIR", "NUGET_PACKAGES", "MAVEN_CONFIG", "GRADLE_USER_HOME"}

// stageModel knows the WORKDIR and environment at each instruction of a
// stage, and computes instruction effects.
type stageModel struct {
	f  *parser.File
	st *parser.Stage
	// wd is the working folder before each instruction runs.
	wd map[*parser.Instruction]string
	// final is the working folder after the stage's last instruction.
	final string
	// ctx is the build context (nil without one), where the effects
	// model reads requirements files.
	ctx *buildContext

	// Memos. A stageModel lives for one pass over one File, whose
	// instructions never change, and these results depend only on the
	// model and the instruction (and cwd): the passes ask for the same
	// instruction once per pair of instructions they compare, so computing
	// each once keeps an analysis linear. Callers only read the results.
	effects map[*parser.Instruction]Effects
	items   map[*parser.Instruction][]runItem
	dirs    map[dirsKey][]string
}

type dirsKey struct {
	in  *parser.Instruction
	cwd string
}

// models builds the stage models of a file.
func models(f *parser.File) map[*parser.Stage]*stageModel {
	out := map[*parser.Stage]*stageModel{}
	for _, st := range f.Stages {
		m := &stageModel{f: f, st: st, wd: map[*parser.Instruction]string{},
			effects: map[*parser.Instruction]Effects{}, items: map[*parser.Instruction][]runItem{}, dirs: map[dirsKey][]string{}}
		cwd := "$W" + strconv.Itoa(st.Index)
		switch {
		case st.Base.Scratch:
			cwd = "/"
		case st.Base.StageRef != nil && out[st.Base.StageRef] != nil:
			cwd = out[st.Base.StageRef].final
		}
		for _, in := range st.Instructions {
			m.wd[in] = cwd
			if in.Keyword == "workdir" {
				cwd = m.workdirAfter(in, cwd)
			}
		}
		m.final = cwd
		out[st] = m
	}
	return out
}

func (m *stageModel) workdirAfter(in *parser.Instruction, cwd string) string {
	args := in.Args()
	if len(args) == 0 {
		return cwd
	}
	w, ok := m.expand(in, args[0])
	if !ok {
		return "$X" + strconv.Itoa(in.Index) // a folder dockslim cannot name
	}
	if r := resolve(cwd, w); r != "" {
		return r
	}
	return "$X" + strconv.Itoa(in.Index)
}

// envValue is the value of an ENV variable set before in, in its stage or
// the stages it builds on. ARG values can be overridden at build time, so
// they count as unknown.
func (m *stageModel) envValue(in *parser.Instruction, name string) (string, bool) {
	_, v, found := m.lastSet(in, name)
	if !found || strings.Contains(v, "$") {
		return "", false
	}
	return v, true
}

// lastSet finds the last instruction before in (in its stage or the stages
// it builds on) that sets name: an ENV, with its value, or an ARG (whose
// value a build may override: found is set, p is nil).
func (m *stageModel) lastSet(in *parser.Instruction, name string) (p *parser.Instruction, value string, found bool) {
	st, limit := in.Stage, in.Index
	for st != nil {
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			x := st.Instructions[i]
			if x.Index >= limit {
				continue
			}
			for _, kv := range slices.Backward(x.EnvPairs()) {
				if kv[0] == name {
					return x, kv[1], true
				}
			}
			if names, _ := x.ArgDefs(); slices.Contains(names, name) {
				return nil, "", true
			}
		}
		st, limit = st.Base.StageRef, len(m.f.Instructions)
	}
	return nil, "", false
}

type envGetter struct {
	m  *stageModel
	in *parser.Instruction
}

func (g envGetter) Get(k string) (string, bool) { return g.m.envValue(g.in, k) }
func (g envGetter) Keys() []string              { return nil }

// expand expands $VAR in a Dockerfile word (quotes removed) as BuildKit
// would; ok is false when a variable has no known value.
func (m *stageModel) expand(in *parser.Instruction, word string) (string, bool) {
	if !strings.ContainsAny(word, "$'\"\\`") {
		return word, true
	}
	lex := bkshell.NewLex(rune(m.f.Escape))
	out, unmatched, err := lex.ProcessWord(word, envGetter{m, in})
	if err != nil || len(unmatched) > 0 || strings.Contains(word, "${") && strings.Contains(word, ":") {
		return "", false
	}
	return out, true
}

// toolDirs are the folders named by ENV variables that package managers
// install into (a virtualenv, GEM_HOME, ...), and the parents of PATH
// entries ending in /bin.
func (m *stageModel) toolDirs(in *parser.Instruction, cwd string) []string {
	k := dirsKey{in, cwd}
	if d, ok := m.dirs[k]; ok {
		return d
	}
	d := m.computeToolDirs(in, cwd)
	m.dirs[k] = d
	return d
}

func (m *stageModel) computeToolDirs(in *parser.Instruction, cwd string) []string {
	var out []string
	for _, v := range toolDirVars {
		if val, ok := m.envValue(in, v); ok && val != "" {
			out = append(out, resolve(cwd, val))
		} else if !ok && m.declared(in, v) {
			out = append(out, "")
		}
	}
	if entries, ok := m.pathEntries(in); ok {
		for _, e := range entries {
			if d, ok := strings.CutSuffix(path.Clean(e), "/bin"); ok && d != "" && d != "/usr" && d != "/usr/local" && d != "/" {
				out = append(out, resolve(cwd, d))
			}
		}
	} else {
		out = append(out, "")
	}
	return out
}

// pathEntries are the folders of PATH before in, as set by ENV in the
// stage chain: "$PATH" in a value stands for the PATH before it (the base
// image's, whose folders are the system's, when no ENV set it); ok is false
// when another variable or an ARG makes it unknown.
func (m *stageModel) pathEntries(in *parser.Instruction) (entries []string, ok bool) {
	p, v, found := m.lastSet(in, "PATH")
	switch {
	case !found:
		return nil, true // the base image's
	case p == nil:
		return nil, false // an ARG
	}
	return m.expandPath(p, v)
}

// expandPath reads the value of ENV PATH=value at instruction p.
func (m *stageModel) expandPath(p *parser.Instruction, value string) (entries []string, ok bool) {
	for _, e := range strings.Split(strings.Trim(value, `"'`), ":") {
		switch {
		case e == "$PATH" || e == "${PATH}":
			before, ok := m.pathEntries(p)
			if !ok {
				return nil, false
			}
			entries = append(entries, before...)
		case strings.Contains(e, "$"):
			return nil, false
		default:
			entries = append(entries, e)
		}
	}
	return entries, true
}

// declared reports whether ENV or ARG sets name before in (with a value
// dockslim may not know).
func (m *stageModel) declared(in *parser.Instruction, name string) bool {
	_, ok := m.f.EnvBefore(in, name)
	return ok
}

// Effects computes what in reads and writes.
func (m *stageModel) Effects(in *parser.Instruction) Effects {
	if e, ok := m.effects[in]; ok {
		return e
	}
	e := m.computeEffects(in)
	m.effects[in] = e
	return e
}

func (m *stageModel) computeEffects(in *parser.Instruction) Effects {
	var e Effects
	cwd := m.wd[in]
	dollar := strings.Contains(in.ArgsText(m.f), "$")
	switch in.Keyword {
	case "run":
		return m.runEffects(in, cwd)
	case "copy", "add":
		if dollar {
			e.readVar("env:*")
		}
		if fl, ok := in.Flag("chown"); ok {
			if strings.Contains(fl.Value, "$") {
				e.readVar("env:*")
			}
			if u, g, _ := strings.Cut(fl.Value, ":"); !isNumber(u) || g != "" && !isNumber(g) {
				e.Reads.Add("/etc/passwd", "/etc/group")
			}
		}
		if _, ok := in.Flag("from"); ok {
			e.readVar("stage")
		}
		dest, _ := copyDest(in)
		d, ok := m.expand(in, dest)
		if !ok {
			e.Writes.All = true
			return e
		}
		if !strings.HasPrefix(d, "/") {
			e.readVar("workdir")
		}
		e.Writes.Add(resolve(cwd, d))
	case "env":
		for _, kv := range in.EnvPairs() {
			e.writeVar("env:" + kv[0])
		}
		if dollar {
			e.readVar("env:*")
		}
	case "arg":
		names, _ := in.ArgDefs()
		for _, n := range names {
			e.writeVar("env:" + n)
		}
		if dollar {
			e.readVar("env:*")
		}
	case "workdir":
		e.writeVar("workdir")
		e.readVar("workdir")
		if dollar {
			e.readVar("env:*")
		}
		after := m.workdirAfter(in, cwd)
		if strings.HasPrefix(after, "$X") {
			e.Writes.All = true
		} else {
			e.Writes.Add(after)
		}
	case "user":
		e.writeVar("user")
		if dollar {
			e.readVar("env:*")
		}
	case "shell":
		e.writeVar("shell")
	case "cmd", "entrypoint":
		// ENTRYPOINT resets CMD: they never change places.
		e.writeVar("meta:cmd")
	case "expose", "label", "stopsignal", "healthcheck", "maintainer", "onbuild":
		e.writeVar("meta:" + in.Keyword)
		if dollar && in.Keyword != "healthcheck" && in.Keyword != "onbuild" {
			e.readVar("env:*")
		}
	default: // from, volume, and anything new
		e.Barrier = true
	}
	return e
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// copyDest is the destination argument of a COPY/ADD as buildkit reads it,
// and its sources.
func copyDest(in *parser.Instruction) (dest string, srcs []string) {
	args := in.Args()
	if in.JSON {
		args = nil
		for _, a := range in.JSONArgs {
			args = append(args, a.Value)
		}
	}
	if len(args) < 2 {
		return "", nil
	}
	return args[len(args)-1], args[:len(args)-1]
}

// runEffects analyses a RUN through its shell tree: every command, in
// source order, with the folder it runs in (cd is followed), and every
// redirection.
func (m *stageModel) runEffects(in *parser.Instruction, wd string) Effects {
	e := Effects{}
	e.readVar("workdir", "user", "shell", "env:*")
	for _, mt := range in.Mounts() {
		if mt.Type == "bind" && mt.From == "" {
			e.readVar("context")
		}
	}
	if in.JSON {
		var words []argWord
		for _, a := range in.JSONArgs {
			words = append(words, argWord{a.Value, true})
		}
		if len(words) == 0 {
			e.Reads.All, e.Writes.All = true, true
			return e
		}
		name := path.Base(words[0].v)
		if name == "sh" || name == "bash" {
			e.Reads.All, e.Writes.All = true, true // exec form hides a script dockslim does not parse
			return e
		}
		e.Merge(m.commandEffects(in, &command{name: name, args: words[1:]}, wd))
		return e
	}
	for _, it := range m.runItems(in) {
		e.Merge(it.effects)
	}
	return e
}

// runItem is one command or redirection of a RUN, with its effects.
type runItem struct {
	off     int
	cmd     *shellcmd.Command // nil for a redirection
	cwd     string
	effects Effects
}

// runItems lists the RUN's commands and redirections in source order with
// their effects, following cd. A script that does not parse is one item
// that reads and writes anything.
func (m *stageModel) runItems(in *parser.Instruction) []runItem {
	if items, ok := m.items[in]; ok {
		return items
	}
	items := slices.Clip(m.computeRunItems(in))
	m.items[in] = items
	return items
}

func (m *stageModel) computeRunItems(in *parser.Instruction) []runItem {
	wd := m.wd[in]
	scripts := append([]*parser.Script{in.Script}, in.HeredocScripts...)
	for _, s := range scripts {
		if s == nil || s.Err != nil {
			return []runItem{{off: in.Start, effects: Effects{Reads: Paths{All: true}, Writes: Paths{All: true}}}}
		}
	}
	var items []runItem
	seen := map[*parser.Script]bool{}
	cmds := shellcmd.All(in)
	for _, c := range cmds {
		items = append(items, runItem{off: c.Script.Offset(c.Call.Pos()), cmd: c})
		if !seen[c.Script] {
			seen[c.Script] = true
			scripts = append(scripts, c.Script)
		}
	}
	done := map[*parser.Script]bool{}
	for _, s := range scripts {
		if done[s] {
			continue
		}
		done[s] = true
		syntax.Walk(s.File, func(n syntax.Node) bool {
			if rd, ok := n.(*syntax.Redirect); ok {
				items = append(items, runItem{off: s.Offset(rd.Pos()), effects: m.redirectEffects(rd)})
			}
			return true
		})
	}
	slices.SortStableFunc(items, func(a, b runItem) int { return a.off - b.off })
	// Follow cd: a top-level `cd /abs` moves the commands after it; any
	// other cd makes the folder unknown from there on.
	cwd := wd
	for i := range items {
		it := &items[i]
		it.cwd = cwd
		if it.cmd == nil {
			it.effects = m.resolveRedirect(it.effects, cwd)
			continue
		}
		if it.cmd.Name == "cd" || it.cmd.Name == "pushd" || it.cmd.Name == "popd" {
			next := ""
			if t, ok := it.cmd.Arg(1); ok && it.cmd.Name == "cd" && len(it.cmd.Args) == 2 && !it.cmd.Nested && !it.cmd.InSubst && !it.cmd.Quoted && !strings.HasPrefix(t, "-") && !strings.HasPrefix(t, "~") {
				next = resolve(cwd, t)
			}
			cwd = next
			continue
		}
		it.effects = m.commandEffects(in, fromShell(it.cmd), cwd)
	}
	return items
}

// redirect effects are computed in two steps: the path is read first, then
// resolved against the folder the redirection runs in.
func (m *stageModel) redirectEffects(rd *syntax.Redirect) Effects {
	var e Effects
	if rd.Op == syntax.Hdoc || rd.Op == syntax.DashHdoc || rd.Op == syntax.WordHdoc || rd.Op == syntax.DplIn || rd.Op == syntax.DplOut {
		return e
	}
	p, ok := shellcmd.WordLit(rd.Word)
	if !ok {
		e.Reads.All, e.Writes.All = true, true
		return e
	}
	if p == "/dev/null" || p == "/dev/stdout" || p == "/dev/stderr" || p == "-" {
		return e
	}
	switch rd.Op {
	case syntax.RdrIn:
		e.Reads.List = []string{"\x00" + p}
	default:
		e.Writes.List = []string{"\x00" + p}
	}
	return e
}

func (m *stageModel) resolveRedirect(e Effects, cwd string) Effects {
	fix := func(p *Paths) {
		for i, x := range p.List {
			if raw, ok := strings.CutPrefix(x, "\x00"); ok {
				r := resolve(cwd, raw)
				if r == "" {
					p.All = true
				}
				p.List[i] = r
			}
		}
		p.List = slices.DeleteFunc(p.List, func(s string) bool { return s == "" })
	}
	fix(&e.Reads)
	fix(&e.Writes)
	return e
}
