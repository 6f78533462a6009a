package multistage

import (
	"fmt"
	"path"
	"slices"
	"strings"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// toolchain are programs that build: a runtime command that uses them
// needs the build stage's image.
var toolchain = []string{"go", "cargo", "rustc", "rustup", "mvn", "mvnw", "gradle", "gradlew", "javac",
	"gcc", "g++", "cc", "c++", "clang", "make", "cmake", "pip", "pip3", "tsc", "ts-node", "webpack", "vite"}

// checkPrograms checks that the runtime stage has what ENTRYPOINT / CMD
// and HEALTHCHECK run.
func (si *stageInfo) checkPrograms(p *plan, rt runtimeImage, split *parser.Instruction) *decline {
	wd, ok := si.workdirAt(nil)
	if !ok {
		return declinef(si.st.From.Start, "the WORKDIR uses a variable dockslim cannot follow")
	}
	var checks []*parser.Instruction
	if ep := si.last("entrypoint"); ep != nil {
		checks = append(checks, ep)
	} else if cmd := si.last("cmd"); cmd != nil {
		checks = append(checks, cmd)
	} else {
		return declinef(si.st.From.Start, "the stage has no CMD or ENTRYPOINT, so dockslim cannot tell what the runtime stage must run")
	}
	if hc := si.last("healthcheck"); hc != nil {
		checks = append(checks, hc)
	}
	for _, in := range checks {
		argvs, shell, ok := programsOf(in)
		if !ok {
			return declinef(in.Start, "dockslim cannot read the command of %s at line %d", strings.ToUpper(in.Keyword), in.StartLine)
		}
		if shell && !rt.shell() {
			return &decline{at: in.Start, noShell: true, reason: fmt.Sprintf("%s at line %d needs a shell, which %s lacks", strings.ToUpper(in.Keyword), in.StartLine, rt.ref)}
		}
		for _, argv := range argvs {
			if why := si.checkProgram(p, rt, split, argv, wd); why != "" {
				return declinef(in.Start, "%s at line %d %s", strings.ToUpper(in.Keyword), in.StartLine, why)
			}
		}
	}
	return nil
}

// programsOf returns the commands an ENTRYPOINT / CMD / HEALTHCHECK runs,
// and whether a shell runs them.
func programsOf(in *parser.Instruction) (argvs [][]string, shell, ok bool) {
	var script *parser.Script
	switch {
	case in.Keyword == "healthcheck":
		v, err := bkinstructions.ParseInstruction(in.Node)
		hc, isHC := v.(*bkinstructions.HealthCheckCommand)
		if err != nil || !isHC || hc.Health == nil || len(hc.Health.Test) == 0 {
			return nil, false, false
		}
		switch hc.Health.Test[0] {
		case "NONE":
			return nil, false, true
		case "CMD":
			return [][]string{hc.Health.Test[1:]}, false, true
		case "CMD-SHELL":
			script = parser.ParseShell(strings.Join(hc.Health.Test[1:], " "), 0)
		default:
			return nil, false, false
		}
	case in.JSON:
		var argv []string
		for _, a := range in.JSONArgs {
			argv = append(argv, a.Value)
		}
		i := shellcmd.ExecScriptIndex(in)
		if i < 0 {
			return [][]string{argv}, false, len(argv) > 0
		}
		script = parser.ParseShell(argv[i], 0) // read for program names only
	default:
		script = in.Script
	}
	if script == nil || script.Err != nil {
		return nil, true, false
	}
	for _, c := range shellcmd.Commands(script) {
		argv := make([]string, len(c.Args))
		for i := range c.Args {
			v, lit := c.Arg(i)
			if !lit && i == 0 {
				return nil, true, false
			}
			argv[i] = v
		}
		argvs = append(argvs, argv)
	}
	return argvs, true, true
}

// toolchainAtRuntime declines a stage with no build step whose ENTRYPOINT
// or CMD runs the toolchain (go run, cargo run, mvn spring-boot:run, ...).
func (si *stageInfo) toolchainAtRuntime() *decline {
	return si.startPrograms(func(kw string, in *parser.Instruction, argv []string) *decline {
		if len(argv) > 0 && slices.Contains(toolchain, path.Base(argv[0])) {
			return declinef(in.Start, "%s at line %d runs %s, which builds at start and needs the toolchain in the image; build in a build stage and run the result",
				strings.ToUpper(kw), in.StartLine, strings.Join(argv[:min(len(argv), 2)], " "))
		}
		return nil
	})
}

// startPrograms runs check on the argv of each program the stage's last
// ENTRYPOINT and last CMD (keyword kw, instruction in) run, and returns the
// first decline.
func (si *stageInfo) startPrograms(check func(kw string, in *parser.Instruction, argv []string) *decline) *decline {
	for _, kw := range []string{"entrypoint", "cmd"} {
		in := si.last(kw)
		if in == nil {
			continue
		}
		argvs, _, _ := programsOf(in)
		for _, argv := range argvs {
			if d := check(kw, in, argv); d != nil {
				return d
			}
		}
	}
	return nil
}

// defaultPath is the PATH of the runtime images.
var defaultPath = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// checkProgram says why the runtime stage could not run argv ("" when it can).
func (si *stageInfo) checkProgram(p *plan, rt runtimeImage, split *parser.Instruction, argv []string, wd string) string {
	if len(argv) == 0 || argv[0] == "" {
		return "runs a program dockslim cannot tell"
	}
	prog := argv[0]
	base := path.Base(prog)
	if slices.Contains(toolchain, base) || base == "npx" {
		return fmt.Sprintf("runs %s, which needs the build toolchain at run time", strings.Join(argv[:min(len(argv), 2)], " "))
	}
	if p.program != nil {
		if handled, why := p.program(argv, wd); handled {
			return why
		}
	}
	if strings.Contains(prog, "/") {
		if si.runtimeHas(p, split, abs(wd, prog)) {
			return ""
		}
		return fmt.Sprintf("runs %s, which the runtime stage would not have (only %s is copied)", prog, p.what)
	}
	if rt.hasCommand(base) {
		return ""
	}
	dirs := append(append([]string(nil), defaultPath...), p.pathDirs...)
	for _, in := range si.st.Instructions {
		for _, kv := range in.EnvPairs() {
			if kv[0] == "PATH" {
				dirs = append(dirs, strings.Split(kv[1], ":")...)
			}
		}
	}
	for _, d := range dirs {
		if si.runtimeHas(p, split, path.Join(d, base)) {
			return ""
		}
	}
	return fmt.Sprintf("runs %s, which the runtime image %s does not have", base, rt.ref)
}

// runtimeHas reports whether the runtime stage has a file: an artifact, or
// a COPY / ADD that lands in the runtime stage.
func (si *stageInfo) runtimeHas(p *plan, split *parser.Instruction, file string) bool {
	for _, a := range p.artifacts {
		if covers(a.path, file) || a.dst != "" && covers(strings.TrimSuffix(a.dst, "/"), file) {
			return true
		}
	}
	for _, in := range si.st.Instructions {
		landed := in.Index > split.Index || p.replicate != nil && p.replicate(in)
		if !landed || !(in.Is("copy") || in.Is("add")) {
			continue
		}
		args := in.Args()
		if len(args) < 2 || in.Index <= si.st.From.Index {
			continue
		}
		wd, _ := si.workdirAt(in)
		dst := args[len(args)-1]
		d := abs(wd, dst)
		if strings.HasSuffix(dst, "/") || dst == "." || len(args) > 2 {
			for _, src := range args[:len(args)-1] {
				if src == "." || strings.HasSuffix(src, "/") {
					if covers(d, file) {
						return true
					}
				} else if path.Join(d, path.Base(src)) == file || covers(path.Join(d, path.Base(src)), file) {
					return true
				}
			}
		} else if covers(d, file) {
			return true
		}
	}
	return false
}
