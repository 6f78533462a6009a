package pkgcache

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/nodeproj"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleNodeOmitDev is DS153.
var RuleNodeOmitDev = &rewrite.Rule{
	ID:      "DS153",
	Name:    "node-omit-dev",
	Summary: "the image installs the devDependencies although nothing in it runs them; install without them",
	Explanation: `An install of a project's dependencies (npm ci, npm install, yarn install,
pnpm install) also installs its devDependencies: compilers, bundlers, test
runners and linters, often most of node_modules. In an image that ships,
dockslim adds --omit=dev (npm 7 and later; --production for node images
before 16), --production (Yarn 1) or --prod (pnpm) when it can tell from
package.json that nothing needs them:

- package.json (the one a COPY brings from the build context into the
  install's folder) has devDependencies that are not also dependencies,
  and no install lifecycle script (preinstall, install, postinstall,
  prepare: the install runs them, without the devDependencies) unless
  the install has --ignore-scripts;
- every command after the install (the rest of its RUN, the later RUNs of
  its stage and of the stages built FROM it, CMD, ENTRYPOINT and
  HEALTHCHECK) is housekeeping (mkdir, chown, useradd, rm, ...), node on a
  file, or a package.json script made of those (npm start, npm test,
  npm run X, yarn X, pnpm X, with their pre and post scripts), and runs no
  program of a devDependency (tsc is typescript's, and so on); a program
  of a dependency is fine, one of no listed package is not;
- no JavaScript or TypeScript file of the build context names a
  devDependency as a module ('typescript', "jest/..."): test files
  (*.test.*, *.spec.*) and development tools' configuration files
  (webpack.config.js, .eslintrc.js, ...) are left out;
- no other stage copies from this one.

Otherwise it reports, without a fix, what needs the devDependencies
(the command and the package whose program it is, or file:line of the
source that names one). Left alone: installs that already leave them out
(the option, or NODE_ENV=production, npm_config_omit, npm_config_production,
YARN_PRODUCTION in the environment), that ask for them (--include=dev),
Yarn 2+ (it has no such install), and stages that do not ship. A build that
needs the devDependencies belongs in a build stage (DS404).`,
	Before: `FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
CMD ["node", "server.js"]
package.json:
{"dependencies": {"express": "^4.19.0"}, "devDependencies": {"eslint": "^9.0.0"}}`,
	After: `FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
CMD ["node", "server.js"]
package.json:
{"dependencies": {"express": "^4.19.0"}, "devDependencies": {"eslint": "^9.0.0"}}`,
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// NodeOmitDevPass is the pass of DS153.
var NodeOmitDevPass = &rewrite.Pass{Name: "node-omit-dev", Rules: []*rewrite.Rule{RuleNodeOmitDev}, Run: runNodeOmitDev}

func runNodeOmitDev(c *rewrite.Context) {
	f := c.File
	if c.BuildContext == nil {
		return
	}
	for _, in := range langRunInstructions(f) {
		if !langShips(f, in.Stage) {
			continue
		}
		for _, lc := range langCommands(in) {
			if ni := nodeInstallOf(f, lc); ni != nil {
				if pj := projectOf(c, ni); pj != nil {
					omitDev(c, ni, pj)
				}
			}
		}
	}
}

func omitDev(c *rewrite.Context, ni *nodeInstall, pj *nodeProject) {
	flag := prodFlag(c, ni)
	devs := pj.manifest.DevNames()
	if flag == "" || len(devs) == 0 {
		return
	}
	shown := devs
	if len(shown) > 3 {
		shown = append(shown[:3:3], "...")
	}
	msg := fmt.Sprintf("%s: install with %s so that the devDependencies (%s) stay out of the image", ni.lc.Name, flag, strings.Join(shown, ", "))
	why := ""
	if s := pj.manifest.InstallScript(); s != "" && !ni.inv.Has("--ignore-scripts") {
		why = fmt.Sprintf("package.json has a %q script, which the install runs and which may need them", s)
	}
	if why == "" {
		m, found, complete := nodeproj.FindMention(c.BuildContext, path.Dir(pj.pkg.rel), devs)
		switch {
		case found:
			why = fmt.Sprintf("%s:%d names the devDependency %s", m.File, m.Line, m.Package)
		case !complete:
			why = "the build context has too many sources to read them all for devDependencies"
		}
	}
	if why == "" {
		why = devNeeded(c, ni, pj)
	}
	if why != "" {
		c.Reportf(RuleNodeOmitDev, ni.lc.Start(), "%s: not made, %s", msg, why)
		return
	}
	c.Report(rewrite.Finding{Rule: RuleNodeOmitDev, Offset: ni.lc.Start(), Message: msg,
		Fix: &rewrite.Fix{Applicability: rewrite.Safe, Description: msg, Edits: ni.flagEdits(c, flag)}})
}

// prodFlag is the option that leaves the devDependencies out of the
// install, "" when the install leaves them out already, asks for them, or
// has no such option (Yarn 2+).
func prodFlag(c *rewrite.Context, ni *nodeInstall) string {
	inv, lc := ni.inv, ni.lc
	env := func(names ...string) string {
		for _, n := range names {
			if v, ok := langVar(c.File, lc, n); ok {
				return strings.ToLower(v)
			}
		}
		return ""
	}
	if env("NODE_ENV") == "production" {
		return ""
	}
	switch ni.tool {
	case shellcmd.Npm:
		omit, _ := inv.Value("--omit")
		only, _ := inv.Value("--only")
		if strings.Contains(omit+env("npm_config_omit", "NPM_CONFIG_OMIT"), "dev") || strings.HasPrefix(only, "prod") ||
			inv.Has("--production", "--include", "--also") || langBoolish(env("npm_config_production", "NPM_CONFIG_PRODUCTION")) {
			return ""
		}
		ref := langRootImage(lc.In.Stage)
		if langOfficial(lc.In.Stage, "node") {
			return nodeproj.NpmOmitDev(ref.Tag)
		}
		return "--omit=dev"
	case shellcmd.Yarn:
		if inv.Has("--production", "--prod") || langBoolish(env("YARN_PRODUCTION")) || yarnBerry(c, lc) != "" {
			return ""
		}
		return "--production"
	}
	if inv.Has("--prod", "-P", "--production", "--dev", "-D") {
		return ""
	}
	return "--prod"
}

// devNeeded says what after the install may need the devDependencies: a
// command of the image (after the install in its RUN, a later RUN of the
// stage or of a stage built FROM it, CMD, ENTRYPOINT, HEALTHCHECK), or
// another stage that copies from it ("" when nothing does).
func devNeeded(c *rewrite.Context, ni *nodeInstall, pj *nodeProject) string {
	f, in := c.File, ni.lc.In
	chain := descendants(f, in.Stage)
	for _, st := range f.Stages {
		if chain[st] {
			continue
		}
		for _, x := range st.Instructions {
			if fl, ok := x.Flag("from"); ok && (x.Is("copy") || x.Is("add")) && chain[f.StageByName(fl.Value)] {
				return fmt.Sprintf("the COPY at line %d copies from this stage", x.StartLine)
			}
		}
	}
	for _, st := range f.Stages {
		if !chain[st] {
			continue
		}
		for _, x := range st.Instructions {
			if x.Keyword == "onbuild" || st == in.Stage && x.Index < in.Index || !(x.Is("run") || x.Is("cmd") || x.Is("entrypoint") || x.Is("healthcheck")) {
				continue
			}
			for _, o := range langCommands(x) {
				if x == in && o.Start() <= ni.lc.Start() || elsewhere(c.File, ni, o) {
					continue
				}
				if why := pj.manifest.Leaves(o.Args, func(argv []string) string { return devUse(pj.manifest, argv) }); why != "" {
					return fmt.Sprintf("the %s at line %d %s", strings.ToUpper(x.Keyword), x.StartLine, why)
				}
			}
		}
	}
	return ""
}

// elsewhere reports a package manager's command that works on another
// project: it runs in a folder that is neither the install's nor below it
// (node resolves modules from there and its parents).
func elsewhere(f *parser.File, ni *nodeInstall, o *langCmd) bool {
	t := shellcmd.ToolOf(o.Name)
	if t != shellcmd.Npm && t != shellcmd.Yarn && t != shellcmd.Pnpm && o.Name != "npx" {
		return false
	}
	d := runDir(f, o)
	return d != "" && !pathCovers(ni.cwd, d)
}

// descendants are st and the stages built FROM it, directly or not.
func descendants(f *parser.File, st *parser.Stage) map[*parser.Stage]bool {
	out := map[*parser.Stage]bool{}
	for _, s := range f.Stages {
		for x := s; x != nil && len(out) <= len(f.Stages); x = x.Base.StageRef {
			if x == st {
				out[s] = true
				break
			}
		}
	}
	return out
}

// housekeeping are programs that cannot run a project's code.
var housekeeping = []string{"mkdir", "chown", "chmod", "chgrp", "ln", "rm", "rmdir", "touch", "echo", "printf", "true",
	"false", "cp", "mv", "cat", "ls", "test", "[", "sleep", "useradd", "groupadd", "adduser", "addgroup", "usermod",
	"apt-get", "apt", "apk", "dpkg", "ldconfig", "update-ca-certificates", "sed", "tini", "dumb-init", "id",
	"whoami", "pwd", "cd", "export", "set", "exit", "wait", "trap", "curl", "wget", "find", "grep"}

// devUse says how one command (scripts already expanded) may need a
// devDependency ("" when it cannot).
func devUse(m *nodeproj.Manifest, argv []string) string {
	name := path.Base(argv[0])
	switch t := shellcmd.ToolOf(name); {
	case slices.Contains(housekeeping, name):
		return ""
	case name == "node" || name == "nodejs":
		return nodeArgsUse(m, argv)
	case t == shellcmd.Npm || t == shellcmd.Yarn || t == shellcmd.Pnpm:
		inv := t.Parse(argv, trueSlice(len(argv)))
		if slices.Contains([]string{"cache", "prune", "config", "store", "--version", "version"}, inv.Verb) || inv.Has("-v", "--version") {
			return ""
		}
		return "runs " + strings.Join(argv[:min(len(argv), 3)], " ") + ", which may need them"
	}
	pkg, dev, known := m.PackageOf(name)
	switch {
	case dev:
		return fmt.Sprintf("runs %s, from the devDependency %s", name, pkg)
	case !known:
		return fmt.Sprintf("runs %s, which dockslim cannot tell does not need them", name)
	}
	return ""
}

// nodeArgsUse says how node's own options load a devDependency: a module
// it requires or imports first, code it evaluates that names one.
func nodeArgsUse(m *nodeproj.Manifest, argv []string) string {
	devs := m.DevNames()
	for i := 1; i < len(argv); i++ {
		opt, v, ok := strings.Cut(argv[i], "=")
		if !ok && i+1 < len(argv) {
			v = argv[i+1]
		}
		switch opt {
		case "-r", "--require", "--import", "--loader", "--experimental-loader":
			if root := nodeproj.ModuleRoot(v); slices.Contains(devs, root) {
				return fmt.Sprintf("runs node %s %s, from the devDependency %s", opt, v, root)
			}
		case "-e", "--eval", "-p", "--print":
			if mt, found := nodeproj.MentionIn(v, devs); found {
				return fmt.Sprintf("runs node %s with code that names the devDependency %s", opt, mt.Package)
			}
		}
	}
	return ""
}

func trueSlice(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}
