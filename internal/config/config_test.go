package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"github.com/xeipuuv/gojsonschema"
)

var checks = Checks{
	UnknownSelectors: func(xs []string) []string {
		var bad []string
		for _, x := range xs {
			if !strings.HasPrefix(x, "DS") && x != "ALL" && x != "pip-no-cache-dir" {
				bad = append(bad, x)
			}
		}
		return bad
	},
	IsRule: func(id string) bool { return slices.Contains([]string{"DS101", "DS200", "DS405"}, id) },
	RuleKeys: func(id string) []string {
		if id == "DS405" {
			return []string{"runtime-base"}
		}
		return nil
	},
}

const example = `# dockslim settings for this repository
select = ["ALL"]
ignore = ["DS405"]
cache-mounts = true

[rules.DS200]
severity = "error"

[[overrides]]
paths = ["legacy/**"]
ignore = ["DS2", "DS405"]
unsafe-fixes = true

[[overrides]]
paths = ["*.dev.Dockerfile"]
select = ["DS1"]
`

func TestSettings(t *testing.T) {
	f, err := Parse("/repo/.dockslim.toml", []byte(example), checks)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Settings("/repo/Dockerfile")
	if !slices.Equal(s.Select, []string{"ALL"}) || !slices.Equal(s.Ignore, []string{"DS405"}) || s.UnsafeFixes || !s.CacheMounts ||
		s.Severity["DS200"] != "error" || s.From["ignore"] != "/repo/.dockslim.toml" || s.From["unsafe-fixes"] != "default" {
		t.Errorf("top level: %+v", s)
	}
	s = f.Settings("/repo/legacy/api/Dockerfile")
	if !slices.Equal(s.Ignore, []string{"DS2", "DS405"}) || !s.UnsafeFixes || s.From["unsafe-fixes"] != "/repo/.dockslim.toml [[overrides]] #1 (legacy/**)" {
		t.Errorf("override: %+v", s)
	}
	s = f.Settings("/repo/svc/web.dev.Dockerfile")
	if !slices.Equal(s.Select, []string{"DS1"}) || s.UnsafeFixes {
		t.Errorf("base-name override: %+v", s)
	}
	if s := (*File)(nil).Settings("Dockerfile"); s.Select != nil || s.From["select"] != "default" {
		t.Errorf("no file: %+v", s)
	}
}

