package layerorder

// Dependency analysis: what each instruction of a stage reads and writes,
// so that instructions can be reordered without changing the image.
//
// The analysis is conservative. A path dockslim cannot resolve, a command it
// does not know, or a script from the build context makes the instruction
// read or write "anything", and such an instruction never moves past one
// that touches the file system.

import (
	"path"
	"slices"
	"strconv"
	"strings"

	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"

	"github.com/dockslim/dockslim/internal/strset"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/shellcmd"
)

// Paths is a set of file-system locations; a path stands for itself and
// everything below it. Paths are absolute ("/app/x") or below a working
// folder dockslim does not know ("$W0/x": the WORKDIR a base image sets).
// All means any location.
type Paths struct {
	List []string
	All  bool
}

// Add adds paths; "" (an unresolvable path) makes the set All.
func (p *Paths) Add(ps ...string) {
	for _, x := range ps {
		if x == "" {
			p.All = true
			continue
		}
		if !slices.Contains(p.List, x) {
			p.List = append(p.List, x)
		}
	}
}

// Merge adds every path of q.
func (p *Paths) Merge(q Paths) {
	p.All = p.All || q.All
	p.Add(q.List...)
}

// Empty reports whether the set names no location.
func (p Paths) Empty() bool { return !p.All && len(p.List) == 0 }

// Overlaps reports whether a location may be in both sets.
func (p Paths) Overlaps(q Paths) bool {
	if p.Empty() || q.Empty() {
		return false
	}
	if p.All || q.All {
		return true
	}
	for _, a := range p.List {
		for _, b := range q.List {
			if overlapPath(a, b) {
				return true
			}
		}
	}
	return false
}

// Within returns the paths of p at or below dir, and whether p may hold
// others there that it cannot name (All).
func (p Paths) Within(dir string) (in []string, unknown bool) {
	if p.All {
		return nil, true
	}
	for _, a := range p.List {
		switch {
		case within(a, dir):
			in = append(in, a)
		case within(dir, a) || rootOf(a) != rootOf(dir):
			return in, true // reads dir as a whole, or an unrelated root
		}
	}
	return in, false
}

func rootOf(p string) string {
	if strings.HasPrefix(p, "$") {
		if i := strings.IndexByte(p, '/'); i >= 0 {
			return p[:i]
		}
		return p
	}
	return ""
}

// within reports whether p is dir or below it (same root). A "*" segment
// in either path matches any one segment ("/home/*/.cache").
func within(p, dir string) bool {
	if rootOf(p) != rootOf(dir) {
		return false
	}
	if dir == "/" || p == dir {
		return true
	}
	// Compare segment by segment without splitting (this runs for every
	// pair of paths the passes compare): every segment of dir must match
	// the segment of p at the same depth.
	d := strings.TrimSuffix(dir, "/")
	for {
		dseg, drest, dmore := strings.Cut(d, "/")
		pseg, prest, pmore := strings.Cut(p, "/")
		if dseg != pseg && dseg != "*" && pseg != "*" {
			return false
		}
		if !dmore {
			return true
		}
		if !pmore {
			return false // dir is deeper than p
		}
		d, p = drest, prest
	}
}

func overlapPath(a, b string) bool {
	if rootOf(a) != rootOf(b) {
		return true // unrelated roots: dockslim cannot tell
	}
	return within(a, b) || within(b, a)
}

// resolve turns p into a location, relative to cwd; "" when it cannot
// (unknown cwd, or a relative path that climbs out of a symbolic root).
func resolve(cwd, p string) string {
	if strings.HasPrefix(p, "~") {
		return "" // depends on the user's home; callers add homeDirs
	}
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	if cwd == "" {
		return ""
	}
	out := path.Join(cwd, p)
	if rootOf(out) != rootOf(cwd) || (rootOf(cwd) != "" && !strings.HasPrefix(out, rootOf(cwd))) {
		return ""
	}
	return out
}

