package layerorder

import (
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleDepsBeforeSource is DS301.
var RuleDepsBeforeSource = &rewrite.Rule{
	ID:      "DS301",
	Name:    "deps-before-source",
	Summary: "dependencies are installed after the whole source is copied; copy the manifests and install first",
	Explanation: `A COPY of the whole build context (COPY . /app) changes whenever any source
file changes, and every instruction after it runs again. When the dependency
install comes after that copy, a one-line source edit reinstalls every package.

dockslim copies only the files the install reads (requirements*.txt named by
-r/-c and the files they include, Pipfile + Pipfile.lock, pyproject.toml +
poetry.lock / uv.lock, package.json + lock file + .npmrc/.yarnrc.yml/.yarn,
go.mod + go.sum, Gemfile + Gemfile.lock, composer.json + composer.lock,
pom.xml, *.csproj) to the same destination first, runs the install, and copies
the source after it. The broad COPY moves below the install (or the install
moves above it, when something in between needs the source); the RUN keeps the
same WORKDIR, ENV and USER, and the image ends up with the same files.

Installs that also install the project (poetry install, uv sync, composer
install) get a dependency-only run first (--no-root, --no-install-project,
--no-scripts --no-autoloader) and keep their original RUN after the copy. Go,
Maven and .NET builds get a download step (go mod download, mvn
dependency:go-offline, dotnet restore) before the source copy.

Python local projects are copied with the manifests: the folders and wheels
a requirements file (followed through -r/-c) or the command line names
(./libs/pkg, -e ./libs/pkg, file:./pkg, pkg @ file:///app/pkg, -f ./wheels),
when each is a project whose build reads only its own folder (no
setuptools_scm, no parent paths) and the context has no build/ or
*.egg-info there, which pip's in-tree build writes. pip install . of a
project with dependencies gets a stub run first: its metadata files
(pyproject.toml, setup.cfg, a plain setup.py) and what its build backend
reads (readme, license, version and requirements files) are copied, and the
same command runs on them, installing the dependencies and a project
without code that the install after the source copy replaces; dockslim
declines, naming why, for a setup.py that runs code, listed packages, a
version from a module or from git, and build backends other than
setuptools, and says nothing for a project without dependencies.

dockslim reads the build context: it copies only manifests that exist and that
.dockerignore does not exclude (with moby's own pattern matcher), follows -r
includes, and leaves the install alone, with the reason, when it needs the
whole source (pip install -e . in a requirements file, npm lifecycle scripts,
workspaces, gemspec, path repositories, multi-module builds) or when the
context holds what the install writes (node_modules, .venv, vendor). Without a build context the manifests
are inferred from the command and the fix is unsafe. Gradle and Cargo builds
are only reported.`,
	Before: `WORKDIR /app
COPY . .
RUN pip install -r requirements.txt`,
	After: `WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .`,
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
}

// SplitPass is the layerorder-split pass.
var SplitPass = &rewrite.Pass{Name: "layerorder-split", Rules: []*rewrite.Rule{RuleDepsBeforeSource}, Run: runSplit}

func runSplit(c *rewrite.Context) {
	a := newAnalysis(c)
	for _, st := range a.f.Stages {
		for _, in := range st.Instructions {
			b := a.broadCopy(in)
			if b == nil {
				continue
			}
			if r := a.split(b); r != nil {
				r.report(c)
			}
		}
	}
}

// splitResult is what the pass decided for one broad copy.
type splitResult struct {
	offset int
	msg    string
	edits  []textedit.Edit
	unsafe []string
	// decline: report only (msg explains).
	decline bool
}

func (r *splitResult) report(c *rewrite.Context) {
	if r.decline || len(r.edits) == 0 {
		c.Reportf(RuleDepsBeforeSource, r.offset, "%s", r.msg)
		return
	}
	app := rewrite.Safe
	msg := r.msg
	if len(r.unsafe) > 0 {
		app = rewrite.Unsafe
		msg += " (unsafe: " + strings.Join(r.unsafe, "; ") + ")"
	}
	c.Report(rewrite.Finding{Rule: RuleDepsBeforeSource, Offset: r.offset, Message: msg,
		Fix: &rewrite.Fix{Applicability: app, Description: msg, Edits: r.edits}})
}

// split decides what to do for the broad copy b.
func (a *analysis) split(b *broad) *splitResult {
	m := b.m
	st := b.in.Stage
	tail := st.Instructions[indexIn(b.in)+1:]
	eC := m.Effects(b.in)
	var installs []*plan
	canJump := true // the copy can still move below everything seen so far
	var blocker *parser.Instruction
	for j, x := range tail {
		p := a.planFor(b, x)
		if p != nil && a.alreadyDone(b, p) {
			p = nil
		}
		if p != nil {
			if p.kind == planInstall && p.decline == "" && canJump {
				installs = append(installs, p)
				continue
			}
			if len(installs) > 0 {
				break // fix these first; the next round sees the rest
			}
			switch {
			case p.decline != "":
				return a.declined(b, p)
			case p.kind == planInstall:
				return a.moveUp(b, p, tail[:j], blocker)
			case p.kind == planProject, p.kind == planStep:
				return a.insertBefore(b, p, tail[:j])
			}
			return nil
		}
		if !Commute(eC, m.Effects(x)) && canJump {
			canJump = false
			blocker = x
		}
	}
	if len(installs) == 0 {
		return nil
	}
	return a.moveDown(b, installs)
}
