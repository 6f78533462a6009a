package layerorder

// What dockslim knows of language package managers: which files an install
// reads (its manifests), what it writes inside the project, and whether it
// needs the whole source.

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/strset"
	"github.com/dockslim/dockslim/shellcmd"
)

// toolKind classifies a language tool's command.
type toolKind int

const (
	kindOther   toolKind = iota // installs from a registry, configures, cleans: no project files
	kindInstall                 // installs dependencies from manifests only
	kindProject                 // installs dependencies and the project itself (needs the tree)
	kindBuild                   // builds or runs the project (needs the tree)
)

// manifest is a file (or folder) an install reads, relative to the folder
// it runs in.
type manifest struct {
	rel      string
	optional bool // read when present
	likely   bool // optional, but assumed present when there is no build context (lock files)
	dir      bool // a folder (.yarn, .mvn)
	glob     bool // a pattern (*.csproj)
}

// toolRun describes one command of a language tool.
type toolRun struct {
	eco  string // "pip", "npm", ... (for messages and .dockerignore entries)
	kind toolKind
	// files are the manifests of an install (kindInstall, kindProject).
	files []manifest
	// reads are other files it reads (pip install ./x.whl).
	reads []string
	// outputs are files and folders it writes inside the project;
	// rewrites are manifests it may rewrite (npm install and package-lock.json).
	outputs, rewrites []string
	// rewritesUnlessEnv names environment variables that stop the rewrite.
	rewritesUnlessEnv []string
	// tree: it reads the whole project folder; runsScripts: it runs the
	// project's own code, which may write anywhere.
	tree, runsScripts bool
	// project: it installs into tool folders (a virtualenv named by ENV).
	project bool
	// unknown: dockslim cannot tell what it does.
	unknown bool
	// why says why it needs the whole source.
	why string
	// noProject are flags that make a kindProject install dependency-only.
	noProject []string
	// step is the dependency download a kindBuild command can be given.
	step *stepSpec
	// report is advice for builds dockslim does not fix (Gradle, Cargo).
	report string
}

// stepSpec is a dependency download command to insert before the source
// copy, and the manifests it needs.
type stepSpec struct {
	argv  []string
	files []manifest
}

func files(fs ...string) []manifest {
	var out []manifest
	for _, f := range fs {
		m := manifest{rel: f}
		if r, ok := strings.CutSuffix(f, "+"); ok {
			f, m.rel, m.likely = r, r, true
		}
		if r, ok := strings.CutSuffix(f, "?"); ok {
			m.rel, m.optional = r, true
		}
		if r, ok := strings.CutSuffix(m.rel, "/"); ok {
			m.rel, m.dir = r, true
		}
		m.glob = strings.ContainsAny(m.rel, "*?[")
		out = append(out, m)
	}
	return out
}

var (
	pipValueOpts  = shellcmd.Pip.ValueOpts
	npmValueOpts  = shellcmd.Npm.ValueOpts
	mvnValueOpts  = strset.Set{"-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-P", "--activate-profiles", "-pl", "--projects", "-rf", "--resume-from", "-T", "--threads", "-t", "--toolchains", "-l", "--log-file", "-b", "--builder", "-D"}
	goValueOpts   = strset.Set{"-o", "-C", "-mod", "-tags", "-ldflags", "-gcflags", "-p", "-modfile", "-trimpath", "-buildvcs"}
	dotValueOpts  = strset.Set{"-c", "--configuration", "-o", "--output", "-r", "--runtime", "-f", "--framework", "-s", "--source", "-v", "--verbosity", "-a", "--arch", "--os", "-p", "--property", "--packages", "--configfile"}
	cargoValOpts  = strset.Set{"--path", "--root", "--version", "--git", "--branch", "--tag", "--rev", "-p", "--package", "--target", "--features", "-F", "-j", "--jobs", "--profile", "--manifest-path"}
	composerValue = shellcmd.Composer.ValueOpts
)

