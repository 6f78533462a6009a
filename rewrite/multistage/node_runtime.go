package multistage

// The runtime stage of a Node split: its package files, package manager
// and production install, the build output and the run-time files beside
// it, and what its start command may run.

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/nodeproj"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// runtimeDirs are folders of a project that apps read at run time
// (templates, static files) and that builds usually leave where they are.
var runtimeDirs = []string{"public", "views", "templates", "static"}

// nodeRuntimeDeps plans how the runtime stage gets the production
// dependencies: the package files, the package manager when the build
// stage installed it, and the install; a bundle with every dependency
// inside needs package.json only.
func (si *stageInfo) nodeRuntimeDeps(p *plan, install *nodeInstallCmd, m *nodeproj.Manifest, bundled bool) *decline {
	if install.tool == shellcmd.Yarn && (m.Berry() || si.contextExists(".yarnrc.yml") || si.contextExists(".yarn/releases")) {
		return declinef(install.in.Start, "the project uses Yarn 2+, whose install without the devDependencies needs yarn workspaces focus --production (a plugin before Yarn 4)")
	}
	if bundled {
		return nil
	}
	if d := si.nodePackageFiles(p, install); d != nil {
		return d
	}
	setup, d := si.managerSetup(install)
	if d != nil {
		return d
	}
	p.rootRuns = append(p.rootRuns, setup...)
	p.steps = append(p.steps, "RUN "+si.productionInstall(install))
	return nil
}

// productionInstall is the runtime stage's install of the production
// dependencies, from the lock file when the context has one.
func (si *stageInfo) productionInstall(install *nodeInstallCmd) string {
	switch install.tool {
	case shellcmd.Yarn:
		if si.contextExists("yarn.lock") {
			return "yarn install --frozen-lockfile --production"
		}
		return "yarn install --production"
	case shellcmd.Pnpm:
		if si.contextExists("pnpm-lock.yaml") {
			return "pnpm install --frozen-lockfile --prod"
		}
		return "pnpm install --prod"
	}
	npm := "npm install"
	if si.contextExists("package-lock.json") || si.contextExists("npm-shrinkwrap.json") || install.arg(1) == "ci" {
		npm = "npm ci"
	}
	return npm + " " + nodeproj.NpmOmitDev(si.tag())
}

// managerSetup are the commands by which the build stage installed yarn or
// pnpm (npm install -g pnpm, corepack ...), repeated as root in the
// runtime stage; the node image has npm and Yarn 1 already.
func (si *stageInfo) managerSetup(install *nodeInstallCmd) ([]string, *decline) {
	if install.tool == shellcmd.Npm {
		return nil, nil
	}
	var out []string
	for _, c := range si.runCommands(nil) {
		if c.in.Index > install.in.Index || c.in == install.in && c.start() >= install.start() {
			break
		}
		if !installsManager(c, install.tool.Name) {
			continue
		}
		t, ok := c.text()
		if !ok {
			return nil, declinef(c.in.Start, "the build stage installs %s with words dockslim cannot repeat", install.tool.Name)
		}
		out = append(out, t)
	}
	if len(out) == 0 && install.tool == shellcmd.Pnpm {
		return nil, declinef(install.in.Start, "dockslim finds no command (npm install -g pnpm, corepack) that installs pnpm in the build stage, to repeat in the runtime stage")
	}
	if len(out) == 0 {
		return nil, nil
	}
	return []string{strings.Join(out, " && ")}, nil
}

// installsManager reports a command that installs the package manager
// name: a global npm install of it, or corepack.
func installsManager(c command, name string) bool {
	if c.name() == "corepack" {
		return true
	}
	if c.name() != "npm" {
		return false
	}
	inv := shellcmd.Npm.Parse(c.argv, c.lit)
	if inv.Verb != "install" || !inv.Has("-g", "--global", "--location=global") {
		return false
	}
	for _, o := range inv.OperandValues() {
		if o == name || strings.HasPrefix(o, name+"@") {
			return true
		}
	}
	return false
}

// nodeManifests are the files an install reads besides the sources.
var nodeManifests = []string{"package.json", "package*.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
	"pnpm-lock.yaml", ".npmrc", ".yarnrc", "pnpm-workspace.yaml", ".pnpmfile.cjs"}

// nodePackageFiles brings the package files into the runtime stage: the
// build stage's own COPYs of them, repeated, or the package files beside
// the sources' COPY.
func (si *stageInfo) nodePackageFiles(p *plan, install *nodeInstallCmd) *decline {
	var pkgCopies []*parser.Instruction
	var srcCopy *parser.Instruction
	for _, x := range si.before(install.in) {
		if !x.Is("copy") || x.Keyword != "copy" {
			continue
		}
		if _, from := x.Flag("from"); from {
			continue
		}
		args := x.Args()
		srcs := args[:max(len(args)-1, 0)]
		if len(srcs) > 0 && all(srcs, func(s string) bool { return slices.Contains(nodeManifests, strings.TrimPrefix(s, "./")) }) {
			pkgCopies = append(pkgCopies, x)
		} else if slices.Contains(srcs, ".") || slices.Contains(srcs, "./") {
			srcCopy = x
		}
	}
	switch {
	case len(pkgCopies) > 0:
		p.replicate = func(x *parser.Instruction) bool { return slices.Contains(pkgCopies, x) }
	case srcCopy != nil:
		args := srcCopy.Args()
		dst := args[len(args)-1]
		if !strings.HasSuffix(dst, "/") {
			dst += "/"
		}
		line := "COPY "
		if fl, ok := srcCopy.Flag("chown"); ok {
			line += "--chown=" + fl.Value + " "
		}
		p.steps = append(p.steps, line+strings.Join(si.packageFileNames(install.tool), " ")+" "+dst)
	default:
		return declinef(install.in.Start, "dockslim cannot find the COPY that brings package.json")
	}
	return nil
}