// Effects is what an instruction reads and writes: file-system locations,
// and build state (variables named "workdir", "user", "shell", "env:NAME",
// "env:*" for every variable, "meta:KIND" for image metadata). A barrier
// never changes places with anything.
type Effects struct {
	Reads, Writes       Paths
	ReadVars, WriteVars []string
	Barrier             bool
}

func (e *Effects) readVar(v ...string)  { e.ReadVars = appendNew(e.ReadVars, v...) }
func (e *Effects) writeVar(v ...string) { e.WriteVars = appendNew(e.WriteVars, v...) }

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// Merge adds o's effects to e.
func (e *Effects) Merge(o Effects) {
	e.Reads.Merge(o.Reads)
	e.Writes.Merge(o.Writes)
	e.readVar(o.ReadVars...)
	e.writeVar(o.WriteVars...)
	e.Barrier = e.Barrier || o.Barrier
}

func varsOverlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y || x == "env:*" && strings.HasPrefix(y, "env:") || y == "env:*" && strings.HasPrefix(x, "env:") {
				return true
			}
		}
	}
	return false
}

// Commute reports whether two instructions can run in either order with
// the same result: neither writes what the other reads or writes.
func Commute(a, b Effects) bool {
	if a.Barrier || b.Barrier {
		return false
	}
	if varsOverlap(a.WriteVars, b.ReadVars) || varsOverlap(b.WriteVars, a.ReadVars) || varsOverlap(a.WriteVars, b.WriteVars) {
		return false
	}
	return !a.Writes.Overlaps(b.Reads) && !b.Writes.Overlaps(a.Reads) && !a.Writes.Overlaps(b.Writes)
}

// Conflict explains why two instructions do not commute ("" when they do).
func Conflict(a, b Effects) string {
	switch {
	case a.Barrier || b.Barrier:
		return "VOLUME or another barrier between them"
	case varsOverlap(a.WriteVars, b.ReadVars) || varsOverlap(b.WriteVars, a.ReadVars) || varsOverlap(a.WriteVars, b.WriteVars):
		return "it depends on the build state (WORKDIR, ENV, ARG, USER or SHELL) the other sets"
	case a.Writes.Overlaps(b.Reads) || b.Writes.Overlaps(a.Reads):
		return "it reads files the other writes"
	case a.Writes.Overlaps(b.Writes):
		return "both write the same files"
	}
	return ""
}

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
	st, limit := in.Stage, in.Index
	for st != nil {
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			p := st.Instructions[i]
			if p.Index >= limit {
				continue
			}
			for _, kv := range p.EnvPairs() {
				if kv[0] == name {
					if strings.Contains(kv[1], "$") {
						return "", false
					}
					return kv[1], true
				}
			}
			if names, _ := p.ArgDefs(); slices.Contains(names, name) {
				return "", false
			}
		}
		st, limit = st.Base.StageRef, len(m.f.Instructions)
	}
	return "", false
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
	if p, ok := m.envValue(in, "PATH"); ok {
		for _, e := range strings.Split(p, ":") {
			if d, ok := strings.CutSuffix(path.Clean(e), "/bin"); ok && d != "" && d != "/usr" && d != "/usr/local" && d != "/" {
				out = append(out, resolve(cwd, d))
			}
		}
	} else if m.declared(in, "PATH") {
		out = append(out, "")
	}
	return out
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

// command is a simple command reduced to literal words.
type command struct {
	name string
	args []argWord // after the command name
	sh   *shellcmd.Command
}

type argWord struct {
	v  string
	ok bool // literal
}

func fromShell(c *shellcmd.Command) *command {
	cmd := &command{name: c.Name, sh: c}
	for i := 1; i < len(c.Args); i++ {
		v, ok := c.Arg(i)
		cmd.args = append(cmd.args, argWord{v, ok})
	}
	return cmd
}