// describe returns what dockslim knows about a language tool's command, or
// nil when the command is not one.
func describe(c *command, cwd string) *toolRun {
	name := c.name
	switch {
	case shellcmd.IsPip(name):
		return describePip(c, 0)
	case name == "uv":
		return describeUV(c)
	case name == "poetry":
		return describePoetry(c)
	case name == "pipenv":
		return describePipenv(c)
	case name == "venv" || name == "virtualenv":
		pos, _ := c.positional(nil)
		return &toolRun{eco: "python", outputs: pos}
	case name == "npm":
		return describeNpm(c)
	case name == "yarn":
		return describeYarn(c)
	case name == "pnpm":
		return describePnpm(c)
	case name == "corepack", name == "gem":
		t := &toolRun{eco: "node"}
		if name == "gem" {
			t.eco = "ruby"
			pos, _ := c.positional(strset.Set{"-v", "--version", "-i", "--install-dir", "--source", "-s"})
			if len(pos) > 0 && pos[0] == "build" {
				return &toolRun{eco: "ruby", kind: kindBuild, tree: true, runsScripts: true}
			}
			for _, p := range pos {
				if looksLikePath(p) {
					t.reads = append(t.reads, p)
				}
			}
		}
		return t
	case name == "go":
		return describeGo(c)
	case name == "bundle" || name == "bundler":
		return describeBundle(c)
	case name == "composer" || name == "composer.phar":
		return describeComposer(c)
	case name == "mvn" || name == "mvnw":
		return describeMaven(c)
	case name == "gradle" || name == "gradlew":
		return &toolRun{eco: "gradle", kind: kindBuild, tree: true, runsScripts: true,
			report: "Gradle resolves dependencies while it builds; copy settings.gradle(.kts), build.gradle(.kts) and gradle/ first and run `gradle dependencies` (or use a BuildKit cache mount on /root/.gradle) so a source change does not download them again"}
	case name == "cargo":
		return describeCargo(c)
	case name == "dotnet":
		return describeDotnet(c)
	}
	return nil
}

func describePip(c *command, skip int) *toolRun {
	pos, _ := c.positional(pipValueOpts)
	pos = pos[min(skip, len(pos)):]
	t := &toolRun{eco: "python", project: true}
	if len(pos) == 0 {
		return t
	}
	switch pos[0] {
	case "install":
		for _, r := range c.optValues("-r", "--requirement", "-c", "--constraint") {
			t.files = append(t.files, manifest{rel: r})
		}
		for _, e := range c.optValues("-e", "--editable") {
			if looksLikePath(e) || !strings.Contains(e, "://") {
				t.tree = true
				t.why = "`pip install -e " + e + "` installs the project from its source"
			}
		}
		for _, p := range pos[1:] {
			if p == "." || p == "./" || p == ".." {
				t.tree = true
				t.why = "`pip install " + p + "` builds the project from the whole source"
			} else if looksLikePath(p) {
				t.reads = append(t.reads, p)
			}
		}
		for _, fl := range c.optValues("-f", "--find-links") {
			if !strings.Contains(fl, "://") {
				t.reads = append(t.reads, fl)
			}
		}
		t.outputs = append(t.outputs, c.optValues("-t", "--target", "--prefix", "--root", "--src")...)
		if t.tree {
			t.kind = kindBuild
			t.runsScripts = true
		} else if len(t.files) > 0 {
			t.kind = kindInstall
		}
	case "download", "wheel":
		t.files = nil
		dirs := c.optValues("-d", "--dest", "-w", "--wheel-dir")
		if len(dirs) == 0 {
			dirs = []string{"."}
		}
		t.outputs = dirs
		for _, r := range c.optValues("-r", "--requirement", "-c", "--constraint") {
			t.reads = append(t.reads, r)
		}
	}
	return t
}

func describeUV(c *command) *toolRun {
	pos, _ := c.positional(strset.Set{"-p", "--python", "--project", "--directory", "--package", "--extra", "--group", "-o", "--output-file", "--index-url", "--extra-index-url", "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--prefix", "--only-group"})
	if len(pos) == 0 {
		return &toolRun{eco: "python"}
	}
	switch pos[0] {
	case "pip":
		return describePip(c, 1)
	case "sync":
		if c.has("--project", "--directory", "--package") {
			return &toolRun{eco: "python", kind: kindBuild, tree: true, why: "uv sync with --project, --directory or --package"}
		}
		t := &toolRun{eco: "python", kind: kindInstall, project: true,
			files: files("pyproject.toml", "uv.lock", ".python-version?"), outputs: []string{".venv"}}
		if !c.has("--locked", "--frozen") {
			t.rewrites = []string{"uv.lock"}
		}
		if !c.has("--no-install-project", "--no-install-workspace") {
			t.kind, t.noProject = kindProject, []string{"--no-install-project"}
			t.why = "`uv sync` also installs the project itself"
		}
		return t
	case "venv":
		out := ".venv"
		if len(pos) > 1 {
			out = pos[1]
		}
		return &toolRun{eco: "python", outputs: []string{out}}
	case "tool", "python", "cache", "self", "--version", "version":
		// uv reads its settings from the project it runs in
		return &toolRun{eco: "python", reads: []string{"pyproject.toml", "uv.toml"}}
	}
	return &toolRun{eco: "python", kind: kindBuild, tree: true, runsScripts: true, why: "`uv " + pos[0] + "` works on the project"}
}

