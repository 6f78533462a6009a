// Package pyproject reads what a Python project's metadata files
// (pyproject.toml, setup.cfg, setup.py) say about building it: whether it
// declares dependencies, which other files its build backend reads (the
// readme, a version file), and why building it needs more than those
// files: its package sources (explicit package lists, a version read from
// a module, C extensions, a setup.py that runs code, another build
// backend) or files outside its folder (a version from git, a path to a
// parent folder).
//
// The layer-order pass uses it to copy a project's metadata (or a local
// package folder) before the dependency install; it reads the build
// context through an fs.FS (.dockerignore applied).
package pyproject

import (
	"io/fs"
	"path"
	"strings"
)

// Project is what the metadata of one project folder says.
type Project struct {
	// Dir is the folder, as read (a path of the fs.FS).
	Dir string
	// Name is the project's name ("" when the metadata does not say).
	Name string
	// Files are the metadata files present, as paths of the fs.FS.
	Files []string
	// Needs are the other files the build backend reads (readme, license,
	// version or requirements files named in the metadata), as paths of
	// the fs.FS; those it does not find are left out (the build then fails
	// the same way before and after any reordering).
	Needs []string
	// Deps is set when a plain install pulls dependencies (declared ones,
	// or a setup.py whose install_requires dockslim cannot read); Extras
	// when it declares optional dependencies.
	Deps, Extras bool
	// LocalDeps are dependencies on local paths (name @ file:...).
	LocalDeps []string
	// Sources says why building the project needs its package sources
	// besides the metadata ("" when the metadata alone builds it).
	Sources string
	// Outside says why building it reads files outside its folder (a
	// version from git, a parent folder's files); "" when it does not.
	Outside string
}

// Read reads the metadata files of the folder dir of fsys; ok is false
// when it has none of them.
func Read(fsys fs.FS, dir string) (p *Project, ok bool) {
	p = &Project{Dir: dir}
	read := func(name string) (string, bool) {
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return "", false
		}
		p.Files = append(p.Files, path.Join(dir, name))
		return string(b), true
	}
	if text, ok := read("pyproject.toml"); ok {
		p.readPyproject(parseTOML(text))
	}
	if text, ok := read("setup.cfg"); ok {
		p.readSetupCfg(parseINI(text))
	}
	if text, ok := read("setup.py"); ok {
		p.readSetupPy(text)
	}
	if len(p.Files) == 0 {
		return nil, false
	}
	p.resolveNeeds(fsys)
	return p, true
}

// need records a file the build reads, relative to the project folder.
func (p *Project) need(rel string) {
	rel = strings.TrimSpace(rel)
	if rel == "" {
		return
	}
	if clean := path.Clean(rel); clean == ".." || strings.HasPrefix(clean, "../") || path.IsAbs(clean) {
		p.outside("the metadata names " + rel + ", outside the project folder")
		return
	}
	p.Needs = append(p.Needs, rel)
}

func (p *Project) sources(why string) {
	if p.Sources == "" {
		p.Sources = why
	}
}

func (p *Project) outside(why string) {
	if p.Outside == "" {
		p.Outside = why
	}
}

// resolveNeeds turns the needed files (globs included) into the paths of
// fsys that exist, without duplicates.
func (p *Project) resolveNeeds(fsys fs.FS) {
	var out []string
	add := func(f string) {
		for _, x := range append(out, p.Files...) {
			if x == f {
				return
			}
		}
		if st, err := fs.Stat(fsys, f); err == nil && !st.IsDir() {
			out = append(out, f)
		}
	}
	for _, n := range p.Needs {
		full := path.Join(p.Dir, n)
		if !strings.ContainsAny(n, "*?[") {
			add(full)
			continue
		}
		matches, _ := fs.Glob(fsys, full)
		for _, m := range matches {
			add(m)
		}
	}
	p.Needs = out
}

// noteDeps reads a list of dependency specifiers.
func (p *Project) noteDeps(deps []string) {
	for _, d := range deps {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		p.Deps = true
		if _, url, ok := strings.Cut(d, "@"); ok && strings.HasPrefix(strings.TrimSpace(url), "file:") {
			p.LocalDeps = append(p.LocalDeps, d)
		}
	}
}

