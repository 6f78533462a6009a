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
		w.out = si.configOr(flag("--outDir"), "dist", "outDir", configFiles("vite")...)
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
		w.out = firstOf(flag("--output-path", "-o"), "dist")
		if slices.ContainsFunc(configFiles("webpack"), si.contextExists) && flag("--output-path", "-o") == "" {
			w.out = "" // its output.path is code (path.resolve(...)), not read
		}
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
		if w.out == "" && (hasWord(argv, "-c") || hasWord(argv, "--config")) {
			w.out = firstOf(si.configOr("", "", "dir", configFiles("rollup")...), dirOf(si.configOr("", "", "file", configFiles("rollup")...)))
		}
	case "ncc":
		if sub == "build" {
			w.out, w.bundle = firstOf(flag("-o", "--out"), "dist"), true
		}
	case "tsup":
		w.out = si.configOr(flag("-d", "--out-dir"), "dist", "outDir", configFiles("tsup")...)
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
	w := toolOut{writes: true}
	for _, cfg := range configFiles("next") {
		if si.contextExists(cfg) {
			w.extra = append(w.extra, cfg)
		}
	}
	w.out = si.configOr("", ".next", "distDir", w.extra...)
	return w
}

// configOr is the value given on the command line, else the one the
// tool's configuration files set for key as a string literal ("outDir:
// 'build'"), else def when none of them names key; "" when one names it
// otherwise (a variable, code) or two set different values.
func (si *stageInfo) configOr(given, def, key string, configs ...string) string {
	if given != "" {
		return given
	}
	var vals []string
	for _, c := range configs {
		b, ok := si.contextFile(c)
		if !ok || !strings.Contains(string(b), key) {
			continue
		}
		v, lit := literalAfter(string(b), key)
		if !lit {
			return ""
		}
		vals = append(vals, v)
	}
	switch vals = dedupe(vals); len(vals) {
	case 0:
		return def
	case 1:
		return vals[0]
	}
	return ""
}

// literalAfter reads `key: 'value'` (or "value", `value`, = for JSON-less
// configs) at the only place text names key; ok is false when key is
// named more than once or not followed by a string literal.
func literalAfter(text, key string) (string, bool) {
	i := strings.Index(text, key)
	if i < 0 || strings.Count(text, key) > 1 {
		return "", false
	}
	rest := strings.TrimLeft(text[i+len(key):], `"' `)
	rest, ok := strings.CutPrefix(rest, ":")
	if !ok {
		rest, ok = strings.CutPrefix(rest, "=")
	}
	rest = strings.TrimLeft(rest, " \t")
	if !ok || rest == "" || !strings.ContainsRune("'\"`", rune(rest[0])) {
		return "", false
	}
	end := strings.IndexByte(rest[1:], rest[0])
	if end < 0 || strings.ContainsAny(rest[1:end+1], "${}\n") {
		return "", false
	}
	return strings.TrimPrefix(rest[1:end+1], "./"), true
}

// configFiles are a tool's configuration files (vite.config.js, ...).
func configFiles(tool string) []string {
	var out []string
	for _, ext := range []string{"js", "ts", "mjs", "mts", "cjs", "cts", "json"} {
		out = append(out, tool+".config."+ext)
	}
	return out
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