func describePoetry(c *command) *toolRun {
	pos, _ := c.positional(strset.Set{"--with", "--without", "--only", "-E", "--extras", "-C", "--directory", "-P", "--project", "-o", "--output", "-f", "--format"})
	if len(pos) == 0 {
		return &toolRun{eco: "python"}
	}
	switch pos[0] {
	case "install", "sync":
		if c.has("-C", "--directory", "-P", "--project") {
			return &toolRun{eco: "python", kind: kindBuild, tree: true, why: "poetry install with --directory"}
		}
		t := &toolRun{eco: "python", kind: kindInstall, project: true,
			files:   files("pyproject.toml", "poetry.lock?+", "poetry.toml?"),
			outputs: []string{".venv"}}
		if c.has("--only-root") {
			t.kind, t.tree = kindBuild, true
			t.why = "`poetry install --only-root` installs the project itself"
		} else if !c.has("--no-root") {
			t.kind, t.noProject = kindProject, []string{"--no-root"}
			t.why = "`poetry install` also installs the project itself"
		}
		return t
	case "config":
		if c.has("--local") {
			return &toolRun{eco: "python", outputs: []string{"poetry.toml"}}
		}
		return &toolRun{eco: "python"}
	case "self", "--version", "cache", "source":
		return &toolRun{eco: "python"}
	case "export":
		return &toolRun{eco: "python", reads: []string{"pyproject.toml", "poetry.lock"}, outputs: c.optValues("-o", "--output")}
	}
	return &toolRun{eco: "python", kind: kindBuild, tree: true, runsScripts: true, why: "`poetry " + pos[0] + "` works on the project"}
}

func describePipenv(c *command) *toolRun {
	pos, _ := c.positional(strset.Set{"--python", "-r", "--requirements", "--categories", "--extra-pip-args"})
	if len(pos) == 0 {
		return &toolRun{eco: "python"}
	}
	switch pos[0] {
	case "install", "sync":
		if len(pos) > 1 || c.has("-r", "--requirements", "-e", "--editable") {
			return &toolRun{eco: "python", kind: kindBuild, tree: true, why: "`pipenv install PACKAGE` changes the Pipfile"}
		}
		t := &toolRun{eco: "python", kind: kindInstall, project: true,
			files: files("Pipfile", "Pipfile.lock?+"), outputs: []string{".venv"}}
		if pos[0] == "sync" || c.has("--deploy") {
			t.files = files("Pipfile", "Pipfile.lock")
		}
		if pos[0] == "install" && !c.has("--deploy", "--ignore-pipfile") {
			t.rewrites = []string{"Pipfile.lock"}
		}
		return t
	case "--version":
		return &toolRun{eco: "python"}
	}
	return &toolRun{eco: "python", kind: kindBuild, tree: true, runsScripts: true, why: "`pipenv " + pos[0] + "` works on the project"}
}

var nodeRC = []string{".npmrc?"}

// nodeConfig are the project files a Node tool reads in the folder it runs
// in, even for a global install.
var nodeConfig = []string{".npmrc", ".yarnrc", ".yarnrc.yml", "package.json"}

// npmConfig are the project files npm and pnpm read for their own settings
// (the cache or store folder): .npmrc, found next to package.json.
var npmConfig = []string{".npmrc", "package.json"}

