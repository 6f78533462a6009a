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
			t.files = append(t.files, manifest{rel: r, requirements: true})
		}
		for _, e := range c.optValues("-e", "--editable") {
			t.pipTarget("-e ", e, true)
		}
		for _, p := range pos[1:] {
			t.pipTarget("", p, false)
		}
		for _, fl := range c.optValues("-f", "--find-links") {
			if !strings.Contains(fl, "://") {
				t.files = append(t.files, manifest{rel: fl, dir: true})
			}
		}
		t.outputs = append(t.outputs, c.optValues("-t", "--target", "--prefix", "--root", "--src")...)
		switch {
		case t.tree:
			t.kind = kindBuild
			t.runsScripts = true
		case t.stub:
			t.kind = kindProject
			t.others = t.others || len(t.files) > 0
			if c.has("--no-deps") {
				// nothing but the project: with nothing else, nothing to cache
				t.others, t.stub, t.kind, t.tree = false, false, kindBuild, true
				if len(t.files) == 0 {
					t.why = ""
				}
			}
		case len(t.files) > 0:
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

// pipTarget reads one thing a pip install installs (prefix is "-e " for
// an editable one): the project of the folder it runs in (a stub run on
// its metadata goes first), another local project folder, archive or
// wheel (copied first), or a requirement from an index or a URL.
func (t *toolRun) pipTarget(prefix, a string, editable bool) {
	target := stripExtras(a)
	switch {
	case target == "." || target == "./":
		t.stub = true
		t.why = "`pip install " + prefix + a + "` also builds the project itself"
	case target == "..":
		t.tree = true
		t.why = "`pip install " + prefix + a + "` builds the project from the whole source"
	case strings.Contains(target, "://") || strings.HasPrefix(target, "git+"):
		t.others = true
	case isArchive(target):
		t.files = append(t.files, manifest{rel: target})
	case editable || strings.HasPrefix(target, ".") || strings.HasPrefix(target, "/") || strings.HasPrefix(target, "~"):
		t.files = append(t.files, manifest{rel: strings.TrimSuffix(target, "/"), dir: true, pyProject: true})
	case looksLikePath(target):
		t.reads = append(t.reads, target)
	default:
		t.others = true // a requirement from the index
	}
}

// stripExtras removes the extras of a local requirement: ./pkg[dev].
func stripExtras(a string) string {
	if i := strings.IndexByte(a, '['); i > 0 && strings.HasSuffix(a, "]") {
		return a[:i]
	}
	return a
}

// isArchive reports a wheel or source archive pip installs as a file.
func isArchive(a string) bool {
	for _, ext := range []string{".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz"} {
		if strings.HasSuffix(a, ext) {
			return true
		}
	}
	return false
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
// (-r, -c), the local projects, archives and wheel folders it installs
// (copied with it; pip reads their paths from the folder it runs in), and
// why it needs the source (the project itself, `-e .`).
func requirementIncludes(lines []string, name string) (more []manifest, why string) {
	for _, l := range lines {
		if i := strings.Index(l, " #"); i >= 0 {
			l = l[:i]
		}
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		line := t
		opt, v := requirementOption(t)
		switch opt {
		case "-r", "-c":
			if v != "" && !strings.Contains(v, "://") {
				more = append(more, manifest{rel: v, requirements: true})
			}
			continue
		case "-f":
			// pip reads it from the requirements file's folder when it is
			// there (else from the one it runs in, which is not followed)
			if v != "" && !strings.Contains(v, "://") {
				more = append(more, manifest{rel: v, dir: true})
			}
			continue
		case "-e":
			t = v
		case "":
		default:
			continue // an index, a trusted host, --pre, ...
		}
		target, local := localRequirement(t)
		switch {
		case !local:
			if opt == "-e" && !strings.Contains(t, "://") && !strings.HasPrefix(t, "git+") {
				target, local = strings.TrimSuffix(t, "/"), true
			}
		case target == "." || target == "./" || target == "..":
			return nil, fmt.Sprintf("%s installs the project itself (%s), which needs the source", name, line)
		}
		if !local {
			continue
		}
		if isArchive(target) {
			more = append(more, manifest{rel: target, fromCwd: true})
		} else {
			more = append(more, manifest{rel: strings.TrimSuffix(target, "/"), dir: true, fromCwd: true, pyProject: true})
		}
	}
	return more, ""
}

// requirementOption reads an option line of a requirements file: "-r",
// "-c", "-e", "-f" (with their long forms) and the value, or "--" for
// another option, "" for a requirement.
func requirementOption(t string) (opt, value string) {
	if !strings.HasPrefix(t, "-") {
		return "", ""
	}
	for _, o := range [][2]string{{"--requirement", "-r"}, {"--constraint", "-c"}, {"--editable", "-e"},
		{"--find-links", "-f"}, {"-r", "-r"}, {"-c", "-c"}, {"-e", "-e"}, {"-f", "-f"}} {
		if v, ok := strings.CutPrefix(t, o[0]); ok && (v == "" || v[0] == ' ' || v[0] == '=' || len(o[0]) == 2) {
			return o[1], strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "="))
		}
	}
	return "--", ""
}

// localRequirement reads a requirement line that names a local path:
// ./pkg, /abs/pkg, file:./pkg, file:///abs/pkg, name @ file:///abs/pkg,
// with extras, an environment marker or hashes after it.
func localRequirement(t string) (target string, ok bool) {
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if name, url, found := strings.Cut(t, "@"); found && !strings.ContainsAny(strings.TrimSpace(name), "/:") {
		t = strings.TrimSpace(url)
	}
	if f := strings.Fields(t); len(f) > 0 {
		t = f[0]
	}
	t = stripExtras(t)
	if rest, isFile := strings.CutPrefix(t, "file:"); isFile {
		switch {
		case strings.HasPrefix(rest, "///"):
			return rest[2:], true
		case strings.HasPrefix(rest, "//localhost/"):
			return rest[len("//localhost"):], true
		case strings.HasPrefix(rest, "//"):
			return "", false // another host
		}
		return rest, rest != ""
	}
	if strings.HasPrefix(t, ".") || strings.HasPrefix(t, "/") || strings.HasPrefix(t, "~") {
		return t, true
	}
	return "", false
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
