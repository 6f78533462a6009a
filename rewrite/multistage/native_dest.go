package multistage

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/makefile"
	"github.com/dockslim/dockslim/internal/stagestate"
)

// Where a C build's install step puts files, from its command line, its
// environment and the build context (the Makefile's PREFIX, configure's
// --prefix, CMake's CMAKE_INSTALL_PREFIX), and whether it honours DESTDIR.

// installStep is an install command with the configure steps that
// decide where it puts files.
type installStep struct {
	install   *command // make install, cmake --install, cmake --build --target install
	configure *command // ./configure, the last one before the install
	cmake     *command // cmake's configure step, the last one before the install
}

// nativeBuild is the stage's last install step (the program's) and the
// install steps before it (vendored libraries).
type nativeBuild struct {
	installStep
	earlier []installStep
}

// isInstall reports whether c installs: make install, cmake --install,
// cmake --build DIR --target install.
func isInstall(c command) bool {
	switch {
	case c.name() == "make":
		for _, a := range c.argv[1:] {
			if a == "install" || strings.HasPrefix(a, "install-") {
				return true
			}
		}
	case c.name() == "cmake" && c.arg(1) == "--install":
		return true
	case c.name() == "cmake" && c.arg(1) == "--build":
		return hasWord(c.argv, "install") && (hasWord(c.argv, "--target") || hasWord(c.argv, "-t"))
	}
	return false
}

// cmakeKind reports whether the install is CMake's (cmake --install, or
// make in a build folder cmake configured).
func (b *installStep) cmakeKind() bool {
	return b.install.name() == "cmake" || b.cmake != nil && b.configure == nil
}

// installFacts are what dockslim knows of where the install step puts files.
type installFacts struct {
	destdir    string // the DESTDIR the install runs with ("" none)
	prefix     string // the prefix ("" unknown)
	prefixFrom string // where the prefix comes from, for messages
	prefixWhy  string // why the prefix is not known, or not all the install writes
	// writes is what a hand-written Makefile's install recipe writes
	// (nil when dockslim did not read one).
	writes     *installWrites
	destdirOK  bool   // the install honours DESTDIR
	destdirWhy string // why not, or why dockslim cannot tell
	// noLibs is set when the install puts no shared library in place (a
	// Makefile's recipe, a CMake project that builds none).
	noLibs bool
}

// installFacts gathers the facts for the stage's install step.
func (si *stageInfo) installFacts(b *installStep) installFacts {
	switch {
	case b.cmakeKind():
		return si.cmakeFacts(b)
	case b.configure != nil:
		return si.autotoolsFacts(b)
	}
	return si.makeFacts(b)
}

// makeFacts reads a hand-written Makefile: the command line's PREFIX,
// prefix and DESTDIR win over its assignments, the environment over ?=.
func (si *stageInfo) makeFacts(b *installStep) installFacts {
	c := b.install
	cl := map[string]string{}
	for _, a := range c.argv[1:] {
		if k, v, ok := strings.Cut(a, "="); ok && !strings.HasPrefix(k, "-") {
			cl[k] = v
		}
	}
	envDestdir, _ := si.env(c.in, c, "DESTDIR")
	fa := installFacts{destdir: firstNonEmpty(cl["DESTDIR"], envDestdir), prefix: firstNonEmpty(cl["PREFIX"], cl["prefix"]),
		prefixFrom: "the make command line"}
	mf, where, why := si.readMakefile(*c)
	if mf == nil {
		fa.destdirWhy = why
		if fa.prefix == "" {
			fa.prefixWhy = "make install has no PREFIX, prefix or DESTDIR on its command line"
		}
		return fa
	}
	env := makefile.Env{CommandLine: cl, Environ: map[string]string{}}
	for _, n := range append(mf.Names(), "DESTDIR", "PREFIX", "prefix") {
		if v, ok := si.env(c.in, c, n); ok {
			env.Environ[n] = v
		}
	}
	vars := mf.Vars(env)
	fa.destdir, _ = vars.Value("DESTDIR")
	fa.prefix, fa.prefixFrom, fa.prefixWhy = makePrefix(mf, vars, where)
	marked := map[string]string{"DESTDIR": destdirMarker}
	for k, v := range cl {
		if k != "DESTDIR" {
			marked[k] = v
		}
	}
	w, err := installTargetsWrites(mf, mf.Vars(makefile.Env{CommandLine: marked, Environ: env.Environ}), *c)
	if err != nil {
		fa.prefixWhy = err.Error()
		fa.destdirWhy = err.Error()
		return fa
	}
	fa.writes, fa.noLibs = &w, !w.libs
	fa.destdirOK = true
	if x := w.noDestdir(); x != nil {
		fa.destdirOK, fa.destdirWhy = false, fmt.Sprintf("%s writes %s without $(DESTDIR)", x.where, x.path)
	}
	if x := w.outside(fa.prefix, true); fa.prefix != "" && x != nil {
		fa.prefixWhy = fmt.Sprintf("%s writes %s, outside the prefix %s", x.where, strings.TrimPrefix(x.path, destdirMarker), fa.prefix)
	}
	return fa
}

// makePrefix is the Makefile's install prefix: the one of PREFIX and
// prefix it assigns (else the one the command line or environment sets).
func makePrefix(mf *makefile.File, vars *makefile.Vars, where string) (prefix, from, why string) {
	names := []string{"PREFIX", "prefix"}
	if assigned := mf.Names(); !slices.Contains(assigned, "PREFIX") && slices.Contains(assigned, "prefix") {
		names = []string{"prefix", "PREFIX"}
	}
	for _, n := range names {
		if !vars.Defined(n) {
			continue
		}
		v, err := vars.Value(n)
		if err != nil {
			return "", "", err.Error()
		}
		return v, n + " in " + vars.Origin(n), ""
	}
	return "", "", where + " sets neither PREFIX nor prefix"
}

