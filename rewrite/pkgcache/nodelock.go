package pkgcache

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/nodeproj"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/rewrite"
)

const lockfileCommon = `
dockslim reads the package.json and the lock file that the COPYs before the
install bring into its folder (WORKDIR and cd followed, the build context
with .dockerignore applied) and checks them against each other the way the
frozen install does. The fix is safe when they are in sync; it is unsafe
when dockslim cannot tell (an old lock format, workspaces, overrides), and
there is no fix when the frozen install would fail (a dependency missing
from the lock or locked with another range: the finding names it). A lock
file in the context that no COPY brings is reported without a fix: copy it
with package.json first. Installs of named packages, global installs and
installs in another folder (--prefix, --dir, --cwd, workspaces) are left
alone. In exchange the lock file is never rewritten by the install, which
lets DS301 copy the manifests before the source safely.`

// RuleNpmCi is DS150.
var RuleNpmCi = &rewrite.Rule{
	ID:      "DS150",
	Name:    "npm-ci",
	Summary: "npm install with a package-lock.json resolves the dependencies again and may rewrite the lock; npm ci installs exactly what it locks",
	Explanation: `"npm install" with no package names installs from package-lock.json (or
npm-shrinkwrap.json) only as far as it still matches package.json, and may
rewrite the lock; "npm ci" installs exactly what the lock file says, fails
when it does not match package.json, never writes it, and is faster.

dockslim replaces "install" (or an alias: i, add, ...) with "ci", keeping
the options. npm ci deletes a node_modules folder that is already there,
where npm install would have kept what it could: the fix is safe only when
none can be (the stage starts from an official image, no COPY brings one -
with .dockerignore applied - and no earlier command installs or names one);
otherwise it is unsafe and says which instruction may bring it. A lock file
with lockfileVersion 1 records no version ranges: unsafe. An .npmrc or ENV
that turns package-lock off, and --no-package-lock, leave the install alone.
` + lockfileCommon,
	Before: `FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install`,
	After: `FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci`,
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
}

// RuleYarnFrozen is DS151.
var RuleYarnFrozen = &rewrite.Rule{
	ID:      "DS151",
	Name:    "yarn-frozen-lockfile",
	Summary: "yarn install with a yarn.lock may rewrite the lock; --frozen-lockfile (Yarn 2+: --immutable) installs exactly what it locks",
	Explanation: `"yarn install" (or a bare "yarn") updates yarn.lock when package.json no
longer matches it and installs whatever it then resolves; with
--frozen-lockfile (Yarn 1) it installs what yarn.lock says and fails
instead. dockslim adds --frozen-lockfile after the install, or --immutable
for Yarn 2+ (.yarnrc.yml or .yarn/releases in the context, packageManager
naming yarn@2 or later, yarn set version, corepack); --pure-lockfile,
--frozen-lockfile and --immutable already there leave it alone. Yarn 2+'s
--immutable also fails when the lock's checksums or format would change,
which dockslim cannot tell: unsafe.
` + lockfileCommon,
	Before: `FROM node:20
COPY package.json yarn.lock /app/
RUN cd /app && yarn`,
	After: `FROM node:20
COPY package.json yarn.lock /app/
RUN cd /app && yarn --frozen-lockfile`,
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
}

// RulePnpmFrozen is DS152.
var RulePnpmFrozen = &rewrite.Rule{
	ID:      "DS152",
	Name:    "pnpm-frozen-lockfile",
	Summary: "pnpm install with a pnpm-lock.yaml may rewrite the lock; --frozen-lockfile installs exactly what it locks",
	Explanation: `Outside CI, "pnpm install" updates pnpm-lock.yaml when package.json no longer
matches it; with --frozen-lockfile it installs what the lock says and fails
instead. dockslim adds --frozen-lockfile after the install unless it is
there, or --no-frozen-lockfile / --prefer-frozen-lockfile says otherwise.
Lock formats 5.x, 6.0 and 9.0 are read; overrides, patches and pnpmfiles
recorded in the lock make the fix unsafe.
` + lockfileCommon,
	Before: `FROM node:20
WORKDIR /srv
COPY . .
RUN pnpm install`,
	After: `FROM node:20
WORKDIR /srv
COPY . .
RUN pnpm install --frozen-lockfile`,
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
}

// NodeLockPass is the lock-file install pass.
var NodeLockPass = &rewrite.Pass{Name: "node-lockfile", Rules: []*rewrite.Rule{RuleNpmCi, RuleYarnFrozen, RulePnpmFrozen}, Run: runNodeLock}

func runNodeLock(c *rewrite.Context) {
	f := c.File
	for _, in := range langRunInstructions(f) {
		for _, lc := range langCommands(in) {
			ni := nodeInstallOf(f, lc)
			if ni == nil || c.BuildContext == nil {
				continue
			}
			pj := projectOf(c, ni)
			if pj == nil {
				continue
			}
			switch ni.tool {
			case shellcmd.Npm:
				npmCi(c, ni, pj)
			case shellcmd.Yarn:
				yarnFrozen(c, ni, pj)
			case shellcmd.Pnpm:
				pnpmFrozen(c, ni, pj)
			}
		}
	}
}

// lockOf finds the first of the lock file names that a COPY brought into
// the install's folder from the context. When none was and the context
// has one beside package.json, it reports that (use: what to do then).
func lockOf(c *rewrite.Context, r *rewrite.Rule, ni *nodeInstall, pj *nodeProject, use string, names ...string) (name string, lock []byte) {
	for _, n := range names {
		o := sourceOf(c, ni.lc.In, path.Join(ni.cwd, n))
		if b, ok := readOrigin(c, o); ok {
			return n, b
		}
	}
	for _, n := range names {
		if o := contextOrigin(c, pj.pkg.by, path.Join(path.Dir(pj.pkg.rel), n)); o.fromContext() {
			c.Reportf(r, ni.lc.Start(), "%s is in the build context but no COPY before this install brings it to %s: copy it with package.json, then %s",
				o.rel, ni.cwd, use)
			break
		}
	}
	return "", nil
}