func describeNpm(c *command) *toolRun {
	if c.has("--prefix", "-C", "--workspace", "-w", "--workspaces", "-ws") {
		return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "npm with --prefix or workspaces"}
	}
	pos, _ := c.positional(npmValueOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "node"}
	}
	global := c.has("-g", "--global", "--location=global")
	switch pos[0] {
	case "ci", "clean-install", "ic", "install-clean", "isntall-clean":
		return &toolRun{eco: "node", kind: kindInstall, files: files(append([]string{"package.json", "package-lock.json", "npm-shrinkwrap.json?"}, nodeRC...)...),
			outputs: []string{"node_modules"}}
	case "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add":
		if global {
			t := &toolRun{eco: "node", reads: nodeConfig}
			for _, p := range pos[1:] {
				if looksLikePath(p) {
					t.reads = append(t.reads, p)
				}
			}
			return t
		}
		if len(pos) > 1 {
			return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "`npm install PACKAGE` changes package.json"}
		}
		return &toolRun{eco: "node", kind: kindInstall, files: files(append([]string{"package.json", "package-lock.json?+", "npm-shrinkwrap.json?"}, nodeRC...)...),
			outputs: []string{"node_modules"}, rewrites: []string{"package-lock.json"}}
	case "cache":
		// npm cache clean/verify/ls: the cache folder, configured in .npmrc
		// (the project's is next to its package.json); not the source.
		return &toolRun{eco: "node", reads: npmConfig}
	case "config", "set", "get", "login", "logout", "version", "--version", "-v", "view", "info", "whoami", "ping", "doctor", "help":
		return &toolRun{eco: "node", reads: nodeConfig}
	case "uninstall", "remove", "rm", "un", "r", "update", "up", "upgrade":
		if global {
			return &toolRun{eco: "node", reads: nodeConfig}
		}
	}
	return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "`npm " + pos[0] + "` runs the project's scripts"}
}

func describeYarn(c *command) *toolRun {
	if c.has("--cwd", "--modules-folder") {
		return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "yarn with --cwd"}
	}
	pos, _ := c.positional(strset.Set{"--cwd", "--network-timeout", "--registry", "--cache-folder", "--mutex", "--modules-folder"})
	sub := ""
	if len(pos) > 0 {
		sub = pos[0]
	}
	switch sub {
	case "", "install":
		if sub == "" && len(pos) > 0 {
			break
		}
		t := &toolRun{eco: "node", kind: kindInstall,
			files:   files("package.json", "yarn.lock", ".yarnrc?", ".yarnrc.yml?", ".yarn/?", ".npmrc?"),
			outputs: []string{"node_modules", ".pnp.cjs", ".pnp.loader.mjs", ".yarn/install-state.gz", ".yarn/unplugged"}}
		if !c.has("--frozen-lockfile", "--immutable", "--pure-lockfile") {
			t.rewrites = []string{"yarn.lock"}
			t.files[1].optional, t.files[1].likely = true, true
		}
		return t
	case "global", "cache", "--version", "-v", "version", "info", "login", "logout":
		return &toolRun{eco: "node", reads: nodeConfig}
	case "config":
		if len(pos) > 1 && pos[1] == "get" {
			return &toolRun{eco: "node"}
		}
	}
	return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "`yarn " + sub + "` works on the project"}
}

func describePnpm(c *command) *toolRun {
	if c.has("--dir", "-C", "--filter", "-F", "--recursive", "-r") {
		return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "pnpm with --dir, --filter or --recursive"}
	}
	pos, _ := c.positional(strset.Set{"--store-dir", "--registry", "--reporter", "--virtual-store-dir"})
	if len(pos) == 0 {
		return &toolRun{eco: "node"}
	}
	global := c.has("-g", "--global")
	switch pos[0] {
	case "install", "i":
		if global {
			return &toolRun{eco: "node", reads: nodeConfig}
		}
		if len(pos) > 1 {
			break
		}
		t := &toolRun{eco: "node", kind: kindInstall,
			files:   files("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml?", ".npmrc?", ".pnpmfile.cjs?"),
			outputs: []string{"node_modules"}}
		if !c.has("--frozen-lockfile") {
			t.rewrites = []string{"pnpm-lock.yaml"}
			t.files[1].optional, t.files[1].likely = true, true
		}
		return t
	case "fetch":
		return &toolRun{eco: "node", kind: kindInstall, files: files("pnpm-lock.yaml", "pnpm-workspace.yaml?", ".npmrc?")}
	case "add":
		if global {
			return &toolRun{eco: "node", reads: nodeConfig}
		}
	case "store":
		// pnpm store prune/path/status: the store, configured in .npmrc or
		// pnpm-workspace.yaml; not the source.
		return &toolRun{eco: "node", reads: append([]string{"pnpm-workspace.yaml"}, npmConfig...)}
	case "config", "setup", "env", "--version", "-v", "self-update":
		return &toolRun{eco: "node", reads: nodeConfig}
	}
	return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "`pnpm " + pos[0] + "` works on the project"}
}