// positional returns the literal arguments that are not options; values of
// options listed in valueOpts are skipped. ok is false when a word is not literal.
func (c *command) positional(valueOpts strset.Set) (out []string, ok bool) {
	ok = true
	for i := 0; i < len(c.args); i++ {
		a := c.args[i]
		if !a.ok {
			ok = false
			continue
		}
		if a.v == "--" {
			for _, b := range c.args[i+1:] {
				out = append(out, b.v)
				ok = ok && b.ok
			}
			return out, ok
		}
		if strings.HasPrefix(a.v, "-") && a.v != "-" {
			if valueOpts.Has(a.v) {
				i++
			}
			continue
		}
		out = append(out, a.v)
	}
	return out, ok
}

// optValues returns the values of the options named (as "-o" "x", "-ox",
// "--opt=x" or "--opt" "x").
func (c *command) optValues(names ...string) []string {
	var out []string
	for i := 0; i < len(c.args); i++ {
		a := c.args[i].v
		for _, n := range names {
			switch {
			case a == n && i+1 < len(c.args):
				out = append(out, c.args[i+1].v)
			case strings.HasPrefix(n, "--") && strings.HasPrefix(a, n+"="):
				out = append(out, a[len(n)+1:])
			case !strings.HasPrefix(n, "--") && len(n) == 2 && strings.HasPrefix(a, n) && len(a) > 2 && !strings.HasPrefix(a, "--"):
				out = append(out, a[2:])
			}
		}
	}
	return out
}

// has reports whether one of the options is present.
func (c *command) has(names ...string) bool {
	for _, a := range c.args {
		for _, n := range names {
			if a.v == n || strings.HasPrefix(n, "--") && strings.HasPrefix(a.v, n+"=") {
				return true
			}
		}
	}
	return false
}

// looksLikePath reports whether a package-manager argument names a file
// rather than a package: ./x, /x, x/y (not a URL), *.deb, ....
func looksLikePath(a string) bool {
	if strings.Contains(a, "://") || strings.HasPrefix(a, "git+") || strings.HasPrefix(a, "git@") {
		return false
	}
	if a == "." || a == ".." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "../") || strings.HasPrefix(a, "/") || strings.HasPrefix(a, "~") {
		return true
	}
	for _, ext := range []string{".deb", ".rpm", ".apk", ".whl", ".tar.gz", ".tgz", ".zip", ".gem", ".txt", ".jar"} {
		if strings.HasSuffix(a, ext) {
			return true
		}
	}
	return false
}

// Command classes.
var (
	inertCmds = strset.Set{"echo", "printf", "true", "false", ":", "sleep", "exit", "set", "unset", "export",
		"shift", "return", "wait", "trap", "ulimit", "umask", "whoami", "id", "date", "uname", "nproc",
		"arch", "hostname", "which", "type", "hash", "readonly", "local", "declare", "[", "test", "[["}
	osPkgCmds = strset.Set{"apt-get", "apt", "aptitude", "apk", "yum", "dnf", "microdnf", "zypper", "tdnf",
		"pacman", "rpm", "dpkg", "dpkg-reconfigure", "debconf-set-selections", "update-ca-certificates",
		"ldconfig", "locale-gen", "localedef", "update-locale", "update-alternatives", "apt-key",
		"add-apt-repository", "apt-mark", "install-php-extensions", "docker-php-ext-install",
		"docker-php-ext-enable", "docker-php-ext-configure", "docker-php-source", "pecl"}
	userCmds = strset.Set{"useradd", "adduser", "groupadd", "addgroup", "usermod", "groupmod", "userdel",
		"deluser", "delgroup", "chpasswd", "passwd"}
	readPathCmds  = strset.Set{"cat", "ls", "head", "tail", "wc", "sha256sum", "sha1sum", "md5sum", "sha512sum", "file", "stat", "source", ".", "du", "diff", "cmp", "readlink", "realpath"}
	writePathCmds = strset.Set{"mkdir", "touch", "rm", "rmdir", "ln", "mkfifo", "truncate", "shred"}
)

