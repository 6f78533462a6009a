package multistage

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockslim/dockslim/internal/makefile"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// What a hand-written Makefile's install target writes, read from its
// recipe lines: the destinations of install, cp, mkdir, ln, ... after make
// expands the variables. DESTDIR is given a marker value, so a destination
// that starts with it honours DESTDIR.

// destdirMarker stands for $(DESTDIR) while the recipe is read.
const destdirMarker = "/@DESTDIR@"

// installWrites is what an install recipe writes outside the source tree.
type installWrites struct {
	paths []writeAt // absolute destinations, DESTDIR shown as destdirMarker
	libs  bool      // it installs a shared library or runs ldconfig
}

type writeAt struct{ path, where string }

// outside returns the first write not under dir (with DESTDIR stripped
// when stripped is set), or nil.
func (w installWrites) outside(dir string, stripped bool) *writeAt {
	for i, x := range w.paths {
		p := x.path
		if stripped {
			p = strings.TrimPrefix(p, destdirMarker)
		}
		if !covers(dir, p) {
			return &w.paths[i]
		}
	}
	return nil
}

// noDestdir returns the first write that ignores DESTDIR, or nil.
func (w installWrites) noDestdir() *writeAt {
	for i, x := range w.paths {
		if !covers(destdirMarker, x.path) {
			return &w.paths[i]
		}
	}
	return nil
}

// followed are the prerequisites of install whose recipes are part of the
// installation: install-* targets and files named by absolute path.
func followed(prereq string) bool {
	return strings.HasPrefix(prereq, "install") || strings.HasPrefix(prereq, "/")
}

// recipeWrites reads the recipe make runs for target.
func recipeWrites(mf *makefile.File, vars *makefile.Vars, target string, depth int) (installWrites, error) {
	var w installWrites
	steps, err := mf.Steps(target, vars, followed)
	if err != nil {
		return w, err
	}
	for _, st := range steps {
		if err := w.step(mf, vars, st, depth); err != nil {
			return w, err
		}
	}
	return w, nil
}

// step reads one recipe line as shell.
func (w *installWrites) step(mf *makefile.File, vars *makefile.Vars, st makefile.Step, depth int) error {
	script := parser.ParseShell(st.Command, 0)
	if script.Err != nil {
		return fmt.Errorf("%s does not parse as shell", st.Where())
	}
	cwd := ""
	for _, cmd := range shellcmd.Commands(script) {
		c := command{argv: cmd.Lits(), assigns: cmd.Assigns, sh: cmd}
		for i := range cmd.Args {
			_, ok := cmd.Arg(i)
			c.lit = append(c.lit, ok)
		}
		if err := w.redirects(cmd, cwd, st.Where()); err != nil {
			return err
		}
		if c.name() == "cd" {
			if !c.literal() || len(c.argv) != 2 {
				return fmt.Errorf("%s changes to a folder dockslim cannot follow", st.Where())
			}
			cwd = joinDir(cwd, c.arg(1))
			continue
		}
		if c.name() == "make" {
			if err := w.subMake(mf, vars, c, st.Where(), depth); err != nil {
				return err
			}
			continue
		}
		dests, err := installDests(c)
		if err != nil {
			return fmt.Errorf("%s %w", st.Where(), err)
		}
		folders := c.name() == "mkdir" || c.name() == "install" && (hasWord(c.argv, "-d") || hasWord(c.argv, "--directory"))
		for _, d := range dests {
			w.add(joinDir(cwd, d), st.Where(), folders)
		}
		w.libs = w.libs || c.name() == "ldconfig"
	}
	return nil
}

// joinDir resolves p against the recipe's cd ("" when it never left the
// source tree).
func joinDir(cwd, p string) string {
	if strings.HasPrefix(p, "/") || cwd == "" {
		return p
	}
	return path.Join(cwd, p)
}

// notShared are the kinds of files a lib folder holds that the loader
// does not load.
var notShared = []string{".a", ".la", ".pc", ".h", ".cmake"}

