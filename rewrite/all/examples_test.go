package all_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/diff"
	"github.com/dockslim/dockslim/internal/testfs"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/rewrite/all"
)

// example is a rule's documented Before or After (`dockslim rules DSxxx`)
// read as a Dockerfile and the build-context files it shows. Its notation:
// a line "PATH:" without blanks (".dockerignore:") starts a context file
// that runs to the end of the example; a remark in parentheses after three
// blanks ("COPY . /app   (no .dockerignore)") is prose; an example that
// does not start with FROM is the body of a stage FROM exampleBase.
type example struct {
	dockerfile string            // "" when the example shows only files
	files      map[string]string // path → content
}

const exampleBase = "FROM buildpack-deps:bookworm\n"

func parseExample(s string) example {
	ex := example{files: map[string]string{}}
	var df []string
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if name, ok := strings.CutSuffix(l, ":"); ok && name != "" && !strings.ContainsAny(name, " \t") {
			ex.files[name] = strings.Join(lines[i+1:], "\n") + "\n"
			break
		}
		if j := strings.Index(l, "   ("); j >= 0 && strings.HasSuffix(l, ")") {
			l = l[:j]
		}
		df = append(df, l)
	}
	if len(df) > 0 {
		ex.dockerfile = strings.Join(df, "\n") + "\n"
		if !strings.HasPrefix(ex.dockerfile, "FROM ") {
			ex.dockerfile = exampleBase + ex.dockerfile
		}
	}
	return ex
}

// exampleSetup is what a rule's example leaves implicit: the build context
// it needs (files the rule reads but the example does not show), and the
// Dockerfile of an example that shows only context files.
var exampleSetup = map[string]struct {
	context    map[string]string
	dockerfile string
}{
	"DS150": {context: map[string]string{"package.json": `{"dependencies": {"ms": "2.1.3"}}` + "\n",
		"package-lock.json": `{"lockfileVersion": 3, "packages": {"": {"dependencies": {"ms": "2.1.3"}}, "node_modules/ms": {"version": "2.1.3"}}}` + "\n"}},
	"DS151": {context: map[string]string{"package.json": `{"dependencies": {"ms": "2.1.3"}}` + "\n",
		"yarn.lock": "# yarn lockfile v1\n\nms@2.1.3:\n  version \"2.1.3\"\n"}},
	"DS152": {context: map[string]string{"package.json": `{"dependencies": {"ms": "2.1.3"}}` + "\n",
		"pnpm-lock.yaml": "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      ms:\n        specifier: 2.1.3\n        version: 2.1.3\n"}},
	"DS153": {context: map[string]string{"package-lock.json": `{"lockfileVersion": 3}` + "\n", "server.js": "require('express')\n"}},
	"DS301": {context: map[string]string{"requirements.txt": "flask\n", "app.py": "print('hi')\n"}},
	"DS302": {context: map[string]string{"app.py": "print('hi')\n"}},
	"DS303": {context: map[string]string{"app.py": "print('hi')\n", "requirements.txt": "flask\n"}},
	"DS304": {context: map[string]string{"package.json": `{"name": "app"}` + "\n", "server.js": "\n"},
		dockerfile: "FROM node:20\nWORKDIR /app\nCOPY . /app\nRUN npm install\nCMD [\"node\", \"server.js\"]\n"},
	"DS402": {context: map[string]string{"Cargo.toml": "[package]\nname = \"hello\"\nversion = \"0.1.0\"\n", "src/main.rs": "fn main() {}\n"}},
	"DS404": {context: map[string]string{"package.json": `{"name": "app", "scripts": {"build": "tsc --outDir dist"}}` + "\n", "package-lock.json": "{}\n", "tsconfig.json": `{"compilerOptions": {"outDir": "dist"}}` + "\n"}},
	"DS405": {context: map[string]string{"requirements.txt": "psycopg2==2.9.9\n", "app.py": "\n"}},
	"DS418": {context: map[string]string{"third_party/cjson/Makefile": "install:\n\tcp libcjson.a $(PREFIX)/lib/\n", "Makefile": "install:\n"}},
	"DS420": {context: map[string]string{"entrypoint.sh": "#!/bin/sh\nexec \"$@\"\n"}},
}

// TestRuleExamples: every rule's documented example is true. A rule with a
// fix, run alone on Before (with --unsafe-fixes for an unsafe rule and
// --cache-mounts for a cache-mount rule) gives After: the Dockerfile, and
// the context files After shows that Before does not. A suggestion reports
// a finding on Before and none on After. The test counts the rules it
// checked: a rule added without an example fails it.
func TestRuleExamples(t *testing.T) {
	e, err := all.New()
	if err != nil {
		t.Fatal(err)
	}
	rules := e.Rules()
	checked := 0
	for _, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if r.Explanation == "" || r.Summary == "" || r.Before == "" || r.After == "" {
				t.Fatal("rule is not documented: it needs Summary, Explanation, Before and After")
			}
			setup := exampleSetup[r.ID]
			before, after := parseExample(r.Before), parseExample(r.After)
			if before.dockerfile == "" {
				before.dockerfile = setup.dockerfile
			}
			if after.dockerfile == "" {
				after.dockerfile = before.dockerfile
			}
			if before.dockerfile == "" {
				t.Fatal("the example shows no Dockerfile and exampleSetup gives none")
			}
			opts := rewrite.Options{
				UnsafeFixes: r.Applicability == rewrite.Unsafe,
				CacheMounts: strings.HasPrefix(r.Summary, "with --cache-mounts"),
				Selector:    rewrite.Selector{Select: []string{r.ID}},
			}
			run := func(ex example) *rewrite.Result {
				t.Helper()
				dir := t.TempDir()
				testfs.Write(t, dir, setup.context, ex.files)
				opts := opts
				opts.ContextDir = dir
				res, err := e.Run(filepath.Join(dir, "Dockerfile"), []byte(ex.dockerfile), opts)
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				if res.Unstable {
					t.Errorf("fixes did not converge")
				}
				return res
			}
			findings := func(res *rewrite.Result) (n int) {
				for _, fd := range res.Findings {
					if fd.Rule == r {
						n++
					}
				}
				return n
			}
			res := run(before)
			if findings(res) == 0 {
				t.Errorf("Before gives no %s finding", r.ID)
			}
			if r.Applicability == rewrite.Suggestion {
				if res := run(after); findings(res) > 0 {
					t.Errorf("After still gives %s findings: %v", r.ID, res.Findings)
				}
				checked++
				return
			}
			if string(res.Output) != after.dockerfile {
				t.Errorf("Before does not give After:\n%s", diff.Unified("Dockerfile", []byte(after.dockerfile), res.Output))
			}
			for p, want := range after.files {
				if before.files[p] == want {
					continue
				}
				got := ""
				for _, nf := range res.NewFiles {
					if nf.Path == p {
						got = string(nf.Content)
					}
				}
				if got != want {
					t.Errorf("Before does not give After's %s:\n%s", p, diff.Unified(p, []byte(want), []byte(got)))
				}
			}
			checked++
		})
	}
	if checked != len(rules) {
		t.Errorf("%d of %d rules have a true example", checked, len(rules))
	}
}