// lockFix reports the finding of a lock-file rule: no fix when the frozen
// install would fail, unsafe when dockslim cannot tell or unsafe is set.
func lockFix(c *rewrite.Context, r *rewrite.Rule, ni *nodeInstall, check nodeproj.Check, unsafe string, edits []textedit.Edit, msg string) {
	at := ni.lc.Start()
	switch {
	case check.Status == nodeproj.OutOfSync:
		c.Reportf(r, at, "%s: not made, the frozen install would fail: %s", msg, check.Why)
		return
	case check.Status == nodeproj.Unknown && unsafe == "":
		unsafe = check.Why
	}
	app := rewrite.Safe
	if unsafe != "" {
		app = rewrite.Unsafe
		msg += " (unsafe: " + unsafe + ")"
	}
	c.Report(rewrite.Finding{Rule: r, Offset: at, Message: msg,
		Fix: &rewrite.Fix{Applicability: app, Description: msg, Edits: edits}})
}

func npmCi(c *rewrite.Context, ni *nodeInstall, pj *nodeProject) {
	if v, _ := ni.inv.Value("--package-lock", "--shrinkwrap"); ni.inv.Verb != "install" || v == "false" ||
		ni.inv.Has("--no-package-lock", "--no-shrinkwrap") {
		return
	}
	for _, n := range []string{"npm_config_package_lock", "NPM_CONFIG_PACKAGE_LOCK"} {
		if v, ok := langVar(c.File, ni.lc, n); ok && !langBoolish(v) {
			return
		}
	}
	if npmrc, ok := readOrigin(c, sourceOf(c, ni.lc.In, path.Join(ni.cwd, ".npmrc"))); ok &&
		strings.Contains(strings.ReplaceAll(string(npmrc), " ", ""), "package-lock=false") {
		return
	}
	name, lock := lockOf(c, RuleNpmCi, ni, pj, "use npm ci", "npm-shrinkwrap.json", "package-lock.json")
	if name == "" {
		return
	}
	verb := ni.lc.Args[ni.inv.VerbIndex]
	start, end := ni.verbSpan()
	msg := fmt.Sprintf("npm %s: use npm ci, which installs exactly what %s locks and never rewrites it", verb, name)
	lockFix(c, RuleNpmCi, ni, nodeproj.NpmLock(pj.manifest, name, lock, npmMajor(ni)), nodeModulesMayExist(c, ni),
		[]textedit.Edit{{Start: start, End: end, Text: "ci"}}, msg)
}

func yarnFrozen(c *rewrite.Context, ni *nodeInstall, pj *nodeProject) {
	if ni.inv.Has("--frozen-lockfile", "--pure-lockfile", "--immutable", "--no-lockfile") {
		return
	}
	name, lock := lockOf(c, RuleYarnFrozen, ni, pj, "add --frozen-lockfile", "yarn.lock")
	if name == "" {
		return
	}
	flag, check := "--frozen-lockfile", nodeproj.YarnLock(pj.manifest, lock)
	if why := yarnBerry(c, ni.lc); why != "" || pj.manifest.Berry() {
		flag = "--immutable"
		if check.Status != nodeproj.OutOfSync {
			check = nodeproj.Check{Status: nodeproj.Unknown, Why: "Yarn 2+'s --immutable also fails when the lock's checksums or format would change"}
		}
	}
	lockFix(c, RuleYarnFrozen, ni, check, "", ni.flagEdits(c, flag),
		fmt.Sprintf("%s: add %s, so that the install uses yarn.lock as it is and never rewrites it", shortCmd(ni), flag))
}

func pnpmFrozen(c *rewrite.Context, ni *nodeInstall, pj *nodeProject) {
	if ni.inv.Has("--frozen-lockfile", "--no-frozen-lockfile", "--prefer-frozen-lockfile", "--lockfile-only", "--fix-lockfile") {
		return
	}
	name, lock := lockOf(c, RulePnpmFrozen, ni, pj, "add --frozen-lockfile", "pnpm-lock.yaml")
	if name == "" {
		return
	}
	lockFix(c, RulePnpmFrozen, ni, nodeproj.PnpmLock(pj.manifest, lock), "", ni.flagEdits(c, "--frozen-lockfile"),
		fmt.Sprintf("%s: add --frozen-lockfile, so that the install uses pnpm-lock.yaml as it is and never rewrites it", shortCmd(ni)))
}

// flagEdits inserts an option after the install's verb (after the program
// for a bare yarn).
func (ni *nodeInstall) flagEdits(c *rewrite.Context, flag string) []textedit.Edit {
	i := ni.inv.VerbIndex
	if i < 0 {
		i = 0
	}
	return ni.lc.FlagAfter(c.File, i, flag)
}

// shortCmd is the install's program and verb, for messages.
func shortCmd(ni *nodeInstall) string {
	if ni.inv.VerbIndex < 0 {
		return ni.lc.Name
	}
	return ni.lc.Name + " " + ni.lc.Args[ni.inv.VerbIndex]
}

// npmMajor is the npm version of an official node image (npm 6 until
// node 15, npm 7 from node 16), 0 when unknown.
func npmMajor(ni *nodeInstall) int {
	st := ni.lc.In.Stage
	if !langOfficial(st, "node") {
		return 0
	}
	switch n, ok := nodeproj.NodeMajor(langRootImage(st).Tag); {
	case !ok:
		return 0
	case n < 16:
		return 6
	}
	return 7
}
