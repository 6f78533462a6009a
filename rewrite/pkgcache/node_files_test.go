package pkgcache

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/rewrite"
)

// nodeCase loads src with a build context of files (as .dockerignore left
// them) and returns the context and the last project install of the file.
func nodeCase(t *testing.T, src string, files map[string]string) (*rewrite.Context, *nodeInstall) {
	t.Helper()
	f := parsertest.Load(t, src)
	fsys := fstest.MapFS{}
	for p, content := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(content)}
	}
	c := &rewrite.Context{File: f, BuildContext: fsys}
	var last *nodeInstall
	for _, in := range langRunInstructions(f) {
		for _, lc := range langCommands(in) {
			if ni := nodeInstallOf(f, lc); ni != nil {
				last = ni
			}
		}
	}
	return c, last
}

func TestNodeInstallOf(t *testing.T) {
	cases := []struct {
		run, want string // want: "tool verb cwd", or "" for none
	}{
		{"npm install", "npm install /app"},
		{"npm i --no-audit", "npm install /app"},
		{"npm clean-install", "npm ci /app"},
		{"yarn", "yarn  /app"},
		{"yarn --frozen-lockfile", "yarn  /app"},
		{"yarn install", "yarn install /app"},
		{"pnpm i", "pnpm install /app"},
		{"cd web && npm install", "npm install /app/web"},
		{"cd /srv && cd api && npm install", "npm install /srv/api"},
		{"cd $DIR && npm install", "npm install "},
		{"npm install express", ""},
		{"npm install -g pnpm", ""},
		{"npm install --prefix /opt", ""},
		{"yarn add lodash", ""},
		{"yarn global add x", ""},
		{"yarn --version", ""},
		{"pnpm install --filter web", ""},
		{"npm run build", ""},
		{"sh -c 'npm install'", "npm install /app"},
		{"sh -c \"npm $VERB\"", ""},
	}
	for _, c := range cases {
		_, ni := nodeCase(t, "FROM node:20\nWORKDIR /app\nRUN "+c.run+"\n", nil)
		got := ""
		if ni != nil {
			got = ni.tool.Name + " " + ni.inv.Verb + " " + ni.cwd
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.run, got, c.want)
		}
	}
}

func TestSourceOf(t *testing.T) {
	files := map[string]string{"package.json": "{}", "package-lock.json": "{}", "web/package.json": "{}",
		"web/node_modules/x/index.js": "", "api/index.js": ""}
	cases := []struct {
		src, file string
		want      string // the context path, "from LINE" for another origin, "" for none
	}{
		{"COPY . .", "/app/package.json", "package.json"},
		{"COPY . .", "/app/yarn.lock", ""},
		{"COPY package*.json ./", "/app/package-lock.json", "package-lock.json"},
		{"COPY package.json /app", "/app/package.json", "package.json"},
		{"COPY package.json /app/pkg.json", "/app/pkg.json", "package.json"},
		{"COPY [\"web/\", \"./\"]", "/app/node_modules", "web/node_modules"},
		{"COPY api/ .", "/app/node_modules", ""},
		{"COPY --from=deps /d/node_modules ./node_modules", "/app/node_modules", "from 3"},
		{"COPY . /app/node_modules/x/", "/app/node_modules", "from 3"},
		{"ADD deps.tar.gz .", "/app/node_modules", "from 3"},
		{"COPY $SRC .", "/app/package.json", "from 3"},
		{"COPY . /elsewhere", "/app/package.json", ""},
	}
	for _, c := range cases {
		ctx, _ := nodeCase(t, "FROM node:20\nWORKDIR /app\n"+c.src+"\nRUN npm install\n", files)
		in := ctx.File.Instructions[len(ctx.File.Instructions)-1]
		o := sourceOf(ctx, in, c.file)
		got := o.rel
		if o.by != nil && o.rel == "" {
			got = fmt.Sprintf("from %d", o.by.StartLine)
		}
		if got != c.want {
			t.Errorf("%s → %s: got %q, want %q", c.src, c.file, got, c.want)
		}
	}
}

func TestNodeModulesMayExist(t *testing.T) {
	files := map[string]string{"package.json": "{}", "node_modules/x/index.js": ""}
	cases := []struct {
		src, want string
	}{
		{"FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install", ""},
		{"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install", "the COPY at line 3 brings node_modules from the build context"},
		{"FROM example.com/node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install", "not an official image"},
		{"FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install lodash\nRUN npm install", "the RUN at line 4 runs npm"},
		{"FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN mkdir node_modules && npm install", "names node_modules"},
		{"FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install -g pnpm && npm cache clean --force\nRUN npm install", ""},
		{"FROM node:20 AS base\nWORKDIR /app\nRUN git clone https://x/y.git .\nFROM base\nCOPY package.json ./\nRUN npm install", "runs git"},
	}
	for _, c := range cases {
		ctx, ni := nodeCase(t, c.src+"\n", files)
		got := nodeModulesMayExist(ctx, ni)
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.src, got, c.want)
		}
	}
}
