package multistage

import (
	"strings"
	"testing"
)

func nodeCtx(pkg string, more ...string) map[string]string {
	m := map[string]string{"package.json": pkg, "package-lock.json": "{}\n"}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i]] = more[i+1]
	}
	return m
}

const nodeApp = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n"

func TestRecogniseNode(t *testing.T) {
	tsc := nodeCtx(`{"scripts": {"build": "tsc"}}`, "tsconfig.json", `{"compilerOptions": {"outDir": "./out"}}`)
	runRecCases(t, recogniseNode, []recCase{
		{name: "tsc --outDir", files: nodeCtx(`{"scripts": {"build": "tsc --outDir dist"}}`), src: nodeApp,
			want: "split: the production dependencies and the build output /app/dist"},
		{name: "vite build", files: nodeCtx(`{"scripts": {"build": "vite build"}}`), src: nodeApp,
			want: "split: /app/dist"},
		{name: "nested npm run, rimraf skipped", files: nodeCtx(`{"scripts": {"build": "rimraf dist && npm run compile", "compile": "babel src -d dist"}}`),
			src: nodeApp, want: "split: /app/dist"},
		{name: "sources copied with package.json", files: nodeCtx(`{"scripts": {"build": "webpack"}}`),
			src:  "FROM node:20-bookworm\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN npm run build\nCMD [\"node\", \"dist/main.js\"]\n",
			want: "split: /app/dist"},

		{name: "not node", want: "none", src: "FROM debian:bookworm\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n"},
		{name: "no build script run", want: "none", src: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n"},
		{name: "yarn build", want: "split: /app/dist", files: nodeCtx(`{"scripts": {"build": "tsc --outDir dist"}}`, "yarn.lock", "# yarn lockfile v1\n"),
			src: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install && yarn build\nCMD [\"node\", \"dist/server.js\"]\n"},
		{name: "yarn berry", want: "decline: Yarn 2+", files: nodeCtx(`{"scripts": {"build": "tsc --outDir dist"}}`, ".yarnrc.yml", "nodeLinker: node-modules\n"),
			src: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install && yarn build\nCMD [\"node\", \"dist/server.js\"]\n"},
		{name: "pnpm installed by npm", want: "split: /app/dist", files: nodeCtx(`{"scripts": {"build": "vite build"}}`),
			src: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install -g pnpm@9 && pnpm install && pnpm run build\nCMD [\"node\", \"dist/server.js\"]\n"},
		{name: "pnpm from nowhere", want: "decline: finds no command", files: nodeCtx(`{"scripts": {"build": "vite build"}}`),
			src: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN pnpm install && pnpm build\nCMD [\"node\", \"dist/server.js\"]\n"},
		{name: "esbuild bundle", want: "split: the bundle /app/dist",
			files: nodeCtx(`{"scripts": {"build": "esbuild src/server.js --bundle --platform=node --outfile=dist/server.js"}}`), src: nodeApp},
		{name: "esbuild with externals", want: "split: the production dependencies and the build output /app/dist",
			files: nodeCtx(`{"scripts": {"build": "esbuild src/server.js --bundle --platform=node --packages=external --outfile=dist/server.js"}}`), src: nodeApp},
		{name: "esbuild to stdout", want: "decline: runs esbuild without --outdir or --outfile",
			files: nodeCtx(`{"scripts": {"build": "esbuild src/server.js --bundle"}}`), src: nodeApp},
		{name: "ncc", want: "split: the bundle /app/out", files: nodeCtx(`{"scripts": {"build": "ncc build src/server.js -o out"}}`),
			src: "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"out/index.js\"]\n"},
		{name: "tsup default", want: "split: /app/dist", files: nodeCtx(`{"scripts": {"build": "tsup src/server.ts"}}`), src: nodeApp},
		{name: "tsup config sets outDir", want: "split: /app/build",
			files: nodeCtx(`{"scripts": {"build": "tsup src/server.ts"}}`, "tsup.config.ts", "export default {outDir: 'build'}\n"),
			src:   strings.ReplaceAll(nodeApp, "dist/", "build/")},
		{name: "tsup config computes outDir", want: "decline: runs tsup src/server.ts, whose output folder dockslim does not know",
			files: nodeCtx(`{"scripts": {"build": "tsup src/server.ts"}}`, "tsup.config.ts", "export default {outDir: process.env.OUT}\n"), src: nodeApp},
		{name: "vite config sets outDir", want: "split: /app/dist/client",
			files: nodeCtx(`{"scripts": {"build": "vite build"}}`, "vite.config.js", "export default { build: { outDir: \"./dist/client\" } }\n"),
			src:   strings.ReplaceAll(nodeApp, "dist/server.js", "dist/client/server.js")},
		{name: "rollup config", want: "split: /app/dist", src: nodeApp,
			files: nodeCtx(`{"scripts": {"build": "rollup -c"}}`, "rollup.config.mjs", "export default {input: 'src/main.js', output: {file: 'dist/server.js', format: 'cjs'}};\n")},
		{name: "rollup config with two outputs", want: "decline: runs rollup -c, whose output folder dockslim does not know", src: nodeApp,
			files: nodeCtx(`{"scripts": {"build": "rollup -c"}}`, "rollup.config.mjs", "export default [{output: {file: 'a/x.js'}}, {output: {file: 'b/y.js'}}];\n")},
		{name: "swc", want: "split: /app/dist", files: nodeCtx(`{"scripts": {"build": "swc src -d dist"}}`), src: nodeApp},
		{name: "build script runs node", want: "decline: the build runs node build.js, whose output folder dockslim does not know",
			files: nodeCtx(`{"scripts": {"build": "node build.js"}}`), src: nodeApp},
		{name: "npx tsc", want: "split: /app/out", files: nodeCtx(`{}`, "tsconfig.json", `{"compilerOptions": {"outDir": "out"}}`),
			src: "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npx tsc\nCMD [\"node\", \"out/server.js\"]\n"},
		{name: "tsc without outDir", want: "decline: runs tsc with no outDir",
			files: nodeCtx(`{"scripts": {"build": "tsc"}}`, "tsconfig.json", `{"compilerOptions": {}}`), src: nodeApp},
		{name: "run-time folders", want: "split: the production dependencies and the build output /app/dist, with /app/public, /app/views",
			files: nodeCtx(`{"scripts": {"build": "webpack"}}`, "public/a.css", "x", "views/index.ejs", "x", "dist/old.js", "x"), src: nodeApp},
		{name: "a server beside a client bundle", want: "split: the production dependencies and the build output /app/dist, with /app/server.js, /app/routes/api.js, /app/lib, /app/views",
			files: nodeCtx(`{"scripts": {"build": "vite build", "start": "node server.js"}, "dependencies": {"express": "4"}}`,
				"server.js", "const api = require('./routes/api');\nconst db = require(\"./lib\");\napp.use(express.static('./dist'));\n",
				"routes/api.js", "module.exports = require('../lib/db.js');\n", "lib/db.js", "module.exports = {};\n", "views/a.ejs", "x",
				"src/main.js", "import './style.css'\n"),
			src: "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npm\", \"start\"]\n"},
		{name: "start runs a production dependency's program", want: "split: /app/dist",
			files: nodeCtx(`{"scripts": {"build": "vite build", "start": "serve -s dist"}, "dependencies": {"serve": "14"}}`),
			src:   "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npm\", \"start\"]\n"},
		{name: "start runs a devDependency's program", want: "plan: /app/dist (finish: CMD at line 7 runs nodemon, a program of the devDependency nodemon",
			files: nodeCtx(`{"scripts": {"build": "vite build", "start": "nodemon dist/server.js"}, "devDependencies": {"nodemon": "3"}}`),
			src:   "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npm\", \"start\"]\n"},
		{name: "no build context", src: nodeApp, want: "decline: package.json is not in the build context"},
		{name: "package.json does not parse", files: nodeCtx(`{"scripts":`), src: nodeApp, want: "decline: does not parse"},
		{name: "postinstall script", files: nodeCtx(`{"scripts": {"build": "tsc", "postinstall": "patch-package"}}`),
			src: nodeApp, want: `decline: "postinstall" script`},
		{name: "tsc with outDir from tsconfig", files: tsc, want: "split: /app/out",
			src: "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"out/server.js\"]\n"},
		{name: "unknown build tool", files: nodeCtx(`{"scripts": {"build": "gulp build"}}`), src: nodeApp,
			want: "decline: the build runs gulp build, whose output folder dockslim does not know"},
		{name: "next build", want: "split: /app/.next, with /app/next.config.js, /app/public",
			files: nodeCtx(`{"scripts": {"build": "next build", "start": "next start"}, "dependencies": {"next": "14"}}`, "next.config.js", "module.exports = {}\n", "public/x.svg", "x"),
			src:   "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npm\", \"start\"]\n"},
		{name: "next build with a distDir", want: "split: /app/out, with /app/next.config.js",
			src:   "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npm\", \"start\"]\n",
			files: nodeCtx(`{"scripts": {"build": "next build", "start": "next start -p 80"}, "dependencies": {"next": "14"}}`, "next.config.js", "module.exports = {distDir: 'out'}\n")},
		{name: "no build script", files: nodeCtx(`{"scripts": {}}`), src: nodeApp, want: "decline: package.json has no build script"},
		{name: "no install", files: nodeCtx(`{"scripts": {"build": "tsc --outDir dist"}}`),
			src:  "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n",
			want: "decline: installs no dependencies"},
		{name: "different WORKDIRs", files: nodeCtx(`{"scripts": {"build": "tsc --outDir dist"}}`),
			src:  "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nWORKDIR /app/web\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n",
			want: "decline: do not share one WORKDIR"},
		{name: "native addons", files: nodeCtx(`{"scripts": {"build": "tsc --outDir dist"}}`),
			src:  "FROM node:20\nRUN apt-get update && apt-get install -y libpq-dev\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n",
			want: "decline: for native addons"},
		{name: "the CMD runs a file the runtime lacks", files: nodeCtx(`{"scripts": {"build": "tsc --outDir dist"}}`),
			src:  "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"src/server.js\"]\n",
			want: "plan: /app/dist"},
	})
}