// commandEffects is what one simple command reads and writes when it runs
// in folder cwd ("" when unknown).
func (m *stageModel) commandEffects(in *parser.Instruction, c *command, cwd string) Effects {
	var e Effects
	all := func() Effects {
		e.Reads.All, e.Writes.All = true, true
		return e
	}
	res := func(p string) string { return resolve(cwd, p) }
	paths := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			if strings.HasPrefix(p, "~") {
				out = append(out, homeDirs...)
				continue
			}
			out = append(out, res(p))
		}
		return out
	}
	if c.name == "" {
		return all()
	}
	if ins := describe(c, cwd); ins != nil {
		return m.toolEffects(in, ins, cwd)
	}
	switch {
	case inertCmds.Has(c.name):
		if c.name == "test" || c.name == "[" || c.name == "[[" {
			pos, ok := c.positional(nil)
			if !ok {
				return all()
			}
			for _, p := range pos {
				if p != "]" && p != "]]" && p != "=" && p != "!=" && p != "!" {
					e.Reads.Add(paths([]string{p})...)
				}
			}
		}
		return e
	case osPkgCmds.Has(c.name):
		e.Reads.Add(osSystem...)
		e.Writes.Add(osSystem...)
		pos, _ := c.positional(strset.Set{"-o", "-c", "-t", "-X", "--repository", "--root", "-p"})
		for _, p := range pos {
			if looksLikePath(p) {
				e.Reads.Add(paths([]string{p})...)
			}
		}
		return e
	case userCmds.Has(c.name):
		e.Reads.Add(userFiles...)
		e.Writes.Add(userFiles...)
		for _, a := range c.args {
			if !a.ok {
				continue
			}
			if strings.HasPrefix(a.v, "/") {
				e.Writes.Add(path.Clean(a.v))
			}
		}
		return e
	case readPathCmds.Has(c.name):
		pos, ok := c.positional(strset.Set{"-n", "-c"})
		if !ok {
			return all()
		}
		e.Reads.Add(paths(pos)...)
		if c.name == "source" || c.name == "." {
			return all() // runs a script
		}
		return e
	case writePathCmds.Has(c.name):
		pos, ok := c.positional(strset.Set{"-m", "--mode"})
		if !ok {
			return all()
		}
		e.Reads.Add(paths(pos)...)
		e.Writes.Add(paths(pos)...)
		return e
	}
	switch c.name {
	case "chmod", "chown", "chgrp":
		pos, ok := c.positional(strset.Set{"--reference"})
		if !ok || len(pos) < 2 {
			return all()
		}
		e.Reads.Add(paths(pos[1:])...)
		e.Writes.Add(paths(pos[1:])...)
		if c.name != "chmod" {
			e.Reads.Add("/etc/passwd", "/etc/group")
		}
	case "cp", "mv", "install":
		pos, ok := c.positional(strset.Set{"-t", "--target-directory", "-m", "-o", "-g", "-S"})
		if !ok || len(pos) == 0 {
			return all()
		}
		if t := c.optValues("-t", "--target-directory"); len(t) > 0 {
			pos = append(pos, t...)
		}
		e.Reads.Add(paths(pos)...)
		if c.name == "mv" {
			e.Writes.Add(paths(pos)...)
		} else {
			e.Writes.Add(paths(pos[len(pos)-1:])...)
			if c.has("-d") && c.name == "install" {
				e.Writes.Add(paths(pos)...)
			}
		}
	case "tar", "unzip", "gunzip", "gzip", "bunzip2", "xz", "unxz", "zstd", "7z":
		// Archive tools read and write the named files and, unless told
		// where (-C, -d), the folder they run in.
		pos, ok := c.positional(strset.Set{"-C", "-d", "-f", "--directory", "--file", "-x", "-X", "--exclude"})
		if !ok {
			return all()
		}
		if c.name == "tar" && len(pos) > 0 && c.args[0].v == pos[0] {
			pos = pos[1:] // `tar xzf file`: old-style flags as the first word
		}
		targets := append(c.optValues("-C", "--directory", "-d", "-f", "--file"), pos...)
		if len(c.optValues("-C", "--directory", "-d")) == 0 {
			targets = append(targets, ".")
		}
		e.Reads.Add(paths(targets)...)
		e.Writes.Add(paths(targets)...)
	case "curl":
		if c.has("-T", "--upload-file", "-K", "--config", "-d", "--data", "--data-binary", "-F", "--form") {
			return all()
		}
		e.Writes.Add(paths(c.optValues("-o", "--output"))...)
		if c.has("-O", "--remote-name", "--remote-name-all") || hasShortFlag(c, 'O') {
			e.Writes.Add(res("."))
		}
		e.Reads.Add("/etc/ssl", "/etc/ca-certificates", "/usr/share/ca-certificates", "/etc/hosts", "/etc/resolv.conf")
	case "wget":
		outs := c.optValues("-O", "--output-document")
		switch {
		case len(outs) > 0:
			for _, o := range outs {
				if o != "-" {
					e.Writes.Add(paths([]string{o})...)
				}
			}
		case hasShortFlagValue(c, 'O', "-"):
		default:
			dirs := c.optValues("-P", "--directory-prefix")
			if len(dirs) == 0 {
				dirs = []string{"."}
			}
			e.Writes.Add(paths(dirs)...)
		}
		e.Reads.Add("/etc/ssl", "/etc/ca-certificates", "/usr/share/ca-certificates", "/etc/hosts", "/etc/resolv.conf")
	case "git":
		// git clone URL DIR writes DIR (or a folder in cwd); other git
		// commands read the repository in cwd.
		e.Reads.Add(res("."))
		e.Writes.Add(res("."))
		pos, ok := c.positional(strset.Set{"-C", "-c", "--depth", "-b", "--branch", "--config"})
		if !ok {
			return all()
		}
		e.Writes.Add(paths(c.optValues("-C"))...)
		if len(pos) >= 3 && pos[0] == "clone" {
			e.Writes.Add(paths(pos[2:3])...)
		}
		e.Reads.Add(homeDirs...)
	default:
		// Unknown commands may read anything, the build context included.
		return all()
	}
	return e
}