func describeGo(c *command) *toolRun {
	pos, _ := c.positional(goValueOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "go"}
	}
	if c.has("-C") {
		return &toolRun{eco: "go", kind: kindBuild, tree: true, runsScripts: true, why: "go -C"}
	}
	goStep := &stepSpec{argv: []string{"go", "mod", "download"}, files: files("go.mod", "go.sum?+")}
	switch pos[0] {
	case "mod":
		if len(pos) > 1 && pos[1] == "download" {
			return &toolRun{eco: "go", kind: kindInstall, files: files("go.mod", "go.sum?+")}
		}
		return &toolRun{eco: "go", kind: kindBuild, tree: true, why: "`go mod " + strings.Join(pos[1:2], "") + "` works on the source"}
	case "install":
		remote := len(pos) > 1
		for _, p := range pos[1:] {
			remote = remote && strings.Contains(p, "@")
		}
		if remote {
			return &toolRun{eco: "go"}
		}
		fallthrough
	case "build", "test", "vet", "generate", "run", "list":
		t := &toolRun{eco: "go", kind: kindBuild, tree: true, step: goStep, why: "`go " + pos[0] + "` compiles the source"}
		t.outputs = c.optValues("-o")
		if pos[0] == "run" || pos[0] == "generate" || pos[0] == "test" {
			t.runsScripts = true
		}
		return t
	case "env", "version", "clean", "telemetry":
		return &toolRun{eco: "go"}
	}
	return &toolRun{eco: "go", kind: kindBuild, tree: true, runsScripts: true, why: "`go " + pos[0] + "` works on the source"}
}

func describeBundle(c *command) *toolRun {
	pos, _ := c.positional(strset.Set{"--gemfile", "--path", "-j", "--jobs", "--retry", "--without", "--with", "--binstubs"})
	sub := "install"
	if len(pos) > 0 {
		sub = pos[0]
	}
	switch sub {
	case "install":
		if c.has("--gemfile") {
			return &toolRun{eco: "ruby", kind: kindBuild, tree: true, why: "bundle install --gemfile"}
		}
		t := &toolRun{eco: "ruby", kind: kindInstall, project: true,
			files: files("Gemfile", "Gemfile.lock?+", ".bundle/?"), outputs: append([]string{"vendor/bundle"}, c.optValues("--path")...)}
		if !c.has("--frozen", "--deployment") {
			t.rewrites = []string{"Gemfile.lock"}
			t.rewritesUnlessEnv = []string{"BUNDLE_FROZEN", "BUNDLE_DEPLOYMENT"}
		}
		return t
	case "config":
		if c.has("--local") {
			return &toolRun{eco: "ruby", outputs: []string{".bundle"}}
		}
		return &toolRun{eco: "ruby"}
	case "--version", "version", "clean", "cache":
		if sub == "clean" || sub == "cache" {
			break
		}
		return &toolRun{eco: "ruby"}
	}
	return &toolRun{eco: "ruby", kind: kindBuild, tree: true, runsScripts: true, why: "`bundle " + sub + "` works on the project"}
}

func describeComposer(c *command) *toolRun {
	if c.has("-d", "--working-dir") {
		return &toolRun{eco: "php", kind: kindBuild, tree: true, runsScripts: true, why: "composer --working-dir"}
	}
	pos, _ := c.positional(composerValue)
	if len(pos) == 0 {
		return &toolRun{eco: "php"}
	}
	switch pos[0] {
	case "install", "i":
		t := &toolRun{eco: "php", kind: kindInstall, files: files("composer.json", "composer.lock?+", "auth.json?"),
			outputs: []string{"vendor"}}
		var missing []string
		for _, fl := range []string{"--no-scripts", "--no-autoloader"} {
			if !c.has(fl) {
				missing = append(missing, fl)
			}
		}
		if len(missing) > 0 {
			t.kind, t.noProject = kindProject, missing
			t.why = "`composer install` runs the project's scripts and builds its autoloader from the source"
		}
		return t
	case "global", "self-update", "selfupdate", "clear-cache", "clearcache", "cc", "diagnose", "--version", "-V":
		return &toolRun{eco: "php"}
	case "config":
		if c.has("-g", "--global") {
			return &toolRun{eco: "php"}
		}
	}
	return &toolRun{eco: "php", kind: kindBuild, tree: true, runsScripts: true, why: "`composer " + pos[0] + "` works on the project"}
}

