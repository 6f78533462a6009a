package stagestate

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// baseCommands are the commands official images install outside dpkg
// (under /usr/local), by image and name prefix: no purge takes them, even
// when a Debian package of the same name goes (python3-dev pulls Debian's
// python3 into a python image).
var baseCommands = map[string][]string{
	"python": {"python", "pip", "pydoc", "idle", "2to3", "wheel"},
	"pypy":   {"pypy", "pip"},
	"node":   {"node", "npm", "npx", "corepack", "yarn"},
	"golang": {"go", "gofmt"},
	"ruby":   {"ruby", "gem", "bundle", "irb", "rake", "erb"},
	"rust":   {"cargo", "rustc", "rustup", "rustdoc"},
}

// compilerPkgs are the toolchain packages a source build needs.
var compilerPkgs = []string{"gcc", "gcc-12", "g++", "g++-12", "cpp", "cpp-12", "clang", "gfortran",
	"make", "build-essential", "libc6-dev", "binutils"}

// builders are the commands that may compile native code, by name, with
// the verbs that do (none: any use): pip builds the projects that ship no
// wheel, npm runs node-gyp, bundler compiles gems.
var builders = map[string][]string{
	"pip": {"install", "wheel"}, "pip3": {"install", "wheel"}, "npm": {"install", "ci", "i", "rebuild"},
	"yarn": nil, "pnpm": {"install", "i", "add", "rebuild"}, "gem": {"install"}, "bundle": {"install"},
	"cargo": {"build", "install"}, "go": {"build", "install"}, "node-gyp": nil, "maturin": nil,
	"gcc": nil, "cc": nil, "g++": nil, "c++": nil, "make": nil, "cmake": nil, "ninja": nil, "meson": nil,
	"configure": nil, "pecl": {"install"}, "docker-php-ext-install": nil,
}

// Compiles reports whether a call may build native code from source: a
// compiler or build system, or a package manager that compiles what ships
// no binary (pip install, npm install, gem install, python setup.py).
func Compiles(c *shellcmd.Call) bool {
	name := strings.TrimPrefix(c.Name, "./")
	if shellcmd.IsPip(name) {
		name = "pip"
	}
	if strings.HasPrefix(name, "python") {
		return slices.Contains(c.Lits, "setup.py")
	}
	verbs, ok := builders[name]
	if !ok || onlyAsks(c) {
		return false
	}
	if verbs == nil {
		return true
	}
	for i, a := range c.Lits[1:] {
		if c.Lit[i+1] && !strings.HasPrefix(a, "-") {
			return slices.Contains(verbs, a)
		}
	}
	return name == "yarn" || name == "bundle"
}

// onlyAsks reports a command that only prints its version or help.
func onlyAsks(c *shellcmd.Call) bool {
	for _, a := range c.Lits[1:] {
		if a != "--version" && a != "-v" && a != "-V" && a != "--help" && a != "version" {
			return false
		}
	}
	return len(c.Lits) > 1
}

// binDirs are where dpkg puts commands.
var binDirs = []string{"/usr/bin", "/bin", "/usr/sbin", "/sbin"}

// laterNeeds says what, after offset at of in, needs a package of lost: a
// command it ships that a later command runs (in the RUN, the stage's
// later RUN, CMD, ENTRYPOINT and HEALTHCHECK, and the stages built FROM
// it), unless an apt install by name brings it back first; or a script
// or command dockslim cannot read. "" when nothing does.
func (m *Model) laterNeeds(in *parser.Instruction, at int, lost []string) string {
	gone := map[string]string{} // command → the package that ships it
	for _, p := range lost {
		info, _ := images.DebInfo(p)
		for _, c := range info.Commands {
			if _, ok := gone[c]; !ok {
				gone[c] = p
			}
		}
	}
	own := ownCommands(in.Stage)
	compiler := ""
	for _, p := range lost {
		if slices.Contains(compilerPkgs, p) && compiler == "" {
			compiler = p
		}
	}
	for _, x := range laterInstructions(m.f, in) {
		if x.Sub != "" {
			return fmt.Sprintf("line %d is an ONBUILD instruction, which runs in images dockslim does not see", x.StartLine)
		}
		for _, c := range shellcmd.Calls(x) {
			if x == in && c.Start() < at {
				continue
			}
			line, _ := m.f.Position(c.Start())
			if why := needs(c, line, gone, own); why != "" {
				return why
			}
			if compiler != "" && Compiles(c) {
				return fmt.Sprintf("`%s` at line %d may compile, which needs %s", cmdWords(c), line, compiler)
			}
			restore(c, gone)
		}
		if x.Is("healthcheck") {
			if why := healthcheckNeeds(x, gone, own); why != "" {
				return why
			}
		}
	}
	return ""
}

// laterInstructions are in, the instructions after it in its stage, and
// those of the stages built FROM it.
func laterInstructions(f *parser.File, in *parser.Instruction) []*parser.Instruction {
	var out []*parser.Instruction
	var visit func(st *parser.Stage, after int)
	visit = func(st *parser.Stage, after int) {
		for _, x := range st.Instructions {
			if x.Index >= after && x.Keyword != "from" {
				out = append(out, x)
			}
		}
		for _, child := range f.Stages {
			if child.Base.StageRef == st {
				visit(child, -1)
			}
		}
	}
	visit(in.Stage, in.Index)
	return out
}