// Every error names the file and the line.
func TestParseErrors(t *testing.T) {
	for src, want := range map[string]string{
		"select = [\"DS1\"]\nunsafe_fixes = true\n":        "x.toml:2: unknown key \"unsafe_fixes\"",
		"[rules.DS101]\nseverity = \"error\"\nlevel = 3\n": "x.toml:3: unknown key \"level\"",
		"select = \"DS1\"\n":                               "x.toml:1: ",
		"ignore = [\"DS1\"]\nselect = [\"nonsense\"]\n":    "x.toml:2: unknown rule \"nonsense\"",
		"[rules.DS999]\nseverity = \"error\"\n":            "x.toml:1: [rules.DS999]: no such rule",
		"\n[rules.DS101]\nseverity = \"fatal\"\n":          "x.toml:3: [rules.DS101] severity \"fatal\"",
		"[[overrides]]\nignore = [\"DS1\"]\n":              "x.toml:1: [[overrides]] without paths",
		"\n\n[[overrides]]\npaths = [\"a\"]\nbogus = 1\n":  "x.toml:5: unknown key \"bogus\"",
		"select = [\n":             "x.toml:",
		"unsafe-fixes = \"yes\"\n": "x.toml:1: ",
		"[[overrides]]\npaths = [\"a\"]\nselect = [\"huh\"]\n":   "x.toml:3: unknown rule \"huh\"",
		"cache-mounts = true\n[unknown]\nx = 1\n":                "x.toml:2: unknown key \"unknown\"",
		"select = [\"ALL\"]\nignore = [\"DS405\", \"zzz\"]\n":    "x.toml:2: unknown rule \"zzz\"",
		"[rules.DS101]\nseverity = \"info\"\n[rules.DS101x]\n":   "x.toml:3: [rules.DS101x]: no such rule",
		"select = [\"DS1\"]\n\n\n[rules]\nDS200 = { sev = 1 }\n": "x.toml:5: unknown key \"sev\"",
		"alpine = \"no\"\n":                                                                 "x.toml:1: ",
		"\nregistry-mirror = 3\n":                                                           "x.toml:2: ",
		"\nregistry-mirror = \"https://m.example.com\"\n":                                   "x.toml:2: registry-mirror \"https://m.example.com\"",
		"registry-mirror = \"m.example.com/library/\"\n":                                    "x.toml:1: registry-mirror",
		"registry-mirror = \"\"\n":                                                          "x.toml:1: registry-mirror",
		"[rules.DS405]\n\nruntime-base = \"\"\n":                                            "x.toml:3: [rules.DS405] runtime-base \"\" is not an image reference",
		"[rules.DS405]\nruntime-base = \"python:3.12 slim\"\n":                              "x.toml:2: [rules.DS405] runtime-base \"python:3.12 slim\"",
		"[rules.DS405]\nruntime-base = \"python:${V}\"\n":                                   "x.toml:2: [rules.DS405] runtime-base",
		"[rules.DS405]\nruntime-base = [\"python\"]\n":                                      "x.toml:2: ",
		"[rules.DS200]\nruntime-base = \"python:3.12-slim\"\n":                              "x.toml:2: [rules.DS200] runtime-base: DS200 chooses no runtime base",
		"[rules.DS405]\nruntime_base = \"python:3.12-slim\"\n":                              "x.toml:2: unknown key \"runtime_base\"",
		"[[overrides]]\npaths = [\"a\"]\n[overrides.rules.DS405]\nruntime-base = \"a b\"\n": "x.toml:4: [rules.DS405] runtime-base",
	} {
		_, err := Parse("x.toml", []byte(src), checks)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want %q…", src, err, want)
		}
	}
}

func TestGlob(t *testing.T) {
	for pat, cases := range map[string]map[string]bool{
		"legacy/**":         {"legacy/Dockerfile": true, "legacy/a/b/Dockerfile": true, "x/legacy/Dockerfile": false},
		"*.Dockerfile":      {"web.Dockerfile": true, "a/b/web.Dockerfile": true, "Dockerfile": false},
		"svc/*/Dockerfile":  {"svc/a/Dockerfile": true, "svc/a/b/Dockerfile": false},
		"**/ci/Dockerfile?": {"ci/Dockerfilex": true, "a/ci/Dockerfile2": true, "ci/Dockerfile": false},
		"./api/Dockerfile":  {"api/Dockerfile": true},
	} {
		re, err := globRegexp(pat)
		if err != nil {
			t.Fatal(err)
		}
		for p, want := range cases {
			if re.MatchString(p) != want {
				t.Errorf("%s ~ %s: want %v", pat, p, want)
			}
		}
	}
}

// The nearest file applies; folders above it are not read once it is
// found; --config applies to every file.
func TestFinder(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "a", "b", "c"), 0o755))
	must(os.WriteFile(filepath.Join(root, FileName), []byte("select = [\"DS1\"]\n"), 0o644))
	must(os.WriteFile(filepath.Join(root, "a", "b", FileName), []byte("select = [\"DS2\"]\n"), 0o644))
	var fd Finder
	fd.Checks = checks
	for path, want := range map[string]string{
		filepath.Join(root, "Dockerfile"):                "DS1",
		filepath.Join(root, "a", "Dockerfile"):           "DS1",
		filepath.Join(root, "a", "b", "Dockerfile"):      "DS2",
		filepath.Join(root, "a", "b", "c", "Dockerfile"): "DS2",
	} {
		f, err := fd.For(path)
		if err != nil || f == nil || f.Settings(path).Select[0] != want {
			t.Errorf("%s: %v %+v", path, err, f)
		}
	}
	fd = Finder{Explicit: filepath.Join(root, FileName), Checks: checks}
	if f, err := fd.For(filepath.Join(root, "a", "b", "Dockerfile")); err != nil || f.Select == nil || (*f.Select)[0] != "DS1" {
		t.Errorf("--config: %v", err)
	}
	// A broken file is an error each time it is asked for.
	must(os.WriteFile(filepath.Join(root, "a", FileName), []byte("nonsense = 1\n"), 0o644))
	fd = Finder{Checks: checks}
	if _, err := fd.For(filepath.Join(root, "a", "Dockerfile")); err == nil || !strings.Contains(err.Error(), ":1: unknown key \"nonsense\"") {
		t.Errorf("broken file: %v", err)
	}
}

