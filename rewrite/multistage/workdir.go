package multistage

import (
	"strings"

	"github.com/dockslim/dockslim/parser"
)

// withoutUnusedWorkdirs drops the build stage's WORKDIRs from what the
// runtime stage repeats when nothing there uses the working directory:
// then it would only be the build's source folder again, an empty
// root-owned directory in an image that holds one binary at an absolute
// path.
func (si *stageInfo) withoutUnusedWorkdirs(carried []*parser.Instruction, split *parser.Instruction, p *plan) []*parser.Instruction {
	if !p.dropWorkdir || si.runtimeUsesWorkdir(split, p) {
		return carried
	}
	var out []*parser.Instruction
	for _, in := range carried {
		if in.Keyword != "workdir" {
			out = append(out, in)
		}
	}
	return out
}

// runtimeUsesWorkdir reports whether the runtime stage needs the build
// stage's working directory: an instruction after the split that works
// relative to it (COPY or ADD to a relative destination, RUN, VOLUME, a
// relative WORKDIR) before an absolute WORKDIR resets it, or a command
// that ENTRYPOINT, CMD or HEALTHCHECK runs naming a relative path or a
// copied file by its relative name.
func (si *stageInfo) runtimeUsesWorkdir(split *parser.Instruction, p *plan) bool {
	for _, in := range si.after(split) {
		args := in.Args()
		switch in.Keyword {
		case "workdir":
			return len(args) == 0 || !strings.HasPrefix(args[0], "/")
		case "copy", "add", "volume":
			if in.Keyword != "volume" {
				args = args[max(len(args)-1, 0):] // the destination
			}
			for _, a := range args {
				if !strings.HasPrefix(a, "/") {
					return true
				}
			}
		case "run", "onbuild", "shell":
			return true
		}
	}
	wd, ok := si.workdirAt(nil)
	if !ok {
		return true
	}
	for _, kw := range []string{"entrypoint", "cmd", "healthcheck"} {
		in := si.last(kw)
		if in == nil {
			continue
		}
		argvs, _, ok := programsOf(in)
		if !ok {
			return true
		}
		for _, argv := range argvs {
			for _, a := range argv {
				if relativePath(a) || !strings.HasPrefix(a, "/") && si.runtimeHas(p, split, abs(wd, a)) {
					return true
				}
			}
		}
	}
	return false
}

// relativePath reports whether a command word is a relative path
// ("./app", "bin/api", "../x"), not an option or a URL.
func relativePath(a string) bool {
	return !strings.HasPrefix(a, "/") && !strings.HasPrefix(a, "-") && !strings.Contains(a, "://") &&
		(strings.HasPrefix(a, ".") || strings.Contains(a, "/"))
}
