package multistage

// What a Node build writes: the output folders of the build script's
// tools, read from their own arguments, their configuration, or the
// tool's default.

import (
	"encoding/json"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/nodeproj"
)

// nodeOutput is what a build writes.
type nodeOutput struct {
	dirs []string // output folders (or files), relative to the project
	// selfContained is set when every output is a bundle that needs no
	// node_modules at run time (esbuild --bundle without externals, ncc).
	selfContained bool
	// extra are context files beside the output that the built app reads
	// at run time (next.config.js).
	extra []string
}

// nodeBuildOutput follows a build command through package.json's scripts
// to the tools it runs and returns what they write, or why not.
func (si *stageInfo) nodeBuildOutput(m *nodeproj.Manifest, argv []string) (nodeOutput, string) {
	out := nodeOutput{selfContained: true}
	why := m.Leaves(argv, func(argv []string) string {
		if len(argv) > 1 && (path.Base(argv[0]) == "npx" || argv[0] == "exec") {
			argv = argv[1:]
		}
		w := si.buildToolOut(argv)
		switch {
		case !w.writes:
			return ""
		case w.why != "":
			return w.why
		case w.out == "" || strings.Contains(w.out, "$") || path.Clean(w.out) == ".":
			return "runs " + strings.Join(argv[:min(2, len(argv))], " ") + ", whose output folder dockslim does not know"
		}
		out.dirs = append(out.dirs, path.Clean(w.out))
		out.extra = append(out.extra, w.extra...)
		out.selfContained = out.selfContained && w.bundle
		return ""
	})
	switch {
	case why != "":
		return out, "the build " + why
	case len(out.dirs) == 0:
		return out, "the build writes no output folder dockslim knows"
	}
	out.dirs = dedupe(out.dirs)
	return out, ""
}

// toolOut is what one build tool's command writes.
type toolOut struct {
	out    string // the folder (or file's folder) it writes, "" when unknown
	writes bool   // false for commands that write no output (rimraf, tsc --noEmit)
	bundle bool   // a bundle with every dependency inside
	why    string // a reason to decline that names the tool's setting
	extra  []string
}

// cleanTools write no build output.
var cleanTools = []string{"rimraf", "rm", "mkdir", "echo", "true", "tsc-alias", "del-cli", "shx", "cp", "copyfiles",
	"cpy", "eslint", "prettier", "jest", "vitest", "mocha", "npm-run-all", "run-s", "run-p", "concurrently"}

// buildToolOut is what a build tool's command writes.
func (si *stageInfo) buildToolOut(argv []string) toolOut {
	flag := func(names ...string) string { return flagValue(argv, names...) }
	sub := ""
	if len(argv) > 1 {
		sub = argv[1]
	}
	tool := path.Base(argv[0])
	if slices.Contains(cleanTools, tool) {
		return toolOut{}
	}
	w := toolOut{writes: true}
	switch tool {
	case "tsc":
		return si.tscOut(argv)
	case "vite":
		if sub != "build" {
			return w
		}
		w.out = si.defaultUnlessConfig(flag("--outDir"), "dist", "outDir", "vite.config.js", "vite.config.ts", "vite.config.mjs", "vite.config.mts")
	case "react-scripts":
		if sub == "build" {
			w.out = "build"
		}
	case "nest":
		if sub == "build" {
			w.out = firstOf(si.tsOutDir("tsconfig.build.json"), si.tsOutDir("tsconfig.json"), "dist")
		}
	case "next":
		return si.nextOut(sub)
	case "webpack", "webpack-cli":
		w.out = si.defaultUnlessConfig(flag("--output-path", "-o"), "dist", "", "webpack.config.js", "webpack.config.ts", "webpack.config.cjs", "webpack.config.mjs")
	case "parcel":
		if sub == "build" {
			w.out = firstOf(flag("--dist-dir", "-d"), "dist")
		}
	case "babel", "swc":
		w.out = firstOf(flag("-d", "--out-dir"), dirOf(flag("-o", "--out-file")))
	case "esbuild":
		return esbuildOut(argv)
	case "rollup":
		w.out = firstOf(flag("-d", "--dir"), dirOf(flag("-o", "--file")))
		if w.out == "" && (hasWord(argv, "-c") || hasWord(argv, "--config") || flag("-c", "--config") != "") {
			w.why = "runs rollup -c, whose output folder is in rollup.config, which dockslim does not read"
		}
	case "ncc":
		if sub == "build" {
			w.out, w.bundle = firstOf(flag("-o", "--out"), "dist"), true
		}
	case "tsup":
		w.out = si.defaultUnlessConfig(flag("-d", "--out-dir"), "dist", "outDir", "tsup.config.ts", "tsup.config.js", "tsup.config.cjs", "tsup.config.mjs", "tsup.config.json")
	}
	return w
}