// add records a write; folders is set when it only creates folders.
func (w *installWrites) add(p, where string, folders bool) {
	if !strings.HasPrefix(p, "/") {
		return // in the source tree
	}
	p = path.Clean(p)
	if p == "/dev/null" {
		return
	}
	w.paths = append(w.paths, writeAt{p, where})
	base := path.Base(p)
	inLib := path.Base(p) == "lib" || strings.HasSuffix(path.Dir(p), "/lib") || strings.Contains(p, "/lib/")
	static := slices.ContainsFunc(notShared, func(ext string) bool { return strings.HasSuffix(base, ext) })
	w.libs = w.libs || !folders && (strings.Contains(base, ".so") || inLib && !static)
}

// redirects records the files a command's > and >> write.
func (w *installWrites) redirects(cmd *shellcmd.Command, cwd, where string) error {
	if cmd.Stmt == nil {
		return nil
	}
	for _, r := range cmd.Stmt.Redirs {
		if r.Op != syntax.RdrOut && r.Op != syntax.AppOut && r.Op != syntax.ClbOut && r.Op != syntax.RdrAll && r.Op != syntax.AppAll {
			continue
		}
		p, ok := shellcmd.WordLit(r.Word)
		if !ok {
			return fmt.Errorf("%s writes to a file named by a shell variable", where)
		}
		w.add(joinDir(cwd, p), where, false)
	}
	return nil
}

// subMake follows `$(MAKE) target` in the same folder.
func (w *installWrites) subMake(mf *makefile.File, vars *makefile.Vars, c command, where string, depth int) error {
	if depth > 4 {
		return fmt.Errorf("%s: make calls itself too deep", where)
	}
	for i, a := range c.argv[1:] {
		switch {
		case !c.lit[i+1]:
			return fmt.Errorf("%s runs make with a shell variable", where)
		case strings.HasPrefix(a, "-C") || strings.HasPrefix(a, "-f") || strings.HasPrefix(a, "--directory") ||
			strings.HasPrefix(a, "--file") || strings.HasPrefix(a, "--makefile") || strings.Contains(a, "="):
			return fmt.Errorf("%s runs make on another Makefile (%s), which dockslim does not read", where, a)
		case strings.HasPrefix(a, "-"):
		default:
			sub, err := recipeWrites(mf, vars, a, depth+1)
			if err != nil {
				return err
			}
			w.paths = append(w.paths, sub.paths...)
			w.libs = w.libs || sub.libs
		}
	}
	return nil
}

// noWrites are commands of install recipes that write no file.
var noWrites = []string{"echo", "printf", "true", "false", ":", "test", "[", "exit", "set", "ldconfig"}

// destOpts are the options of install, cp, mv and ln that take a value.
var destOpts = []string{"-m", "--mode", "-o", "--owner", "-g", "--group", "-S", "--suffix", "-t", "--target-directory", "-Z"}

// installDests are the paths a recipe command writes (relative ones are in
// the source tree); err names a command dockslim cannot read.
func installDests(c command) ([]string, error) {
	name := c.name()
	if slices.Contains(noWrites, name) {
		return nil, nil
	}
	pos := c.positional(destOpts)
	for i, a := range c.argv {
		if t, ok := strings.CutPrefix(a, "--target-directory="); ok {
			return []string{t}, nil
		}
		if (a == "-t" || a == "--target-directory") && i+1 < len(c.argv) {
			return literalDests(c, []string{c.arg(i + 1)})
		}
	}
	dirs := hasWord(c.argv, "-d") || hasWord(c.argv, "--directory")
	switch name {
	case "mkdir", "touch", "rm", "rmdir":
		return literalDests(c, pos)
	case "install":
		if dirs {
			return literalDests(c, pos)
		}
		fallthrough
	case "cp", "mv", "ln":
		if len(pos) == 0 {
			return nil, nil
		}
		return literalDests(c, pos[len(pos)-1:])
	case "chmod", "chown", "chgrp":
		if len(pos) < 2 {
			return nil, nil
		}
		return literalDests(c, pos[1:])
	case "strip":
		return literalDests(c, pos)
	}
	return nil, fmt.Errorf("runs %s, which dockslim does not read", firstNonEmpty(c.argv[0], "a command named by a variable"))
}

// literalDests checks that destinations are literal words.
func literalDests(c command, dests []string) ([]string, error) {
	for i, a := range c.argv {
		if !c.lit[i] && slices.Contains(dests, a) {
			return nil, fmt.Errorf("runs %s with a destination named by a shell variable", c.name())
		}
	}
	return dests, nil
}

func firstNonEmpty(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
