package multistage

import "testing"

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
		{name: "yarn build", want: "decline: dockslim splits npm projects only",
			src: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install && yarn build\nCMD [\"node\", \"dist/server.js\"]\n"},
		{name: "no build context", src: nodeApp, want: "decline: package.json is not in the build context"},
		{name: "package.json does not parse", files: nodeCtx(`{"scripts":`), src: nodeApp, want: "decline: does not parse"},
		{name: "postinstall script", files: nodeCtx(`{"scripts": {"build": "tsc", "postinstall": "patch-package"}}`),
			src: nodeApp, want: `decline: "postinstall" script`},
		{name: "tsc with outDir from tsconfig", files: tsc, want: "split: /app/out",
			src: "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"out/server.js\"]\n"},
		{name: "unknown build tool", files: nodeCtx(`{"scripts": {"build": "gulp build"}}`), src: nodeApp,
			want: "decline: runs gulp build, whose output folder dockslim does not know"},
		{name: "next build", files: nodeCtx(`{"scripts": {"build": "next build"}}`), src: nodeApp, want: "decline: next build"},
		{name: "no build script", files: nodeCtx(`{"scripts": {}}`), src: nodeApp, want: "decline: no build script"},
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