// packageFileNames are the package files of the context a tool's install
// reads.
func (si *stageInfo) packageFileNames(t *shellcmd.Tool) []string {
	names := []string{"package*.json"}
	extra := []string{".npmrc"}
	switch t {
	case shellcmd.Yarn:
		names, extra = []string{"package.json"}, []string{"yarn.lock", ".yarnrc", ".npmrc"}
	case shellcmd.Pnpm:
		names, extra = []string{"package.json"}, []string{"pnpm-lock.yaml", ".npmrc", ".pnpmfile.cjs"}
	}
	for _, f := range extra {
		if si.contextExists(f) {
			names = append(names, f)
		}
	}
	return names
}

// nodeArtifacts copies the build output, and the run-time files beside it
// that the context has (next.config, public/, views/, the program's own
// files, ...); package.json too for a bundle, which gets no package files
// otherwise. It returns every path copied.
func (si *stageInfo) nodeArtifacts(p *plan, wd string, out nodeOutput) []string {
	var outs, files []string
	for _, d := range out.dirs {
		outs = append(outs, abs(wd, d))
	}
	extra := append(append([]string(nil), out.extra...), runtimeDirs...)
	if out.selfContained {
		extra = append(extra, "package.json")
	}
	extra = dedupe(extra)
	for _, f := range extra {
		a := abs(wd, f)
		if !si.contextExists(f) || slices.ContainsFunc(outs, func(o string) bool { return covers(o, a) }) {
			continue
		}
		files = append(files, a)
	}
	for _, a := range append(append([]string(nil), outs...), files...) {
		p.artifacts = append(p.artifacts, artifact{path: a, chown: "auto"})
	}
	p.what = "the production dependencies and the build output " + strings.Join(outs, ", ")
	if out.selfContained {
		p.what = "the bundle " + strings.Join(outs, ", ")
	}
	if len(files) > 0 {
		p.what += ", with " + strings.Join(files, ", ")
	}
	return append(outs, files...)
}

// nodeStartFiles are the program's own files that the start command runs
// with node from outside the build output (a server.js beside a client
// bundle), with the files and folders they load by relative path, as
// paths relative to the project (the context root, copied to wd).
func (si *stageInfo) nodeStartFiles(m *nodeproj.Manifest, wd string, outDirs []string) []string {
	if !si.hasContext() {
		return nil
	}
	inOutput := func(rel string) bool {
		return slices.ContainsFunc(outDirs, func(o string) bool { return covers(abs(wd, o), abs(wd, rel)) })
	}
	var files []string
	si.startPrograms(func(_ string, _ *parser.Instruction, argv []string) *decline {
		m.Leaves(argv, func(leaf []string) string {
			script := nodeScript(m, leaf)
			rel := strings.TrimPrefix(abs(wd, script), strings.TrimSuffix(wd, "/")+"/")
			if script == "" || inOutput(script) || !si.contextExists(rel) || strings.HasPrefix(rel, "/") {
				return ""
			}
			if paths, complete := nodeproj.LocalModules(si.c.BuildContext, rel); complete {
				for _, p := range paths {
					if !inOutput(p) {
						files = append(files, p)
					}
				}
			}
			return ""
		})
		return nil
	})
	return dedupe(files)
}

// nodeScript is the file a node command runs ("" for another command or
// none: node -e, a REPL).
func nodeScript(m *nodeproj.Manifest, argv []string) string {
	if base := path.Base(argv[0]); base != "node" && base != "nodejs" {
		return ""
	}
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-r" || a == "--require" || a == "--import" || a == "--loader":
			i++
		case a == "-e" || a == "--eval" || a == "-p" || a == "--print":
			return ""
		case a == ".":
			return firstOf(m.Main, "index.js")
		case !strings.HasPrefix(a, "-"):
			return a
		}
	}
	return ""
}

// nodeProgram checks a runtime command of node, npm, yarn or pnpm, or a
// program of a production dependency (handled is false for others).
func (si *stageInfo) nodeProgram(m *nodeproj.Manifest, outs []string, bundled bool, argv []string, wd string) (bool, string) {
	base := path.Base(argv[0])
	t := shellcmd.ToolOf(base)
	if base != "node" && base != "nodejs" && t != shellcmd.Npm && t != shellcmd.Yarn && t != shellcmd.Pnpm {
		if _, dev, known := m.PackageOf(base); known && !dev && !bundled {
			return true, ""
		}
		return false, ""
	}
	return true, m.Leaves(argv, func(leaf []string) string { return nodeLeaf(m, outs, bundled, leaf, wd) })
}

// nodeLeaf says why the runtime stage could not run one command of the
// start command, scripts expanded ("" when it can).
func nodeLeaf(m *nodeproj.Manifest, outs []string, bundled bool, argv []string, wd string) string {
	base := path.Base(argv[0])
	if base != "node" && base != "nodejs" {
		pkg, dev, known := m.PackageOf(base)
		switch {
		case slices.Contains(toolchain, base):
			return "runs " + base + ", which needs the build toolchain"
		case known && !dev && !bundled:
			return ""
		case dev:
			return "runs " + base + ", a program of the devDependency " + pkg + ", which the runtime stage does not install"
		}
		return "runs " + base + ", which the runtime stage would not have"
	}
	script := nodeScript(m, argv)
	switch {
	case script == "":
		return "runs node without a script file"
	case slices.ContainsFunc(outs, func(o string) bool { return covers(o, abs(wd, script)) }):
		return ""
	}
	return "runs node " + script + ", which is not in the build output (" + strings.Join(outs, ", ") + ")"
}
