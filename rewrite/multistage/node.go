package multistage

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/nodeproj"
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
an Alpine builder keeps its tag) that copies the package files, installs the
production dependencies ("npm ci --omit=dev", "npm install --omit=dev"
without a lockfile, --production before Node 16; "yarn install
--frozen-lockfile --production"; "pnpm install --frozen-lockfile --prod",
after the commands that installed pnpm or yarn in the build stage), before
it copies the build output, so that a source edit reruns only the build.
The run-time files next to the output are copied too: public/, views/,
templates/ and static/ when the build context has them, next.config, and
the program's own files that the start command runs from outside the
output (a server.js beside a client bundle) with every file and folder
they name by a relative path ('./routes', "../lib/db.js"). A bundle with every dependency inside (esbuild --bundle --platform=node
without --external or --packages=external, ncc) needs no install at all.

What it relies on (package.json must be in the build context):
- the build is a package.json script named build, build:*, compile or
  bundle (npm run, yarn, pnpm), or a bundler run directly (npx tsc, ...);
  its commands, followed through the scripts they run, are tools whose
  output folder dockslim reads from their arguments, their configuration
  file (a string literal: outDir: 'build') or knows: tsc (--outDir,
  --outFile, or the tsconfig's compilerOptions.outDir), vite build
  (--outDir, vite.config's outDir, else dist), react-scripts build
  (build), nest build (the tsconfig's outDir, else dist), next build
  (next.config's distDir, else .next), webpack (--output-path / -o, else
  dist without a config file), parcel build (--dist-dir, else dist), babel
  and swc (-d / --out-dir, -o / --out-file), esbuild (--outdir /
  --outfile), rollup (-d / --dir, -o / --file, or rollup.config's dir or
  file), ncc build (-o, else dist), tsup (--out-dir, tsup.config's outDir,
  else dist); cleaning and checking tools (rimraf, eslint, ...) write
  nothing; anything else (node build.js, gulp) declines and names it, and
  so does a configuration that computes its output folder;
- the app is started with node on a file inside that output, or with a
  program of a production dependency (next start, serve), directly or
  through npm start / yarn / pnpm scripts;
- package.json has no install lifecycle scripts (preinstall, install,
  postinstall, prepare), which the production install would run without
  the devDependencies they usually need.
Yarn 2+ declines (its production install needs a plugin), and so does a
build stage that installs -dev packages (apt or apk) for native addons:
the runtime stage's install would build them again without the headers or
a compiler, and without the runtime libraries.
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
	ConfigKeys:    []string{"runtime-base"},
}

// NodePass is the multistage-node pass.
var NodePass = newPass("node", RuleNode, recogniseNode)

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

// nodeInstallCmd is the install of the project's dependencies by npm, yarn
// or pnpm, with its tool.
type nodeInstallCmd struct {
	command
	tool *shellcmd.Tool
}

func recogniseNode(si *stageInfo) (*plan, *decline) {
	if si.repo() != "node" {
		return nil, nil
	}
	var build *command
	var install *nodeInstallCmd
	for _, c := range si.runCommands(nil) {
		c := c
		if build != nil {
			break
		}
		if t := projectInstall(c); t != nil {
			install = &nodeInstallCmd{c, t}
		} else if isNodeBuild(c) {
			build = &c
		}
	}
	if build == nil {
		return nil, nil
	}
	in := build.in
	m, d := si.nodeManifest(in)
	if d != nil {
		return nil, d
	}
	out, why := si.nodeBuildOutput(m, build.argv)
	if why != "" {
		return nil, declinef(in.Start, "%s", why)
	}
	if install == nil {
		return nil, declinef(in.Start, "the build stage installs no dependencies (npm ci, npm install, yarn install, pnpm install) before the build")
	}
	wd, ok := si.workdirAt(in)
	iwd, ok2 := si.workdirAt(install.in)
	final, ok3 := si.workdirAt(nil)
	if !ok || !ok2 || !ok3 || wd != iwd || wd != final {
		return nil, declinef(in.Start, "the install, the build and the CMD do not share one WORKDIR")
	}
	if dev := append(si.aptDev(nil), si.apkDev(nil)...); len(dev) > 0 {
		// Native addons: the runtime stage installs the production
		// dependencies again, with neither the headers nor a compiler.
		return nil, declinef(install.in.Start, "the build stage installs %s for native addons; the runtime stage's production install would build them again, where neither those headers nor a compiler are, and would lack the runtime libraries too", strings.Join(dedupe(dev), ", "))
	}
	tag, ok := nodeRuntimeTag(si.tag())
	if !ok {
		return nil, declinef(si.st.From.Start, "dockslim knows no slim variant of %s", si.image.Raw)
	}
	p := &plan{build: in, runtime: runtimeImage{ref: "node:" + tag, family: si.family(), users: []string{"node"}}}
	if start := si.nodeStartFiles(m, wd, out.dirs); len(start) > 0 {
		out.extra = append(out.extra, start...)
		out.selfContained = false // the program's own files load node_modules
	}
	if d := si.nodeRuntimeDeps(p, install, m, out.selfContained); d != nil {
		return nil, d
	}
	have := si.nodeArtifacts(p, wd, out)
	p.buildOnly = nodeBuildOnly
	p.program = func(argv []string, wd string) (bool, string) {
		return si.nodeProgram(m, have, out.selfContained, argv, wd)
	}
	return p, nil
}

// projectInstall is the tool of an install of the project's own
// dependencies (no package operands, not global), or nil.
func projectInstall(c command) *shellcmd.Tool {
	t := shellcmd.ToolOf(c.name())
	if t != shellcmd.Npm && t != shellcmd.Yarn && t != shellcmd.Pnpm {
		return nil
	}
	inv := t.Parse(c.argv, c.lit)
	if len(inv.Operands) > 0 || inv.Has("-g", "--global", "--location=global") {
		return nil
	}
	switch {
	case inv.Verb == "install", t == shellcmd.Npm && inv.Verb == "ci", t == shellcmd.Yarn && inv.VerbIndex < 0:
		return t
	}
	return nil
}

// bundlers are the build tools dockslim recognises when a RUN runs them
// directly (npx tsc, node_modules/.bin/vite build).
var bundlers = []string{"tsc", "vite", "react-scripts", "nest", "next", "webpack", "parcel", "babel", "swc",
	"esbuild", "rollup", "ncc", "tsup"}

// isNodeBuild reports whether a RUN command is the build: a package.json
// script named build, build:*, compile or bundle, or a bundler run
// directly.
func isNodeBuild(c command) bool {
	argv := c.argv
	if c.name() == "npx" && len(argv) > 1 {
		argv = argv[1:]
	}
	if len(argv) > 0 && slices.Contains(bundlers, path.Base(argv[0])) {
		return true
	}
	t := shellcmd.ToolOf(c.name())
	if t != shellcmd.Npm && t != shellcmd.Yarn && t != shellcmd.Pnpm {
		return false
	}
	inv := t.Parse(c.argv, c.lit)
	name := inv.Verb
	if name == "run" || name == "run-script" {
		name = ""
		if len(inv.Operands) > 0 {
			name = c.argv[inv.Operands[0]]
		}
	} else if t == shellcmd.Npm {
		return false
	}
	return name == "build" || strings.HasPrefix(name, "build:") || name == "compile" || name == "bundle"
}

// nodeBuildOnly tells the commands after the build that belong to it:
// tests, lint, pruning.
func nodeBuildOnly(c command) bool {
	t := shellcmd.ToolOf(c.name())
	if t != shellcmd.Npm && t != shellcmd.Yarn && t != shellcmd.Pnpm {
		return false
	}
	inv := t.Parse(c.argv, c.lit)
	name := inv.Verb
	if (name == "run" || name == "run-script") && len(inv.Operands) > 0 {
		name = c.argv[inv.Operands[0]]
	}
	return name == "test" || name == "t" || name == "lint" || name == "prune"
}

// nodeManifest reads the build context's package.json; it declines when
// it is missing or has install scripts, which the runtime stage's
// production install would run without the devDependencies.
func (si *stageInfo) nodeManifest(in *parser.Instruction) (*nodeproj.Manifest, *decline) {
	raw, ok := si.contextFile("package.json")
	if !ok {
		return nil, declinef(in.Start, "package.json is not in the build context, so dockslim cannot tell what the build writes")
	}
	m, err := nodeproj.Parse(raw)
	if err != nil {
		return nil, declinef(in.Start, "package.json does not parse: %v", err)
	}
	for _, s := range []string{"preinstall", "install", "postinstall", "prepare"} {
		if _, ok := m.Scripts[s]; ok {
			return nil, declinef(in.Start, "package.json has a %q script, which the production install would run without the devDependencies", s)
		}
	}
	return m, nil
}
