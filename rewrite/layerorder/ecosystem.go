package layerorder

// What dockslim knows of language package managers: which files an install
// reads (its manifests), what it writes inside the project, and whether it
// needs the whole source. This file has the shared model, the dispatch
// (describe) and the check of a manifest's contents; ecosystem_*.go
// describe each ecosystem's tools.

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
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
	// fromCwd: a path relative to the folder the install runs in, also
	// when a requirements file names it (pip reads local paths so).
	fromCwd bool
	// pyProject: a local Python project folder pip builds (copied whole);
	// requirements: a pip requirements or constraints file.
	pyProject, requirements bool
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
	// stub: a kindProject install whose dependency-only run is the same
	// command on the project's metadata alone (pip install .): it installs
	// the dependencies and a project without code, which the install after
	// the source copy replaces. others: it also installs requirements
	// from the index (pip install . gunicorn).
	stub, others bool
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
	mvnValueOpts = []string{"-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-P", "--activate-profiles", "-pl", "--projects", "-rf", "--resume-from", "-T", "--threads", "-t", "--toolchains", "-l", "--log-file", "-b", "--builder", "-D"}
	goValueOpts  = []string{"-o", "-C", "-mod", "-tags", "-ldflags", "-gcflags", "-p", "-modfile", "-trimpath", "-buildvcs"}
	dotValueOpts = []string{"-c", "--configuration", "-o", "--output", "-r", "--runtime", "-f", "--framework", "-s", "--source", "-v", "--verbosity", "-a", "--arch", "--os", "-p", "--property", "--packages", "--configfile"}
	cargoValOpts = []string{"--path", "--root", "--version", "--git", "--branch", "--tag", "--rev", "-p", "--package", "--target", "--features", "-F", "-j", "--jobs", "--profile", "--manifest-path"}
)

// describers read the commands of the language tools that have a describer
// of their own, by command name.
var describers = map[string]func(*command) *toolRun{
	"uv": describeUV, "poetry": describePoetry, "pipenv": describePipenv,
	"npm": describeNpm, "yarn": describeYarn, "pnpm": describePnpm,
	"go": describeGo, "cargo": describeCargo, "dotnet": describeDotnet,
	"bundle": describeBundle, "bundler": describeBundle,
	"composer": describeComposer, "composer.phar": describeComposer,
	"mvn": describeMaven, "mvnw": describeMaven,
}

// describe returns what dockslim knows about a language tool's command, or
// nil when the command is not one.
func describe(c *command, cwd string) *toolRun {
	name := c.name
	if d, ok := describers[name]; ok {
		return d(c)
	}
	switch {
	case shellcmd.IsPip(name):
		return describePip(c, 0)
	case name == "venv" || name == "virtualenv":
		pos, _ := c.positional(nil)
		return &toolRun{eco: "python", outputs: pos}
	case name == "corepack", name == "gem":
		t := &toolRun{eco: "node"}
		if name == "gem" {
			t.eco = "ruby"
			pos, _ := c.positional([]string{"-v", "--version", "-i", "--install-dir", "--source", "-s"})
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
	case name == "gradle" || name == "gradlew":
		return &toolRun{eco: "gradle", kind: kindBuild, tree: true, runsScripts: true,
			report: "Gradle resolves dependencies while it builds; copy settings.gradle(.kts), build.gradle(.kts) and gradle/ first and run `gradle dependencies` (or use a BuildKit cache mount on /root/.gradle) so a source change does not download them again"}
	}
	return nil
}

// ecosystemCheck reads a manifest from the context: files it includes, and
// why the install would need the whole source.
func (a *analysis) ecosystemCheck(ta toolAt, mf manifest, ctxRel string) (more []manifest, why string) {
	switch {
	case mf.pyProject:
		return nil, a.localProjectCheck(ctxRel, mf.rel)
	case mf.dir && ta.t.eco == "python":
		return nil, "" // a folder of wheels (pip -f)
	}
	base := path.Base(mf.rel)
	text, _ := a.ctx.read(ctxRel)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	switch {
	case base == "package.json":
		return nil, packageJSONCheck(ta, text)
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
		return pyprojectCheck(ta, lines)
	case base == "Gemfile":
		return gemfileCheck(lines)
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
		return nil, a.goModCheck(lines, ctxRel)
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

// configRun is a tool's `config` command: with --local it writes the
// project's own settings (local: poetry.toml, .bundle), else the user's.
func configRun(c *command, eco, local string) *toolRun {
	if c.has("--local") {
		return &toolRun{eco: eco, outputs: []string{local}}
	}
	return &toolRun{eco: eco}
}