var mavenDepGoals = strset.Set{"dependency:go-offline", "dependency:resolve", "dependency:resolve-plugins",
	"de.qaware.maven:go-offline-maven-plugin:resolve-dependencies"}

func describeMaven(c *command) *toolRun {
	pos, _ := c.positional(mvnValueOpts)
	argv0 := "mvn"
	wrapper := []string{}
	if c.name == "mvnw" {
		argv0 = "./mvnw"
		if c.sh != nil {
			if v, ok := c.sh.Arg(0); ok {
				argv0 = v
			}
		}
		wrapper = []string{path.Clean(argv0), ".mvn/"}
	}
	pom := "pom.xml"
	if f := c.optValues("-f", "--file"); len(f) > 0 {
		pom = f[0]
	}
	deps := len(pos) > 0
	for _, g := range pos {
		deps = deps && mavenDepGoals.Has(g)
	}
	if deps {
		return &toolRun{eco: "maven", kind: kindInstall, files: files(append([]string{pom}, wrapper...)...)}
	}
	argv := []string{argv0}
	for _, a := range c.args {
		if a.v == "-B" || a.v == "--batch-mode" || a.v == "-q" || a.v == "--quiet" || a.v == "-ntp" || a.v == "--no-transfer-progress" {
			argv = append(argv, a.v)
		}
	}
	if pom != "pom.xml" {
		argv = append(argv, "-f", pom)
	}
	argv = append(argv, "dependency:go-offline")
	return &toolRun{eco: "maven", kind: kindBuild, tree: true, runsScripts: true, outputs: []string{"target"},
		why:  "Maven builds the project from the source",
		step: &stepSpec{argv: argv, files: files(append([]string{pom}, wrapper...)...)}}
}

func describeCargo(c *command) *toolRun {
	pos, _ := c.positional(cargoValOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "rust"}
	}
	switch pos[0] {
	case "install":
		if !c.has("--path") && len(pos) > 1 {
			return &toolRun{eco: "rust"}
		}
	case "--version", "version":
		return &toolRun{eco: "rust"}
	}
	return &toolRun{eco: "rust", kind: kindBuild, tree: true, runsScripts: true, outputs: []string{"target"},
		why:    "Cargo compiles the project from the source",
		report: "Cargo downloads and compiles every dependency while it builds the crate; dockslim does not split this (the dummy-main trick can ship a stale binary): use cargo-chef, or BuildKit cache mounts on /usr/local/cargo/registry and target"}
}

func describeDotnet(c *command) *toolRun {
	pos, _ := c.positional(dotValueOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "dotnet"}
	}
	proj := files("*.csproj", "NuGet.config?", "nuget.config?", "global.json?", "Directory.Build.props?", "Directory.Packages.props?", "Directory.Build.targets?")
	projArg := ""
	if len(pos) > 1 && (strings.HasSuffix(pos[1], "proj") || strings.HasSuffix(pos[1], ".sln")) {
		projArg = pos[1]
		proj[0] = manifest{rel: projArg}
	}
	switch pos[0] {
	case "restore":
		return &toolRun{eco: "dotnet", kind: kindInstall, files: proj, outputs: []string{"obj"}}
	case "build", "publish", "test", "pack", "run":
		argv := []string{"dotnet", "restore"}
		if projArg != "" {
			argv = append(argv, projArg)
		}
		t := &toolRun{eco: "dotnet", kind: kindBuild, tree: true, outputs: append([]string{"obj", "bin"}, c.optValues("-o", "--output")...),
			why:  "`dotnet " + pos[0] + "` compiles the source",
			step: &stepSpec{argv: argv, files: proj}}
		if pos[0] == "run" || pos[0] == "test" {
			t.runsScripts = true
		}
		return t
	case "tool", "nuget", "--info", "--version", "new", "dev-certs", "workload":
		if pos[0] != "new" {
			return &toolRun{eco: "dotnet"}
		}
	}
	return &toolRun{eco: "dotnet", kind: kindBuild, tree: true, runsScripts: true, why: "`dotnet " + pos[0] + "` works on the project"}
}

