package layerorder

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
)

func describePip(c *command, skip int) *toolRun {
	pos, _ := c.positional(shellcmd.Pip.ValueOpts)
	pos = pos[min(skip, len(pos)):]
	t := &toolRun{eco: "python", project: true}
	if len(pos) == 0 {
		return t
	}
	switch pos[0] {
	case "install":
		for _, r := range c.optValues("-r", "--requirement", "-c", "--constraint") {
			if clean := path.Clean(r); clean == "." || clean == ".." || strings.HasSuffix(r, "/") {
				// a folder, not a requirements file: pip fails on it; what
				// it reads cannot be copied first
				t.tree = true
				t.why = "`pip install -r " + r + "` names a folder, not a requirements file"
				continue
			}
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
	pos, _ := c.positional([]string{"-p", "--python", "--project", "--directory", "--package", "--extra", "--group", "-o", "--output-file", "--index-url", "--extra-index-url", "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--prefix", "--only-group"})
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
	pos, _ := c.positional([]string{"--with", "--without", "--only", "-E", "--extras", "-C", "--directory", "-P", "--project", "-o", "--output", "-f", "--format"})
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
		return configRun(c, "python", "poetry.toml")
	case "self", "--version", "cache", "source":
		return &toolRun{eco: "python"}
	case "export":
		return &toolRun{eco: "python", reads: []string{"pyproject.toml", "poetry.lock"}, outputs: c.optValues("-o", "--output")}
	}
	return &toolRun{eco: "python", kind: kindBuild, tree: true, runsScripts: true, why: "`poetry " + pos[0] + "` works on the project"}
}

func describePipenv(c *command) *toolRun {
	pos, _ := c.positional([]string{"--python", "-r", "--requirements", "--categories", "--extra-pip-args"})
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

// pyprojectCheck reads pyproject.toml: why it needs the source (path
// dependencies, a uv workspace), and the readme poetry reads.
func pyprojectCheck(ta toolAt, lines []string) (more []manifest, why string) {
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
	return more, ""
}