// vcsVersion are the build requirements that take the version from git
// (or another VCS), which reads the repository around the project.
var vcsVersion = []string{"setuptools_scm", "setuptools-scm", "setuptools_git_versioning",
	"setuptools-git-versioning", "versioneer", "hatch-vcs", "pbr", "dunamai", "poetry-dynamic-versioning"}

// vcsNamed returns the first of vcsVersion that text names, or "".
func vcsNamed(text string) string {
	lower := strings.ToLower(text)
	for _, v := range vcsVersion {
		if strings.Contains(lower, v) {
			return v
		}
	}
	return ""
}

func (p *Project) vcs(tool string) {
	p.outside("it takes its version from git (" + tool + "), which reads the repository's .git")
}

// setuptoolsBackends are the build backends that build from metadata
// alone when no package is listed.
var setuptoolsBackends = []string{"", "setuptools.build_meta", "setuptools.build_meta:__legacy__"}

func (p *Project) readPyproject(doc tomlDoc) {
	bs := doc["build-system"]
	backend, _ := tomlString(bs["build-backend"])
	if !contains(setuptoolsBackends, backend) {
		p.sources("its build backend, " + backend + ", builds from the package sources")
	}
	if v := vcsNamed(bs["requires"]); v != "" {
		p.vcs(v)
	}
	for _, t := range []string{"tool.setuptools_scm", "tool.setuptools-scm", "tool.versioneer", "tool.pdm.version"} {
		if doc[t] != nil {
			p.vcs(strings.TrimPrefix(t, "tool."))
		}
	}
	if hv := doc["tool.hatch.version"]; hv != nil {
		if s, _ := tomlString(hv["source"]); s == "vcs" {
			p.vcs("hatch-vcs")
		}
	}
	proj := doc["project"]
	if proj == nil {
		return
	}
	p.Name, _ = tomlString(proj["name"])
	if deps, ok := tomlArray(proj["dependencies"]); ok {
		p.noteDeps(deps)
	}
	if opt := doc["project.optional-dependencies"]; len(opt) > 0 {
		p.Extras = true
	}
	if raw, ok := proj["optional-dependencies"]; ok && strings.Contains(raw, "[") {
		p.Extras = true
	}
	p.fileRef(proj["readme"], "file")
	p.fileRef(proj["license"], "file")
	if lf, ok := tomlArray(proj["license-files"]); ok {
		for _, f := range lf {
			p.need(f)
		}
	}
	dynamic, _ := tomlArray(proj["dynamic"])
	p.readSetuptoolsTool(doc, dynamic)
}

// fileRef reads a value that is a file name or an inline table with a
// file key (readme = "README.md", license = {file = "LICENSE"}).
func (p *Project) fileRef(raw, key string) {
	if s, ok := tomlString(raw); ok {
		if key == "file" && !strings.Contains(s, " ") {
			p.need(s)
		}
		return
	}
	if t, ok := tomlInline(raw); ok {
		if s, ok := tomlString(t[key]); ok {
			p.need(s)
		} else if arr, ok := tomlArray(t[key]); ok {
			for _, s := range arr {
				p.need(s)
			}
		}
	}
}

// readSetuptoolsTool reads [tool.setuptools] and its dynamic metadata.
func (p *Project) readSetuptoolsTool(doc tomlDoc, dynamic []string) {
	st := doc["tool.setuptools"]
	if raw, ok := st["packages"]; ok && strings.HasPrefix(strings.TrimSpace(raw), "[") {
		p.sources("[tool.setuptools] lists its packages, which must be there to build")
	}
	for _, k := range []string{"py-modules", "ext-modules", "script-files", "data-files"} {
		if _, ok := st[k]; ok {
			p.sources("[tool.setuptools] " + k + " names source files, which must be there to build")
		}
	}
	dyn := doc["tool.setuptools.dynamic"]
	for _, field := range dynamic {
		raw, ok := dyn[field]
		t, isTable := tomlInline(raw)
		switch {
		case !ok || !isTable:
			p.sources("its " + field + " is dynamic, and dockslim cannot tell where it comes from")
		case t["attr"] != "":
			attr, _ := tomlString(t["attr"])
			p.sources("its " + field + " comes from " + attr + " (attr), which needs the package source")
		default:
			p.fileRef(raw, "file")
			if field == "dependencies" {
				p.Deps = true
			}
			if field == "optional-dependencies" {
				p.Extras = true
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
