package nodeproj

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLeaves(t *testing.T) {
	m := manifest(t, `{"scripts": {"build": "rimraf dist && NODE_ENV=production npm run compile", "compile": "cross-env A=1 tsc -p .",
		"prebuild": "echo pre", "start": "node dist/index.js", "test": "$RUNNER"},
		"dependencies": {"next": "14"}, "devDependencies": {"typescript": "5", "nodemon": "3"}}`)
	cases := []struct {
		argv string
		want string // the leaves, joined by "; ", or the reason
	}{
		{"npm run build", "echo pre; rimraf dist; tsc -p ."},
		{"yarn build", "echo pre; rimraf dist; tsc -p ."},
		{"pnpm run build", "echo pre; rimraf dist; tsc -p ."},
		{"npm start", "node dist/index.js"},
		{"npm --silent start", "node dist/index.js"},
		{"node server.js", "node server.js"},
		{"yarn install", "yarn install"},
		{"npm run lint", "but package.json has no lint script"},
		{"npm test", "whose words are not all literal"},
		{"npm run", "which dockslim cannot follow"},
	}
	for _, c := range cases {
		var got []string
		why := m.Leaves(strings.Fields(c.argv), func(argv []string) string {
			got = append(got, strings.Join(argv, " "))
			return ""
		})
		if why != "" {
			got = []string{why}
		}
		if s := strings.Join(got, "; "); !strings.Contains(s, c.want) {
			t.Errorf("%s: got %q, want %q", c.argv, s, c.want)
		}
	}
	if why := manifest(t, `{}`).Leaves([]string{"npm", "start"}, func(argv []string) string { return strings.Join(argv, " ") }); why != "node server.js" {
		t.Errorf("npm's default start: got %q", why)
	}
	loop := manifest(t, `{"scripts": {"a": "npm run a"}}`)
	if why := loop.Leaves([]string{"npm", "run", "a"}, func([]string) string { return "" }); !strings.Contains(why, "nest too deep") {
		t.Errorf("a script that runs itself: %q", why)
	}
}

func TestPackageOf(t *testing.T) {
	m := manifest(t, `{"dependencies": {"next": "14", "typescript": "5"}, "devDependencies": {"@babel/cli": "7", "jest": "29"}}`)
	cases := []struct {
		program, pkg string
		dev, known   bool
	}{
		{"next", "next", false, true},
		{"tsc", "typescript", false, true},
		{"babel", "@babel/cli", true, true},
		{"./node_modules/.bin/jest", "jest", true, true},
		{"gulp", "", false, false},
	}
	for _, c := range cases {
		pkg, dev, known := m.PackageOf(c.program)
		if pkg != c.pkg || dev != c.dev || known != c.known {
			t.Errorf("%s: got %q %v %v", c.program, pkg, dev, known)
		}
	}
}

func TestFindMention(t *testing.T) {
	fsys := fstest.MapFS{
		"src/server.js":        {Data: []byte("const a = require('express');\nconst t = require(\"typescript/lib\");\n")},
		"src/server.test.js":   {Data: []byte("require('jest')\n")},
		"webpack.config.js":    {Data: []byte("require('webpack')\n")},
		"node_modules/x/a.js":  {Data: []byte("require('jest')\n")},
		"README.md":            {Data: []byte("'jest'\n")},
		"lib/plain.mjs":        {Data: []byte("import x from 'lodash'\n")},
		".storybook/main.js":   {Data: []byte("require('jest')\n")},
		"scripts/check.cjs":    {Data: []byte("const jestish = 'jest-like'\n")},
		"app/view.jsx":         {Data: []byte("import `webpack`\n")},
		"types/global.d.ts":    {Data: []byte("declare module 'nothing'\n")},
		"tools/build/index.ts": {Data: []byte("// nothing\n")},
	}
	m, found, complete := FindMention(fsys, ".", []string{"jest", "typescript"})
	if !found || !complete || m.File != "src/server.js" || m.Line != 2 || m.Package != "typescript" {
		t.Errorf("got %+v %v %v", m, found, complete)
	}
	if m, found, _ := FindMention(fsys, ".", []string{"jest", "webpack"}); !found || m.File != "app/view.jsx" {
		t.Errorf("template literal: got %+v %v", m, found)
	}
	if _, found, _ := FindMention(fsys, ".", []string{"jest"}); found {
		t.Error("jest is named only in test files, tool configs, node_modules, dot folders, prose, or as a prefix")
	}
	if _, found, _ := FindMention(fsys, "src", []string{"lodash"}); found {
		t.Error("lodash is named outside the root")
	}
	if got := ModuleRoot("@scope/pkg/sub"); got != "@scope/pkg" {
		t.Errorf("ModuleRoot = %s", got)
	}
	if got := ModuleRoot("pkg/sub"); got != "pkg" {
		t.Errorf("ModuleRoot = %s", got)
	}
}

func TestNpmOmitDev(t *testing.T) {
	for tag, want := range map[string]string{"14-alpine": "--production", "16": "--omit=dev", "20.11-bookworm": "--omit=dev", "lts": "--omit=dev", "8.9": "--production"} {
		if got := NpmOmitDev(tag); got != want {
			t.Errorf("%s: got %s, want %s", tag, got, want)
		}
	}
}

func TestLocalModules(t *testing.T) {
	fsys := fstest.MapFS{
		"server.js":        {Data: []byte("const r = require('./routes');\nconst c = require(\"../outside\");\nconst t = `./tmpl/${x}`;\nimport('./lib/db.mjs');\n")},
		"routes/index.js":  {Data: []byte("module.exports = require('../lib/util');\nfs.readFileSync('./data.json');\n")},
		"lib/util.js":      {Data: []byte("require('./util.js');\n")},
		"lib/db.mjs":       {Data: []byte("export default 1;\n")},
		"routes/data.json": {Data: []byte("{}")},
		"public/x.css":     {Data: []byte("")},
	}
	got, complete := LocalModules(fsys, "server.js")
	want := "server.js routes lib/db.mjs lib/util.js"
	if strings.Join(got, " ") != want || !complete {
		t.Errorf("got %v %v, want %s", got, complete, want)
	}
}