// ecosystemCheck reads a manifest from the context: files it includes, and
// why the install would need the whole source.
func (a *analysis) ecosystemCheck(ta toolAt, mf manifest, ctxRel string) (more []manifest, why string) {
	base := path.Base(mf.rel)
	text, _ := a.ctx.read(ctxRel)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	switch {
	case base == "package.json":
		var pj struct {
			Scripts    map[string]any `json:"scripts"`
			Workspaces any            `json:"workspaces"`
			Pnpm       struct {
				Patched any `json:"patchedDependencies"`
			} `json:"pnpm"`
			Deps     map[string]any `json:"dependencies"`
			DevDeps  map[string]any `json:"devDependencies"`
			OptDeps  map[string]any `json:"optionalDependencies"`
			Override map[string]any `json:"overrides"`
			Resolve  map[string]any `json:"resolutions"`
		}
		if json.Unmarshal([]byte(text), &pj) != nil {
			return nil, ""
		}
		if pj.Workspaces != nil {
			return nil, "package.json declares workspaces; the install needs every workspace's package.json"
		}
		if pj.Pnpm.Patched != nil {
			return nil, "package.json patches dependencies with files from the source (pnpm.patchedDependencies)"
		}
		for _, deps := range []map[string]any{pj.Deps, pj.DevDeps, pj.OptDeps, pj.Override, pj.Resolve} {
			for name, v := range deps {
				if spec, ok := v.(string); ok && localSpec(spec) {
					return nil, fmt.Sprintf("package.json takes %s from the source (%q)", name, spec)
				}
			}
		}
		if !fromShell(ta.cmd).has("--ignore-scripts") {
			for _, s := range []string{"preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"} {
				if _, ok := pj.Scripts[s]; ok {
					return nil, fmt.Sprintf("package.json has a %q script, which the install runs and which may need the source (add --ignore-scripts to the install if it does not)", s)
				}
			}
		}
	case base == "pnpm-workspace.yaml":
		for _, l := range lines {
			if strings.HasPrefix(l, "packages:") {
				return nil, "pnpm-workspace.yaml lists workspace packages; the install needs each of their package.json files"
			}
		}
	case base == "Pipfile":
		if localPathDep(lines) {
			return nil, "the Pipfile installs a local path, which needs the source"
		}
	case base == "pyproject.toml":
		if localPathDep(lines) {
			return nil, "pyproject.toml has a path dependency, which needs the source"
		}
		for _, l := range lines {
			t := strings.TrimSpace(l)
			switch {
			case t == "[tool.uv.workspace]":
				return nil, "pyproject.toml declares a uv workspace; the install needs the members' pyproject.toml files"
			case strings.HasPrefix(t, "readme") && ta.cmd.Name == "poetry":
				if _, v, ok := strings.Cut(t, "="); ok {
					v = strings.Trim(strings.TrimSpace(v), `"'`)
					if v != "" && !strings.ContainsAny(v, "[{") {
						more = append(more, manifest{rel: v, optional: true})
					}
				}
			}
		}
	case base == "Gemfile":
		for _, l := range lines {
			t := strings.TrimSpace(l)
			if t == "gemspec" || strings.HasPrefix(t, "gemspec ") || strings.Contains(t, "path:") || strings.Contains(t, ":path") {
				return nil, "the Gemfile uses gemspec or a local path, which needs the source"
			}
			for _, v := range []string{".ruby-version", ".tool-versions"} {
				if strings.HasPrefix(t, "ruby ") && strings.Contains(t, v) {
					more = append(more, manifest{rel: v})
				}
			}
		}
	case base == "composer.json":
		var cj struct {
			Repositories any `json:"repositories"`
		}
		if json.Unmarshal([]byte(text), &cj) == nil && cj.Repositories != nil {
			raw, _ := json.Marshal(cj.Repositories)
			if strings.Contains(string(raw), `"type":"path"`) {
				return nil, "composer.json has a path repository, which needs the source"
			}
		}
	case strings.HasSuffix(base, ".xml") && ta.t.eco == "maven":
		if strings.Contains(text, "<modules>") {
			return nil, "pom.xml is a multi-module build; the install needs every module's pom.xml"
		}
	case base == "go.mod":
		for _, l := range lines {
			if _, target, ok := strings.Cut(l, "=>"); ok {
				if t := strings.TrimSpace(target); strings.HasPrefix(t, ".") || strings.HasPrefix(t, "/") {
					return nil, "go.mod replaces a module with a local folder (" + strings.TrimSpace(l) + "), which needs the source"
				}
			}
		}
		dir := path.Dir(ctxRel)
		if a.ctx.file(path.Join(dir, "vendor/modules.txt")) {
			return nil, "the Go modules are vendored (vendor/modules.txt): the build downloads nothing"
		}
		if a.ctx.file(path.Join(dir, "go.work")) {
			return nil, "go.work makes this a Go workspace; the download needs every module's go.mod"
		}
	case strings.HasSuffix(base, ".csproj") && ta.t.eco == "dotnet":
		if len(a.ctx.glob(path.Join(path.Dir(ctxRel), "*.sln"))) > 0 {
			return nil, "a .sln file: the restore needs every project file in its own folder"
		}
		if strings.Contains(text, "<ProjectReference") {
			return nil, base + " references other projects, whose project files the restore needs"
		}
	case shellcmd.IsPip(ta.cmd.Name) || ta.cmd.Name == "uv" && base != "uv.lock" && base != ".python-version":
		// a requirements or constraints file
		return requirementIncludes(lines, mf.rel)
	}
	return more, ""
}