// The JSON Schema in docs/ accepts the example and rejects what Parse
// rejects as unknown keys or values.
func TestSchema(t *testing.T) {
	abs, _ := filepath.Abs("../../docs/dockslim.schema.json")
	schema := gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(abs))
	for src, valid := range map[string]bool{
		example:             true,
		basesExample:        true,
		"alpine = \"no\"\n": false,
		"registry-mirror = \"https://m.example.com\"\n": false,
		"[rules.DS405]\nruntime-base = \"a b\"\n":       false,
		"[rules.DS405]\nruntime_base = \"a\"\n":         false,
		"unsafe_fixes = true\n":                         false,
		"[rules.DS101]\nseverity = \"fatal\"\n":         false,
		"[[overrides]]\nignore = [\"DS1\"]\n":           false,
		"[[overrides]]\npaths = [\"a\"]\nx = 1\n":       false,
	} {
		var v any
		if err := toml.Unmarshal([]byte(src), &v); err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(v)
		res, err := gojsonschema.Validate(schema, gojsonschema.NewBytesLoader(js))
		if err != nil {
			t.Fatal(err)
		}
		if res.Valid() != valid {
			t.Errorf("%q: valid=%v, want %v: %v", src, res.Valid(), valid, res.Errors())
		}
	}
}

const basesExample = `registry-mirror = "mirror.example.com:5000/library"

[rules.DS405]
runtime-base = "registry.example.com/platform/python:3.12-slim@sha256:` + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + `"

[[overrides]]
paths = ["legacy/**"]
alpine = false
registry-mirror = "legacy-mirror.example.com"
rules.DS405.runtime-base = "python:3.11-slim-bookworm"
`

// The base-image options: defaults, the top level, a per-path override,
// and what the engine gets.
func TestBasesSettings(t *testing.T) {
	if s := (*File)(nil).Settings("Dockerfile"); !s.Alpine || s.RegistryMirror != "" || len(s.RuntimeBase) != 0 || s.Bases().NoAlpine {
		t.Errorf("defaults: %+v", s)
	}
	f, err := Parse("/repo/.dockslim.toml", []byte(basesExample), checks)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Settings("/repo/svc/Dockerfile")
	b := s.Bases()
	if !s.Alpine || b.NoAlpine || b.RegistryMirror != "mirror.example.com:5000/library" ||
		!strings.HasPrefix(b.RuntimeBase["DS405"], "registry.example.com/platform/python:3.12-slim@") ||
		s.From["rules.DS405.runtime-base"] != "/repo/.dockslim.toml" || s.From["alpine"] != "default" {
		t.Errorf("top level: %+v", s)
	}
	s = f.Settings("/repo/legacy/api/Dockerfile")
	b = s.Bases()
	over := "/repo/.dockslim.toml [[overrides]] #1 (legacy/**)"
	if s.Alpine || !b.NoAlpine || b.RegistryMirror != "legacy-mirror.example.com" || b.RuntimeBase["DS405"] != "python:3.11-slim-bookworm" ||
		s.From["alpine"] != over || s.From["registry-mirror"] != over || s.From["rules.DS405.runtime-base"] != over {
		t.Errorf("override: %+v", s)
	}
}
