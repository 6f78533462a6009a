package multistage

import (
	"encoding/json"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleNode is DS404.
var RuleNode = &rewrite.Rule{
	ID:      "DS404",
	Name:    "node-multistage",
	Summary: "a Node image that runs a build script ships dev dependencies and sources; run the build output on a slim stage",
	Explanation: `"npm run build" needs the devDependencies (TypeScript, bundlers, test tools)
and the sources; the running app needs the build output and the production
dependencies only. dockslim names the build stage (AS build) and adds a
node:<version>-slim runtime stage (node:20-bookworm → node:20-bookworm-slim;
an Alpine builder keeps its tag) that copies package*.json, runs
"npm ci --omit=dev" ("npm install --omit=dev" without a lockfile,
--production before Node 16) and copies the build output.

What it relies on (package.json must be in the build context):
- the build is "npm run build" and package.json's build script is made of
  tools whose output folder dockslim knows: tsc (--outDir or tsconfig.json's
  compilerOptions.outDir), vite build (dist, or --outDir; a vite.config that
  sets outDir declines), react-scripts build (build), nest build (dist),
  webpack (--output-path, or dist without a config file), parcel build
  (dist or --dist-dir), babel -d, esbuild --outdir / --outfile, and
  npm run of other such scripts; anything else (next build, rollup, node
  scripts) declines;
- the app is started with node on a file inside that output (directly, or
  through npm start / npm run with such a script);
- package.json has no install lifecycle scripts (preinstall, install,
  postinstall, prepare), which "npm ci --omit=dev" would run without the
  devDependencies they usually need.
yarn and pnpm projects decline, and so does a build stage that installs
-dev packages (apt or apk) for native addons: the runtime stage's npm ci
would build them again without the headers or a compiler, and without the
runtime libraries.
` + explainCommon,
	Before: `FROM node:20
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build
CMD ["node", "dist/server.js"]`,
	After: `FROM node:20 AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY --from=build /app/dist /app/dist
CMD ["node", "dist/server.js"]`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
}

// NodePass is the multistage-node pass.
var NodePass = newPass("node", RuleNode, recogniseNode)

type packageJSON struct {
	Main    string            `json:"main"`
	Scripts map[string]string `json:"scripts"`
}

// nodeRuntimeTag is the slim variant of a node tag.
func nodeRuntimeTag(tag string) (string, bool) {
	if tag == "latest" {
		return "slim", true
	}
	parts := strings.Split(tag, "-")
	last := parts[len(parts)-1]
	switch {
	case isAlpineTag(tag), last == "slim":
		return tag, true
	case len(parts) == 1 || len(parts) == 2 && isSuite(last):
		return tag + "-slim", true
	}
	return "", false
}

func recogniseNode(si *stageInfo) (*plan, *decline) {
	if si.repo() != "node" {
		return nil, nil
	}
	var build, install *command
	for _, c := range si.runCommands(nil) {
		c := c
		switch {
		case c.name() == "npm" && (c.arg(1) == "run" || c.arg(1) == "run-script") && c.arg(2) == "build":
			build = &c
		case (c.name() == "yarn" || c.name() == "pnpm") && (c.arg(1) == "build" || c.arg(1) == "run" && c.arg(2) == "build"):
			return nil, declinef(c.in.Start, "the build runs with %s; dockslim splits npm projects only", c.name())
		case c.name() == "npm" && (c.arg(1) == "ci" || c.arg(1) == "install" || c.arg(1) == "i") && build == nil:
			install = &c
		}
	}
	if build == nil {
		return nil, nil
	}
	in := build.in
	pj, d := si.packageJSON(in)
	if d != nil {
		return nil, d
	}
	dirs, why := si.nodeOutDirs(pj, "build", 0)
	if why != "" {
		return nil, declinef(in.Start, "%s", why)
	}
	if install == nil {
		return nil, declinef(in.Start, "the build stage installs no dependencies with npm ci / npm install")
	}
	wd, ok := si.workdirAt(in)
	iwd, ok2 := si.workdirAt(install.in)
	final, ok3 := si.workdirAt(nil)
	if !ok || !ok2 || !ok3 || wd != iwd || wd != final {
		return nil, declinef(in.Start, "npm install, npm run build and the CMD do not share one WORKDIR")
	}
	if dev := append(si.aptDev(nil), si.apkDev(nil)...); len(dev) > 0 {
		// Native addons: the runtime stage installs the production
		// dependencies again, with neither the headers nor a compiler.
		return nil, declinef(install.in.Start, "the build stage installs %s for native addons; the runtime stage runs npm ci --omit=dev again, where neither those headers nor a compiler are, and would lack the runtime libraries too", strings.Join(dedupe(dev), ", "))
	}
	tag, ok := nodeRuntimeTag(si.tag())
	if !ok {
		return nil, declinef(si.st.From.Start, "dockslim knows no slim variant of %s", si.image.Raw)
	}
	p := &plan{build: in, runtime: runtimeImage{ref: "node:" + tag, family: si.family(), users: []string{"node"}}}
	if d := si.nodePackageFiles(p, install); d != nil {
		return nil, d
	}
	p.steps = append(p.steps, "RUN "+si.npmProductionInstall(install))
	var names []string
	for _, d := range dirs {
		a := abs(wd, d)
		p.artifacts = append(p.artifacts, artifact{path: a, chown: "auto"})
		names = append(names, a)
	}
	p.what = "the production dependencies and the build output " + strings.Join(names, ", ")
	p.buildOnly = func(c command) bool {
		return c.name() == "npm" && (c.arg(1) == "test" || c.arg(1) == "prune" ||
			c.arg(1) == "run" && (c.arg(2) == "test" || c.arg(2) == "lint"))
	}
	p.program = func(argv []string, wd string) (bool, string) {
		return true, si.nodeProgram(pj, names, argv, wd, 0)
	}
	return p, nil
}

// packageJSON reads the build context's package.json; it declines when it
// is missing or has install scripts, which npm ci --omit=dev would run
// without the devDependencies.
func (si *stageInfo) packageJSON(in *parser.Instruction) (packageJSON, *decline) {
	var pj packageJSON
	raw, ok := si.contextFile("package.json")
	if !ok {
		return pj, declinef(in.Start, "package.json is not in the build context, so dockslim cannot tell what npm run build writes")
	}
	if err := json.Unmarshal(raw, &pj); err != nil {
		return pj, declinef(in.Start, "package.json does not parse: %v", err)
	}
	for _, s := range []string{"preinstall", "install", "postinstall", "prepare"} {
		if _, ok := pj.Scripts[s]; ok {
			return pj, declinef(in.Start, "package.json has a %q script, which npm ci --omit=dev would run without the devDependencies", s)
		}
	}
	return pj, nil
}

// npmProductionInstall is the runtime stage's install of the production
// dependencies: npm ci with a lock file (or when the build used it), with
// --omit=dev (--production before npm 7, node 16).
func (si *stageInfo) npmProductionInstall(install *command) string {
	lock := si.contextExists("package-lock.json") || si.contextExists("npm-shrinkwrap.json")
	npm := "npm install"
	if lock || install.arg(1) == "ci" {
		npm = "npm ci"
	}
	omit := "--omit=dev"
	if major, err := strconv.Atoi(strings.Split(strings.Split(si.tag(), "-")[0], ".")[0]); err == nil && major < 16 {
		omit = "--production"
	}
	return npm + " " + omit
}

// nodePackageFiles brings the package files into the runtime stage: the
// build stage's own COPY of package.json, repeated, or package*.json
// beside the sources' COPY.
func (si *stageInfo) nodePackageFiles(p *plan, install *command) *decline {
	var pkgCopy *parser.Instruction
	var srcCopy *parser.Instruction
	for _, x := range si.before(install.in) {
		if !x.Is("copy") || x.Keyword != "copy" {
			continue
		}
		if _, from := x.Flag("from"); from {
			continue
		}
		args := x.Args()
		for _, a := range args[:max(len(args)-1, 0)] {
			switch a {
			case "package.json", "package*.json":
				pkgCopy = x
			case ".", "./":
				srcCopy = x
			}
		}
	}
	switch {
	case pkgCopy != nil:
		p.replicate = func(x *parser.Instruction) bool { return x == pkgCopy }
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
		p.steps = append(p.steps, line+"package*.json "+dst)
	default:
		return declinef(install.in.Start, "dockslim cannot find the COPY that brings package.json")
	}
	return nil
}

// nodeProgram says why the runtime stage could not run argv ("" when it can).
func (si *stageInfo) nodeProgram(pj packageJSON, outs []string, argv []string, wd string, depth int) string {
	inOutput := func(file string) bool {
		for _, o := range outs {
			if covers(o, abs(wd, file)) {
				return true
			}
		}
		return false
	}
	switch path.Base(argv[0]) {
	case "node", "nodejs":
		for i := 1; i < len(argv); i++ {
			a := argv[i]
			if a == "-r" || a == "--require" || a == "--import" || a == "--loader" {
				i++
				continue
			}
			if strings.HasPrefix(a, "-") {
				continue
			}
			if a == "." {
				a = pj.Main
				if a == "" {
					a = "index.js"
				}
			}
			if inOutput(a) {
				return ""
			}
			return "runs node " + argv[i] + ", which is not in the build output (" + strings.Join(outs, ", ") + ")"
		}
		return "runs node without a script"
	case "npm":
		name := ""
		switch {
		case argv[len(argv)-1] == "start" && len(argv) == 2:
			name = "start"
		case len(argv) >= 3 && (argv[1] == "run" || argv[1] == "run-script"):
			name = argv[2]
		}
		script, ok := pj.Scripts[name]
		if name == "start" && !ok {
			script, ok = "node server.js", true // npm's default start
		}
		if !ok || depth > 3 {
			return "runs " + strings.Join(argv, " ") + ", which dockslim cannot follow"
		}
		s := parser.ParseShell(script, 0)
		if s.Err != nil {
			return "runs the npm script " + name + ", which does not parse"
		}
		for _, c := range shellcmd.Commands(s) {
			args := make([]string, len(c.Args))
			for i := range c.Args {
				args[i], _ = c.Arg(i)
			}
			if len(args) == 0 || slices.Contains(toolchain, path.Base(args[0])) {
				return "runs the npm script " + name + " (" + script + "), which needs the build toolchain"
			}
			if why := si.nodeProgram(pj, outs, args, wd, depth+1); why != "" {
				return "runs the npm script " + name + " (" + script + "), which " + strings.TrimPrefix(why, "runs ")
			}
		}
		return ""
	}
	return "runs " + argv[0] + ", which the runtime stage would not have"
}

// nodeOutDirs returns the folders an npm script writes, or why not.
func (si *stageInfo) nodeOutDirs(pj packageJSON, script string, depth int) ([]string, string) {
	text, ok := pj.Scripts[script]
	if !ok {
		return nil, "package.json has no " + script + " script"
	}
	s := parser.ParseShell(text, 0)
	if s.Err != nil || depth > 3 {
		return nil, "the " + script + " script does not parse"
	}
	var dirs []string
	for _, sc := range shellcmd.Commands(s) {
		var argv []string
		for i := range sc.Args {
			v, _ := sc.Arg(i)
			argv = append(argv, v)
		}
		for len(argv) > 0 && (argv[0] == "cross-env" || strings.Contains(argv[0], "=")) {
			argv = argv[1:]
		}
		if len(argv) == 0 {
			continue
		}
		unknown := "the " + script + " script runs " + strings.Join(argv[:min(2, len(argv))], " ") + ", whose output folder dockslim does not know"
		switch path.Base(argv[0]) {
		case "npm":
			if len(argv) >= 3 && (argv[1] == "run" || argv[1] == "run-script") {
				sub, why := si.nodeOutDirs(pj, argv[2], depth+1)
				if why != "" {
					return nil, why
				}
				dirs = append(dirs, sub...)
				continue
			}
		case "next":
			return nil, "the " + script + " script runs next build; a Next.js server needs .next, public and next.config as well, which dockslim does not assemble"
		}
		out, writes := si.buildToolOut(argv)
		if !writes {
			continue
		}
		if out == "" || strings.Contains(out, "$") || path.Clean(out) == "." {
			return nil, unknown
		}
		dirs = append(dirs, path.Clean(out))
	}
	if len(dirs) == 0 {
		return nil, "the " + script + " script writes no output folder dockslim knows"
	}
	return dedupe(dirs), ""
}

// buildToolOut is the folder a build tool's command writes ("" when
// dockslim does not know); writes is false for commands that write no
// output (rimraf, tsc --noEmit, ...).
func (si *stageInfo) buildToolOut(argv []string) (out string, writes bool) {
	flag := func(names ...string) string { return flagValue(argv, names...) }
	switch tool := path.Base(argv[0]); tool {
	case "rimraf", "rm", "mkdir", "echo", "tsc-alias", "true":
		return "", false
	case "tsc":
		if hasWord(argv, "--noEmit") {
			return "", false
		}
		if p := flag("-p", "--project"); p != "" && p != "." && p != "tsconfig.json" {
			return "", true
		}
		out = flag("--outDir")
		if out == "" {
			out = si.tsOutDir()
		}
	case "vite":
		if len(argv) < 2 || argv[1] != "build" {
			return "", true
		}
		out = flag("--outDir")
		if out == "" && !si.configMentions("outDir", "vite.config.js", "vite.config.ts", "vite.config.mjs", "vite.config.mts") {
			out = "dist"
		}
	case "react-scripts":
		if len(argv) > 1 && argv[1] == "build" {
			out = "build"
		}
	case "nest":
		if len(argv) > 1 && argv[1] == "build" {
			out = "dist"
		}
	case "webpack":
		out = flag("--output-path", "-o")
		if out == "" && !si.contextExists("webpack.config.js") && !si.contextExists("webpack.config.ts") && !si.contextExists("webpack.config.cjs") && !si.contextExists("webpack.config.mjs") {
			out = "dist"
		}
	case "parcel":
		if len(argv) > 1 && argv[1] == "build" {
			out = flag("--dist-dir")
			if out == "" {
				out = "dist"
			}
		}
	case "babel":
		out = flag("-d", "--out-dir")
	case "esbuild":
		out = flag("--outdir")
		if f := flag("--outfile"); out == "" && f != "" {
			out = f
			if d := path.Dir(f); d != "." {
				out = d
			}
		}
	}
	return out, true
}

// flagValue is the value of the first of the options names in argv
// ("--out dir" or "--out=dir"), "" when none is given.
func flagValue(argv []string, names ...string) string {
	for i, a := range argv {
		for _, n := range names {
			if a == n && i+1 < len(argv) {
				return argv[i+1]
			}
			if v, ok := strings.CutPrefix(a, n+"="); ok {
				return v
			}
		}
	}
	return ""
}

// tsOutDir reads compilerOptions.outDir of tsconfig.json ("" when unknown).
func (si *stageInfo) tsOutDir() string {
	b, ok := si.contextFile("tsconfig.json")
	if !ok {
		return ""
	}
	var cfg struct {
		Extends         string `json:"extends"`
		CompilerOptions struct {
			OutDir string `json:"outDir"`
		} `json:"compilerOptions"`
	}
	if json.Unmarshal(b, &cfg) != nil {
		// tsconfig allows comments: drop whole-line ones and retry.
		var kept []string
		for _, l := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "//") {
				kept = append(kept, l)
			}
		}
		if json.Unmarshal([]byte(strings.Join(kept, "\n")), &cfg) != nil {
			return ""
		}
	}
	return cfg.CompilerOptions.OutDir
}

// configMentions reports whether any of the context files contains word
// (a config that may override a tool's default output folder).
func (si *stageInfo) configMentions(word string, files ...string) bool {
	for _, f := range files {
		if b, ok := si.contextFile(f); ok && strings.Contains(string(b), word) {
			return true
		}
	}
	return false
}