// installTargetsWrites reads the install targets make is asked for.
func installTargetsWrites(mf *makefile.File, vars *makefile.Vars, c command) (installWrites, error) {
	var all installWrites
	for _, t := range c.positional([]string{"-C", "-f", "--file", "--makefile", "-j", "--jobs", "-l", "-o", "-W", "-I"}) {
		if strings.Contains(t, "=") || t != "install" && !strings.HasPrefix(t, "install-") {
			continue
		}
		w, err := recipeWrites(mf, vars, t, 0)
		if err != nil {
			return all, err
		}
		all.paths = append(all.paths, w.paths...)
		all.libs = all.libs || w.libs
	}
	return all, nil
}

// readMakefile parses the Makefile make reads for c, from the build
// context; why says what is missing when there is none.
func (si *stageInfo) readMakefile(c command) (mf *makefile.File, where, why string) {
	dir, ok := si.commandDir(c)
	if !ok {
		return nil, "", fmt.Sprintf("dockslim cannot follow the folder make runs in at line %d", c.in.StartLine)
	}
	if !si.hasContext() {
		return nil, "", "without the build context dockslim cannot read the Makefile"
	}
	names := []string{"GNUmakefile", "makefile", "Makefile"}
	for i, a := range c.argv {
		if (a == "-f" || a == "--file" || a == "--makefile") && i+1 < len(c.argv) {
			names = []string{c.arg(i + 1)}
		} else if v, ok := strings.CutPrefix(a, "--file="); ok {
			names = []string{v}
		}
	}
	for _, n := range names {
		text, rel, ok := si.contextText(abs(dir, n), c.in)
		if !ok {
			continue
		}
		read := func(name string) ([]byte, bool) {
			b, _, ok := si.contextText(abs(dir, name), c.in)
			return b, ok
		}
		return makefile.Parse(rel, text, read), rel, ""
	}
	if _, fromContext := si.contextPathOf(dir, c.in); !fromContext {
		return nil, "", fmt.Sprintf("the sources in %s do not come from the build context (no COPY puts them there), where dockslim reads the Makefile", dir)
	}
	return nil, "", fmt.Sprintf("the build context has no %s that a COPY puts in %s", names[len(names)-1], dir)
}

// autotoolsFacts are configure's: --prefix, else Autoconf's default
// /usr/local when the context shows an Autoconf project; automake's
// Makefiles honour DESTDIR.
func (si *stageInfo) autotoolsFacts(b *installStep) installFacts {
	c := b.install
	fa := installFacts{prefixFrom: "configure --prefix"}
	fa.destdir = makeCommandLine(*c, "DESTDIR")
	if fa.destdir == "" {
		fa.destdir, _ = si.env(c.in, c, "DESTDIR")
	}
	for i := 1; i < len(b.configure.argv); i++ {
		a, ok := si.word(*b.configure, i)
		if !ok {
			fa.prefixWhy = fmt.Sprintf("./configure at line %d has an argument dockslim cannot expand, which may set --prefix", b.configure.in.StartLine)
		}
		if v, ok := strings.CutPrefix(a, "--prefix="); ok {
			fa.prefix = v
		}
	}
	if fa.prefixWhy != "" {
		fa.prefix = ""
	}
	if v := makeCommandLine(*c, "prefix"); v != "" {
		fa.prefix, fa.prefixFrom = v, "the make command line"
	}
	src, ok := si.configureDir(*b.configure)
	_, fromContext := si.contextPathOf(src, b.configure.in)
	where := "the build context does not show"
	if !ok || !fromContext {
		where = fmt.Sprintf("the sources in %s do not come from the build context, so dockslim cannot see", src)
	}
	file := func(n string) string {
		t, _, found := si.contextText(path.Join(src, n), b.configure.in)
		if !ok || !found {
			return ""
		}
		return string(t)
	}
	autoconf := file("configure.ac") != "" || file("configure.in") != "" || strings.Contains(file("configure"), "Generated by GNU Autoconf")
	if fa.prefixWhy != "" {
		// an argument dockslim cannot expand
	} else if fa.prefix == "" && autoconf {
		fa.prefix, fa.prefixFrom = "/usr/local", "Autoconf's default"
	} else if fa.prefix == "" {
		fa.prefixWhy = "./configure has no --prefix and " + where + " an Autoconf project (configure.ac), whose default is /usr/local"
	}
	fa.destdirOK = file("Makefile.am") != "" || strings.Contains(file("Makefile.in"), "$(DESTDIR)")
	if !fa.destdirOK {
		fa.destdirWhy = "there is no Makefile.am (nor a Makefile.in using $(DESTDIR)) that shows the install honours DESTDIR"
	}
	return fa
}

// configureDir is the folder of the configure script c runs.
func (si *stageInfo) configureDir(c command) (string, bool) {
	dir, ok := si.commandDir(c)
	return path.Dir(abs(dir, c.argv[0])), ok
}

// makeCommandLine is the value of NAME=value on make's command line.
func makeCommandLine(c command, name string) string {
	for _, a := range c.argv[1:] {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// word is argument i of c as the shell expands it (ENV, ARG and the
// RUN's own variables), when dockslim knows its value.
func (si *stageInfo) word(c command, i int) (string, bool) {
	if c.lit[i] {
		return c.argv[i], true
	}
	if c.sh == nil {
		return "", false
	}
	return stagestate.Scope{File: si.f, In: c.in}.Word(c.sh, c.sh.Args[i])
}
