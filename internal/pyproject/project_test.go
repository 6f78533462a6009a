package pyproject

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func fsOf(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func TestRead(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		dir     string
		want    Project
		sources string // a substring of Sources ("" for none)
		outside string // a substring of Outside
	}{
		{name: "setup.cfg without dependencies",
			files: map[string]string{"setup.py": "from setuptools import setup\n\nsetup()\n",
				"setup.cfg": "[metadata]\nname = greeter\nversion = 1.2.0\n\n[options]\npackages = find:\n[options.packages.find]\nexclude = tests\n"},
			dir:  ".",
			want: Project{Dir: ".", Name: "greeter", Files: []string{"setup.cfg", "setup.py"}}},
		{name: "setup.cfg with dependencies and a readme file",
			files: map[string]string{"setup.cfg": "[metadata]\nname = web\nversion = 1\nlong_description = file: README.md, CHANGES.md\n[options]\npackages = find:\ninstall_requires =\n    flask>=2\n    requests\n",
				"README.md": "x"},
			dir:  ".",
			want: Project{Dir: ".", Name: "web", Files: []string{"setup.cfg"}, Needs: []string{"README.md"}, Deps: true}},
		{name: "pyproject with setuptools",
			files: map[string]string{"svc/pyproject.toml": `[build-system]
requires = ["setuptools>=61"]  # comment
build-backend = "setuptools.build_meta"

[project]
name = "svc"
version = "0.1"
readme = "README.md"
license = {file = "LICENSE"}
dependencies = [
    "flask>=2",  # web
    "requests[socks]; python_version >= '3.8'",
]
[project.optional-dependencies]
dev = ["pytest"]
`, "svc/README.md": "r", "svc/LICENSE": "l"},
			dir:  "svc",
			want: Project{Dir: "svc", Name: "svc", Files: []string{"svc/pyproject.toml"}, Needs: []string{"svc/README.md", "svc/LICENSE"}, Deps: true, Extras: true}},
		{name: "hatchling needs the sources",
			files:   map[string]string{"pyproject.toml": "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n[project]\nname = \"x\"\nversion = \"1\"\n"},
			dir:     ".",
			want:    Project{Dir: ".", Name: "x", Files: []string{"pyproject.toml"}},
			sources: "hatchling.build"},
		{name: "setuptools_scm reads git",
			files:   map[string]string{"pyproject.toml": "[build-system]\nrequires = [\"setuptools\", \"setuptools_scm[toml]>=6.2\"]\n[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.setuptools_scm]\n"},
			dir:     ".",
			want:    Project{Dir: ".", Name: "x", Files: []string{"pyproject.toml"}},
			sources: "version is dynamic", outside: "setuptools_scm"},
		{name: "version from a module",
			files:   map[string]string{"setup.cfg": "[metadata]\nname = m\nversion = attr: m.__version__\n"},
			dir:     ".",
			want:    Project{Dir: ".", Name: "m", Files: []string{"setup.cfg"}},
			sources: "m.__version__"},
		{name: "setup.py with code",
			files:   map[string]string{"setup.py": "from setuptools import setup\nsetup(name='x', install_requires=open('requirements.txt').read().split())\n"},
			dir:     ".",
			want:    Project{Dir: ".", Files: []string{"setup.py"}, Deps: true},
			sources: "setup.py runs code"},
		{name: "setup.py reading a parent folder",
			files:   map[string]string{"lib/setup.py": "import os\nfrom setuptools import setup\nsetup(long_description=open(os.path.join('..', 'README.md')).read())\n"},
			dir:     "lib",
			want:    Project{Dir: "lib", Files: []string{"lib/setup.py"}},
			sources: "setup.py runs code", outside: "parent folder"},
		{name: "a path dependency",
			files: map[string]string{"pyproject.toml": "[project]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"b @ file:///src/b\"]\n"},
			dir:   ".",
			want:  Project{Dir: ".", Name: "a", Files: []string{"pyproject.toml"}, Deps: true, LocalDeps: []string{"b @ file:///src/b"}}},
		{name: "explicit packages",
			files:   map[string]string{"setup.cfg": "[metadata]\nname = p\nversion = 1\n[options]\npackages =\n    p\n    p.sub\n"},
			dir:     ".",
			want:    Project{Dir: ".", Name: "p", Files: []string{"setup.cfg"}},
			sources: "lists its packages (p, p.sub)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, ok := Read(fsOf(c.files), c.dir)
			if !ok {
				t.Fatal("not read")
			}
			if !strings.Contains(p.Sources, c.sources) || c.sources == "" && p.Sources != "" {
				t.Errorf("Sources = %q, want %q", p.Sources, c.sources)
			}
			if !strings.Contains(p.Outside, c.outside) || c.outside == "" && p.Outside != "" {
				t.Errorf("Outside = %q, want %q", p.Outside, c.outside)
			}
			p.Sources, p.Outside = "", ""
			if !reflect.DeepEqual(*p, c.want) {
				t.Errorf("got  %+v\nwant %+v", *p, c.want)
			}
		})
	}
	if _, ok := Read(fsOf(map[string]string{"app.py": ""}), "."); ok {
		t.Error("a folder without metadata read as a project")
	}
}