// hasShortFlag reports a combined short-option word like -fsSLO.
func hasShortFlag(c *command, f byte) bool {
	for _, a := range c.args {
		if a.ok && len(a.v) > 1 && a.v[0] == '-' && a.v[1] != '-' && strings.IndexByte(a.v, f) > 0 {
			return true
		}
	}
	return false
}

// hasShortFlagValue reports -qO- style words: flag f followed by value v.
func hasShortFlagValue(c *command, f byte, v string) bool {
	for _, a := range c.args {
		if a.ok && len(a.v) > 1 && a.v[0] == '-' && a.v[1] != '-' {
			if i := strings.IndexByte(a.v, f); i > 0 && a.v[i+1:] == v {
				return true
			}
		}
	}
	return false
}

// toolEffects are the effects of a language tool's command described by
// the ecosystem table: its files in cwd, its outputs, and the system and
// tool folders it installs into.
func (m *stageModel) toolEffects(in *parser.Instruction, t *toolRun, cwd string) Effects {
	var e Effects
	if t.unknown {
		e.Reads.All, e.Writes.All = true, true
		return e
	}
	e.Reads.Add(langSystem...)
	e.Writes.Add(langSystem...)
	e.Reads.Add("/etc")
	if t.project {
		dirs := m.toolDirs(in, cwd)
		e.Writes.Add(dirs...)
		e.Reads.Add(dirs...)
	}
	if t.tree || t.kind == kindProject {
		e.Reads.Add(resolve(cwd, "."))
		e.Writes.Add(resolve(cwd, "."))
		if t.runsScripts || t.kind == kindProject {
			e.Writes.All = true
		}
		return e
	}
	for _, mf := range t.files {
		e.Reads.Add(resolve(cwd, mf.rel))
	}
	for _, p := range t.reads {
		e.Reads.Add(resolve(cwd, p))
	}
	for _, o := range append(append([]string(nil), t.outputs...), t.rewrites...) {
		e.Writes.Add(resolve(cwd, o))
	}
	return e
}