// esbuildOut reads esbuild's --outdir / --outfile; it writes to standard
// output without them.
func esbuildOut(argv []string) toolOut {
	w := toolOut{writes: true, out: flagValue(argv, "--outdir")}
	if f := flagValue(argv, "--outfile"); w.out == "" && f != "" {
		w.out = dirOf(f)
	}
	if w.out == "" {
		w.why = "runs esbuild without --outdir or --outfile"
	}
	external := flagValue(argv, "--packages") == "external"
	for _, a := range argv {
		external = external || strings.HasPrefix(a, "--external")
	}
	w.bundle = hasWord(argv, "--bundle") && flagValue(argv, "--platform") == "node" && !external
	return w
}

// tscOut is what tsc writes: --outDir, or tsconfig.json's outDir.
func (si *stageInfo) tscOut(argv []string) toolOut {
	if hasWord(argv, "--noEmit") {
		return toolOut{}
	}
	w := toolOut{writes: true}
	cfg := "tsconfig.json"
	if p := flagValue(argv, "-p", "--project", "-b", "--build"); p != "" && p != "." && !strings.HasPrefix(p, "-") {
		cfg = p
		if !strings.HasSuffix(p, ".json") {
			cfg = path.Join(p, "tsconfig.json")
		}
	}
	w.out = firstOf(flagValue(argv, "--outDir"), dirOf(flagValue(argv, "--outFile")), si.tsOutDir(cfg))
	if w.out == "" {
		w.why = "runs tsc with no outDir (in " + cfg + " or --outDir), so it writes beside the sources"
	}
	return w
}

// nextOut is what next build writes: .next, which next start serves with
// public/ and next.config.
func (si *stageInfo) nextOut(sub string) toolOut {
	if sub != "build" {
		return toolOut{writes: true}
	}
	w := toolOut{writes: true, out: ".next"}
	for _, cfg := range []string{"next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"} {
		if si.contextExists(cfg) {
			w.extra = append(w.extra, cfg)
		}
	}
	if si.configMentions("distDir", w.extra...) {
		w.why = "runs next build with a distDir set in next.config"
	}
	return w
}

// defaultUnlessConfig is the value given on the command line, else the
// tool's default unless a configuration file of the tool exists (and,
// when key is set, mentions key): then "".
func (si *stageInfo) defaultUnlessConfig(given, def, key string, configs ...string) string {
	if given != "" {
		return given
	}
	for _, c := range configs {
		if key == "" && si.contextExists(c) || key != "" && si.configMentions(key, c) {
			return ""
		}
	}
	return def
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// dirOf is the folder of an output file ("" for "" and a file in ".").
func dirOf(f string) string {
	if d := path.Dir(f); f != "" && d != "." {
		return d
	}
	return ""
}

// flagValue is the value of the first of the options names in argv
// ("--out dir" or "--out=dir"), "" when none is given.
func flagValue(argv []string, names ...string) string {
	for i, a := range argv {
		for _, n := range names {
			if a == n && i+1 < len(argv) {
				return argv[i+1]
			}
			if v, ok := strings.CutPrefix(a, n+"="); ok {
				return v
			}
		}
	}
	return ""
}

// tsOutDir reads compilerOptions.outDir of a tsconfig file ("" when unknown).
func (si *stageInfo) tsOutDir(name string) string {
	b, ok := si.contextFile(name)
	if !ok {
		return ""
	}
	var cfg struct {
		CompilerOptions struct {
			OutDir string `json:"outDir"`
		} `json:"compilerOptions"`
	}
	if json.Unmarshal(b, &cfg) != nil {
		// tsconfig allows comments: drop whole-line ones and retry.
		var kept []string
		for _, l := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "//") {
				kept = append(kept, l)
			}
		}
		if json.Unmarshal([]byte(strings.Join(kept, "\n")), &cfg) != nil {
			return ""
		}
	}
	return cfg.CompilerOptions.OutDir
}

// configMentions reports whether any of the context files contains word
// (a config that may override a tool's default output folder).
func (si *stageInfo) configMentions(word string, files ...string) bool {
	for _, f := range files {
		if b, ok := si.contextFile(f); ok && strings.Contains(string(b), word) {
			return true
		}
	}
	return false
}