func TestPlainSetup(t *testing.T) {
	for text, want := range map[string]bool{
		"from setuptools import setup\n\nsetup()\n":                                   true,
		"import setuptools\nif __name__ == \"__main__\":\n    setuptools.setup()":     true,
		"# comment\nfrom setuptools import setup\nsetup()  # metadata in setup.cfg\n": true,
		"from setuptools import setup\nsetup(name='x')\n":                             false,
		"from setuptools import setup\nimport os\nsetup()\n":                          false,
		"": false,
	} {
		if got := plainSetup(text); got != want {
			t.Errorf("plainSetup(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestReadsParent(t *testing.T) {
	for text, want := range map[string]bool{
		`open("../README.md")`:               true,
		`os.path.join(here, '..', 'x')`:      true,
		`description="Loading..."`:           false,
		`Path(__file__).parent.parent / "x"`: true,
		`open("README.md")`:                  false,
	} {
		if got := readsParent(text); got != want {
			t.Errorf("readsParent(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestTOML(t *testing.T) {
	doc := parseTOML("a = 1\n[x.\"y.z\"]\nk = [\n 'a', # c\n \"b#c\",\n]\nt = {file = \"F\", n = [1, 2]}\n")
	if got, _ := tomlArray(doc["x.y.z"]["k"]); !reflect.DeepEqual(got, []string{"a", "b#c"}) {
		t.Errorf("array = %q", got)
	}
	tab, ok := tomlInline(doc["x.y.z"]["t"])
	if f, _ := tomlString(tab["file"]); !ok || f != "F" || tab["n"] != "[1, 2]" {
		t.Errorf("inline = %q", tab)
	}
}

func TestExtensionLinks(t *testing.T) {
	setup := "from setuptools import Extension, setup\nsetup(ext_modules=[Extension('m._m', ['src/m.c'])])\n"
	for name, c := range map[string]struct {
		files map[string]string
		why   string
	}{
		"only Python and libc": {map[string]string{"setup.py": setup, "src/m.c": "#include <Python.h>\n# include <stdio.h>\n#include \"m.h\"\n", "src/m.h": "#include <stdint.h>\n"}, ""},
		"a library header":     {map[string]string{"setup.py": setup, "src/m.c": "#include <Python.h>\n#include <libpq-fe.h>\n"}, "src/m.c includes <libpq-fe.h>"},
		"libraries named":      {map[string]string{"setup.py": "setup(ext_modules=[Extension('m', ['m.c'], libraries=['pq'])])\n", "m.c": ""}, "setup.py names libraries"},
		"Cython":               {map[string]string{"setup.py": setup, "src/m.pyx": ""}, "src/m.pyx is compiled by a tool"},
		"sources missing":      {map[string]string{"setup.py": setup}, "not in the build context"},
		"no setup.py":          {map[string]string{"pyproject.toml": ""}, "no setup.py"},
	} {
		if got := ExtensionLinks(fsOf(c.files), "."); c.why == "" && got != "" || !strings.Contains(got, c.why) {
			t.Errorf("%s: ExtensionLinks = %q, want %q", name, got, c.why)
		}
	}
}