// ownCommands are the name prefixes of the commands the stage's root
// image installs itself.
func ownCommands(st *parser.Stage) []string {
	for st.Base.StageRef != nil {
		st = st.Base.StageRef
	}
	im, _ := images.Normalize(st.Base.Repository)
	return baseCommands[im]
}

// needs says why the call c (at line) needs a command of gone, or runs
// something dockslim cannot read.
func needs(c *shellcmd.Call, line int, gone map[string]string, own []string) string {
	if len(c.Lit) == 0 || !c.Lit[0] {
		return fmt.Sprintf("line %d runs a command named by a variable, which may be one --auto-remove takes", line)
	}
	argv0 := c.Lits[0]
	if strings.Contains(argv0, "/") && !slices.Contains(binDirs, path.Dir(argv0)) {
		if strings.HasSuffix(argv0, ".sh") {
			return fmt.Sprintf("line %d runs the script %s, which dockslim does not read and which may need what --auto-remove takes", line, argv0)
		}
		return "" // a program of the project or of /usr/local: not dpkg's
	}
	name := c.Name
	if shells := []string{"sh", "bash", "dash", "zsh"}; slices.Contains(shells, name) {
		for i := 1; i < len(c.Lits); i++ {
			if !strings.HasPrefix(c.Lits[i], "-") {
				return fmt.Sprintf("line %d runs the script %s, which dockslim does not read and which may need what --auto-remove takes", line, c.Lits[i])
			}
			if c.Lits[i] == "-c" {
				break // the string's commands are calls of their own
			}
		}
	}
	pkg, ok := gone[name]
	if !ok || slices.ContainsFunc(own, func(p string) bool { return strings.HasPrefix(name, p) }) {
		return ""
	}
	return fmt.Sprintf("`%s` at line %d comes from %s, which --auto-remove takes", name, line, pkg)
}

// cmdWords is a call's first two words, for messages.
func cmdWords(c *shellcmd.Call) string {
	if len(c.Lits) > 1 && c.Lit[1] {
		return c.Name + " " + c.Lits[1]
	}
	return c.Name
}

// restore forgets the commands a later apt install by name brings back.
func restore(c *shellcmd.Call, gone map[string]string) {
	if shellcmd.ToolOf(c.Name) != shellcmd.Apt {
		return
	}
	inv := c.Invoke(shellcmd.Apt)
	if inv.Verb != "install" {
		return
	}
	var pkgs []string
	for _, v := range inv.OperandValues() {
		pkgs = append(pkgs, PackageName(v))
	}
	back, _ := images.DebClosure(pkgs, false)
	for _, p := range back {
		info, _ := images.DebInfo(p)
		for _, cmd := range info.Commands {
			delete(gone, cmd)
		}
	}
}

// healthcheckNeeds checks the command of a HEALTHCHECK CMD.
func healthcheckNeeds(x *parser.Instruction, gone map[string]string, own []string) string {
	args := x.Args()
	for i, a := range args {
		if strings.EqualFold(a, "cmd") && i+1 < len(args) {
			first := strings.Trim(strings.TrimPrefix(args[i+1], "["), `",`)
			c := &shellcmd.Call{Name: path.Base(first), Lits: []string{first}, Lit: []bool{true}}
			return needs(c, x.StartLine, gone, own)
		}
	}
	return ""
}

// BuildInstall is what a RUN installs to build: the build-only packages
// (compilers, build tools, -dev packages) it installs by name and still
// has when it ends (not purged, not marked auto, not there before), the
// first install that names one, and the first command after it that
// compiles (Build), else the first one of a later RUN of the stage
// (Later).
type BuildInstall struct {
	First    Install
	Packages []string
	Build    *shellcmd.Call
	Later    *shellcmd.Call
}

// BuildInstall reads a RUN; no packages when an install or an apt-mark
// cannot be read (variables, an sh -c string, exec form).
func (m *Model) BuildInstall(r *Run) BuildInstall {
	var bi BuildInstall
	for _, mk := range r.Marks {
		if mk.Unknown > 0 {
			return bi // $savedAptMark
		}
	}
	for _, ins := range r.Installs {
		if ins.Cmd == nil || ins.Opaque || ins.Unknown > 0 || !shellcmd.IsApt(ins.Cmd.Name) {
			return BuildInstall{}
		}
		for _, p := range ins.Packages {
			if !images.BuildOnly(p) || slices.Contains(bi.Packages, p) || r.Before.Has(p) || !r.After.Has(p) {
				continue
			}
			if len(bi.Packages) == 0 {
				bi.First = ins
			}
			bi.Packages = append(bi.Packages, p)
		}
	}
	if len(bi.Packages) == 0 {
		return bi
	}
	bi.Build = buildsFrom(r.In, bi.First.Start)
	if bi.Build == nil {
		ins := r.In.Stage.Instructions
		for _, x := range ins[slices.Index(ins, r.In)+1:] {
			if x.Is("run") && x.Sub == "" && bi.Later == nil {
				bi.Later = buildsFrom(x, -1)
			}
		}
	}
	return bi
}

// buildsFrom is the first command of in after offset at that compiles.
func buildsFrom(in *parser.Instruction, at int) *shellcmd.Call {
	for _, c := range shellcmd.Calls(in) {
		if c.Start() > at && Compiles(c) {
			return c
		}
	}
	return nil
}
