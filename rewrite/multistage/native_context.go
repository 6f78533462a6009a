package multistage

import (
	"io/fs"
	"path"
	"strings"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// Where a C build's commands run and which files of the build context they
// read: the Makefile, configure.ac, CMakeLists.txt that decide where
// `make install` puts files.

// commandDir is the folder c runs in: the WORKDIR, then the `cd`s before it
// in its RUN (and make's -C). ok is false when dockslim cannot follow them
// (a cd inside a subshell or condition, a variable, cd without argument).
func (si *stageInfo) commandDir(c command) (string, bool) {
	wd, ok := si.workdirAt(c.in)
	if !ok {
		return "", false
	}
	for _, x := range views(c.in) {
		if x.sh == nil || c.sh == nil || x.sh == c.sh {
			break
		}
		if x.name() != "cd" {
			continue
		}
		if x.sh.Nested || x.sh.InSubst || x.sh.Piped || len(x.argv) != 2 || !x.literal() || x.arg(1) == "-" {
			return "", false
		}
		wd = abs(wd, x.arg(1))
	}
	if c.name() == "make" {
		for i := 1; i < len(c.argv); i++ {
			a := c.argv[i]
			switch {
			case a == "-C" || a == "--directory":
				wd = abs(wd, c.arg(i+1))
				i++
			case strings.HasPrefix(a, "--directory="):
				wd = abs(wd, strings.TrimPrefix(a, "--directory="))
			case strings.HasPrefix(a, "-C"):
				wd = abs(wd, strings.TrimPrefix(a, "-C"))
			}
		}
	}
	return wd, true
}

// contextPathOf is the build-context path of the file p of the build
// stage, when a COPY or ADD before in brought it from the context (the
// last one that writes p wins); ok is false otherwise (a generated file, a
// glob, another stage's file).
func (si *stageInfo) contextPathOf(p string, in *parser.Instruction) (string, bool) {
	if !si.hasContext() {
		return "", false
	}
	before := si.before(in)
	for i := len(before) - 1; i >= 0; i-- {
		x := before[i]
		if !x.Is("copy") && !x.Is("add") || len(x.Heredocs) > 0 {
			continue
		}
		if _, ok := x.Flag("from"); ok {
			continue
		}
		if rel, found, known := si.copySource(x, p); !known {
			return "", false
		} else if found {
			return rel, true
		}
	}
	return "", false
}

// copySource says whether the COPY/ADD x writes the file p, and from which
// context path; known is false when dockslim cannot tell (a glob, a
// variable, a URL).
func (si *stageInfo) copySource(x *parser.Instruction, p string) (rel string, found, known bool) {
	args := x.Args() // JSON decoded for the exec form
	if len(args) < 2 {
		return "", false, false
	}
	destRaw, ok := si.expand(x, args[len(args)-1])
	if !ok {
		return "", false, false
	}
	wd, ok := si.workdirAt(x)
	if !ok {
		return "", false, false
	}
	dest := abs(wd, destRaw)
	srcs := args[:len(args)-1]
	destDir := strings.HasSuffix(destRaw, "/") || destRaw == "." || len(srcs) > 1
	for i := len(srcs) - 1; i >= 0; i-- {
		s := srcs[i]
		if strings.ContainsAny(s, "$*?[") || strings.Contains(s, "://") {
			return "", false, false
		}
		src, ok := rewrite.ContextPath(s)
		if !ok {
			return "", false, false
		}
		if st, err := fs.Stat(si.c.BuildContext, src); err == nil && st.IsDir() {
			if r, under := relUnder(dest, p); under {
				c := path.Join(src, r)
				if _, err := fs.Stat(si.c.BuildContext, c); err == nil {
					return c, true, true
				}
			}
			continue
		}
		target := dest
		if destDir {
			target = path.Join(dest, path.Base(src))
		}
		if target == p {
			return src, true, true
		}
	}
	return "", false, true
}

// relUnder returns p relative to dir when p is dir or below it.
func relUnder(dir, p string) (string, bool) {
	if p == dir {
		return ".", true
	}
	if r, ok := strings.CutPrefix(p, strings.TrimSuffix(dir, "/")+"/"); ok {
		return r, true
	}
	return "", false
}

// contextText reads the build stage's file p from the build context (the
// COPY that brought it before in); ok is false when dockslim cannot tell
// which context file it is or the context has none.
func (si *stageInfo) contextText(p string, in *parser.Instruction) ([]byte, string, bool) {
	rel, ok := si.contextPathOf(p, in)
	if !ok {
		return nil, "", false
	}
	b, err := fs.ReadFile(si.c.BuildContext, rel)
	return b, rel, err == nil
}
