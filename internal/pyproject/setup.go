package pyproject

import (
	"strings"
)

// iniDoc is a setup.cfg: sections by lower-case name, keys (lower case,
// dashes as underscores) with their values, continuation lines joined
// with newlines.
type iniDoc map[string]map[string]string

func parseINI(text string) iniDoc {
	doc := iniDoc{}
	section, key := "", ""
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		l := strings.TrimRight(raw, " \t")
		t := strings.TrimSpace(l)
		switch {
		case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";"):
			continue
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]"):
			section, key = strings.ToLower(strings.TrimSpace(t[1:len(t)-1])), ""
			if doc[section] == nil {
				doc[section] = map[string]string{}
			}
		case (l[0] == ' ' || l[0] == '\t') && key != "":
			doc[section][key] += "\n" + t
		default:
			k, v, ok := strings.Cut(t, "=")
			if !ok {
				k, v, ok = strings.Cut(t, ":")
			}
			if !ok || doc[section] == nil {
				key = ""
				continue
			}
			key = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(k)), "-", "_")
			doc[section][key] = strings.TrimSpace(v)
		}
	}
	return doc
}

// iniList splits a setup.cfg list value (one per line, or comma separated).
func iniList(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		for _, it := range strings.Split(l, ",") {
			if it = strings.TrimSpace(it); it != "" {
				out = append(out, it)
			}
		}
	}
	return out
}

func (p *Project) readSetupCfg(doc iniDoc) {
	md, opts := doc["metadata"], doc["options"]
	if p.Name == "" {
		p.Name = md["name"]
	}
	for _, k := range []string{"version", "long_description", "license_file", "license_files", "description"} {
		v := md[k]
		switch {
		case strings.HasPrefix(v, "attr:"):
			p.sources("setup.cfg takes its " + k + " from " + strings.TrimSpace(v[5:]) + " (attr:), which needs the package source")
		case strings.HasPrefix(v, "file:"):
			for _, f := range iniList(v[5:]) {
				p.need(f)
			}
		case k == "license_file" || k == "license_files":
			for _, f := range iniList(v) {
				p.need(f)
			}
		}
	}
	switch req := opts["install_requires"]; {
	case strings.HasPrefix(req, "file:"):
		p.Deps = true
		for _, f := range iniList(req[5:]) {
			p.need(f)
		}
	default:
		p.noteDeps(strings.Split(req, "\n"))
	}
	if len(doc["options.extras_require"]) > 0 {
		p.Extras = true
	}
	if v := vcsNamed(opts["setup_requires"]); v != "" {
		p.vcs(v)
	}
	if pk := strings.TrimSpace(opts["packages"]); pk != "" && pk != "find:" && pk != "find_namespace:" {
		p.sources("setup.cfg lists its packages (" + strings.Join(iniList(pk), ", ") + "), which must be there to build")
	}
	for _, k := range []string{"py_modules", "scripts", "data_files"} {
		if strings.TrimSpace(opts[k]) != "" {
			p.sources("setup.cfg names source files in " + k + ", which must be there to build")
		}
	}
	if len(doc["options.data_files"]) > 0 {
		p.sources("setup.cfg names data files, which must be there to build")
	}
}

// readSetupPy reads a setup.py. Only the plain `setup()` that leaves the
// metadata to setup.cfg or pyproject.toml is understood; any other is
// code, which may read any file (its packages, a README, a version file).
func (p *Project) readSetupPy(text string) {
	if v := vcsNamed(text); v != "" || strings.Contains(text, "use_scm_version") {
		if v == "" {
			v = "setuptools_scm"
		}
		p.vcs(v)
	}
	if readsParent(text) {
		p.outside("setup.py reads files of a parent folder")
	}
	if plainSetup(text) {
		return
	}
	p.sources("setup.py runs code, which may read any file of the project")
	if strings.Contains(text, "install_requires") {
		p.Deps = true
	}
	if strings.Contains(text, "extras_require") {
		p.Extras = true
	}
}

// plainSetup reports a setup.py made only of setuptools imports and a
// setup() call without arguments (optionally under a __main__ guard).
func plainSetup(text string) bool {
	calls := 0
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		if i := strings.Index(t, "#"); i >= 0 {
			t = strings.TrimSpace(t[:i])
		}
		switch t {
		case "", "import setuptools", "from setuptools import setup", `if __name__ == "__main__":`, `if __name__ == '__main__':`:
		case "setup()", "setuptools.setup()":
			calls++
		default:
			return false
		}
	}
	return calls == 1
}

// readsParent reports a setup.py that names a parent folder: a string
// "../x" or "..", os.pardir, Path(...).parent.parent.
func readsParent(text string) bool {
	if strings.Contains(text, "os.pardir") || strings.Contains(text, ".parent.parent") || strings.Contains(text, ".parents[") {
		return true
	}
	for i := 1; i+2 < len(text); i++ {
		if text[i:i+2] != ".." {
			continue
		}
		before, after := text[i-1], text[i+2]
		if strings.IndexByte(`"'/`, before) >= 0 && strings.IndexByte(`"'/\`, after) >= 0 {
			return true
		}
	}
	return false
}