// localSpec reports a package.json version that points into the source
// (file:, link:, portal:, patch: and workspace: protocols, relative paths).
func localSpec(spec string) bool {
	for _, p := range []string{"file:", "link:", "portal:", "patch:", "workspace:", "./", "../", "/"} {
		if strings.HasPrefix(spec, p) || p == "patch:" && strings.Contains(spec, "patch:") {
			return true
		}
	}
	return false
}

// localPathDep reports a dependency with a path key in a Pipfile or
// pyproject.toml (foo = {path = "../foo"}, or a [...dependencies.foo]
// table with path = ...), looking only at dependency and source tables.
func localPathDep(lines []string) bool {
	deps := false
	for _, l := range lines {
		t := strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if strings.HasPrefix(t, "[") {
			h := strings.ToLower(t)
			deps = strings.Contains(h, "dependencies") || strings.Contains(h, "packages") || strings.Contains(h, "sources")
			continue
		}
		if !deps {
			continue
		}
		if i := strings.Index(t, "{"); i >= 0 && strings.Contains(t[i:], "path=") || strings.HasPrefix(t, "path=") {
			return true
		}
	}
	return false
}

// requirementIncludes reads a pip requirements file: the files it includes
// (-r, -c) and the lines that need the source (local paths, editables).
func requirementIncludes(lines []string, name string) (more []manifest, why string) {
	for _, l := range lines {
		if i := strings.Index(l, " #"); i >= 0 {
			l = l[:i]
		}
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		for _, opt := range []string{"--requirement", "--constraint", "-r", "-c"} {
			if v, ok := strings.CutPrefix(t, opt); ok && (v == "" || v[0] == ' ' || v[0] == '=' || len(opt) == 2) {
				v = strings.TrimSpace(strings.TrimPrefix(v, "="))
				if v != "" && !strings.Contains(v, "://") {
					more = append(more, manifest{rel: v})
				}
				t = ""
				break
			}
		}
		switch {
		case t == "":
		case strings.HasPrefix(t, "-e") || strings.HasPrefix(t, "--editable"):
			return nil, fmt.Sprintf("%s has an editable requirement (%s), which needs the source", name, t)
		case strings.HasPrefix(t, "-f") || strings.HasPrefix(t, "--find-links"):
			if !strings.Contains(t, "://") {
				return nil, fmt.Sprintf("%s reads packages from a local folder (%s)", name, t)
			}
		case strings.HasPrefix(t, ".") || strings.HasPrefix(t, "/") || strings.HasPrefix(t, "file:") || strings.Contains(t, "@ file:"):
			return nil, fmt.Sprintf("%s installs a local path (%s), which needs the source", name, t)
		}
	}
	return more, ""
}
