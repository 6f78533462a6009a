package pkgcache

import (
	"encoding/json"
	"io/fs"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleYarnCacheClean is DS106.
var RuleYarnCacheClean = &rewrite.Rule{
	ID:      "DS106",
	Name:    "yarn-cache-clean",
	Summary: "yarn install leaves Yarn's cache in the layer; run yarn cache clean in the same RUN",
	Explanation: `Yarn 1 (classic, the yarn that official node images ship) keeps every package it
installs in a global cache: /usr/local/share/.cache/yarn for root, ~/.cache/yarn
for other users, or YARN_CACHE_FOLDER. After "yarn install" in a RUN the cache is
part of the layer, usually as large as node_modules.

dockslim appends "&& yarn cache clean" to the statement of the last yarn install
of the RUN ("yarn", "yarn install", "yarn add", "yarn upgrade", "yarn global
add"), in the chain's own layout. Left alone: the cache is already cleaned after
the install (yarn cache clean, or rm of the cache folder), or a cache (or tmpfs)
mount covers the cache folder. Exec form cannot chain a command: reported only.

Yarn 2+ ("berry") works differently: with Plug'n'Play the cache IS the installed
packages (.yarn/cache, or ~/.yarn/berry/cache with the global cache), and
cleaning it breaks the application. When the build context has .yarnrc.yml or
.yarn/releases, package.json names "packageManager": "yarn@2+", the stage COPYs
.yarnrc.yml, runs "yarn set version" / "corepack prepare|use yarn@2+", or the
command uses berry's --immutable, dockslim only reports the install and does
not add the cleanup.

With --cache-mounts, dockslim adds
RUN --mount=type=cache,target=/usr/local/share/.cache/yarn (or YARN_CACHE_FOLDER)
instead of the cleanup (Yarn 1 only).`,
	Before:        "RUN yarn install --frozen-lockfile --production",
	After:         "RUN yarn install --frozen-lockfile --production && yarn cache clean",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3060"},
	Parfum:        []string{"yarnCacheCleanAfterInstall"},
}

// YarnPass is the yarn pass.
var YarnPass = &rewrite.Pass{Name: "yarn", Rules: []*rewrite.Rule{RuleYarnCacheClean}, Run: runYarn}

func isYarn(name string) bool { return name == "yarn" || name == "yarnpkg" }

// yarnInstall returns the install-type subcommand of a yarn command ("install"
// for a bare `yarn`), or "".
func yarnInstall(lc *langCmd) string {
	if !isYarn(lc.Name) {
		return ""
	}
	words, _ := lc.Words(shellcmd.Yarn.ValueOpts)
	if len(words) == 0 {
		for i := 1; i < len(lc.Args); i++ {
			if _, ok := lc.Arg(i); !ok {
				return "" // `yarn $CMD`
			}
		}
		if lc.Has("-v", "--version", "-h", "--help") {
			return ""
		}
		return "install"
	}
	switch words[0] {
	case "install", "add", "upgrade":
		return words[0]
	case "global":
		if len(words) > 1 && (words[1] == "add" || words[1] == "upgrade") {
			return "global " + words[1]
		}
	}
	return ""
}

func yarnCacheClean(f *parser.File, lc *langCmd) bool {
	if isYarn(lc.Name) {
		return lc.Runs(shellcmd.Yarn.ValueOpts, "cache", "clean")
	}
	return langRmMentions(f, lc, "/.cache/yarn", "YARN_CACHE_FOLDER")
}

// yarnCacheDir is Yarn 1's cache folder when known and literal.
func yarnCacheDir(f *parser.File, lc *langCmd) string {
	if p, ok := (langCacheDir{opt: "--cache-folder", vars: []string{"YARN_CACHE_FOLDER"}}).named(f, lc); ok {
		return p
	}
	if langNonRoot(f, lc.In) {
		return ""
	}
	return "/usr/local/share/.cache/yarn"
}

// yarnBerry returns why the command runs Yarn 2+ ("" when nothing says so).
func yarnBerry(c *rewrite.Context, lc *langCmd) string {
	if lc.Has("--immutable", "--immutable-cache") {
		return "it uses Yarn 2+'s --immutable"
	}
	if ctx := c.BuildContext; ctx != nil {
		for _, p := range []string{".yarnrc.yml", ".yarn/releases"} {
			if _, err := fs.Stat(ctx, p); err == nil {
				return "the build context has " + p
			}
		}
		if b, err := fs.ReadFile(ctx, "package.json"); err == nil {
			var pkg struct {
				PackageManager string `json:"packageManager"`
			}
			if json.Unmarshal(b, &pkg) == nil && yarnVersionIsBerry(strings.TrimPrefix(pkg.PackageManager, "yarn@")) &&
				strings.HasPrefix(pkg.PackageManager, "yarn@") {
				return "package.json names " + pkg.PackageManager
			}
		}
	}
	// Earlier instructions of the stage (and the stages it builds FROM).
	f := c.File
	for st, limit := lc.In.Stage, lc.In.Index; st != nil; st, limit = st.Base.StageRef, len(f.Instructions) {
		for _, p := range st.Instructions {
			if p.Index > limit {
				continue
			}
			if p.Is("copy") || p.Is("add") {
				for _, a := range p.Args() {
					if strings.Contains(a, ".yarnrc.yml") {
						return "the stage copies .yarnrc.yml"
					}
				}
			}
			if !p.Is("run") {
				continue
			}
			for _, o := range langCommands(p) {
				if p == lc.In && o.Start() >= lc.Start() {
					break
				}
				words, _ := o.Words(shellcmd.Yarn.ValueOpts)
				switch {
				case isYarn(o.Name) && len(words) >= 3 && words[0] == "set" && words[1] == "version" && yarnVersionIsBerry(words[2]):
					return "the stage runs yarn set version " + words[2]
				case o.Name == "corepack" && len(words) >= 2 && (words[0] == "prepare" || words[0] == "use") &&
					strings.HasPrefix(words[1], "yarn@") && yarnVersionIsBerry(strings.TrimPrefix(words[1], "yarn@")):
					return "the stage runs corepack " + words[0] + " " + words[1]
				}
			}
		}
	}
	return ""
}

func yarnVersionIsBerry(v string) bool {
	switch {
	case v == "", v == "classic", strings.HasPrefix(v, "1."), v == "1":
		return false
	}
	return true
}

func runYarn(c *rewrite.Context) {
	f := c.File
	for last, sub := range langLastInstalls(f, yarnInstall, func(lc *langCmd) bool { return yarnCacheClean(f, lc) }) {
		if why := yarnBerry(c, last); why != "" {
			if !c.Options.CacheMounts {
				c.Reportf(RuleYarnCacheClean, last.Start(), "yarn %s: Yarn 2+ (%s); its cache may hold the installed packages (Plug'n'Play), so dockslim adds no yarn cache clean: use a cache mount or check your cache settings", sub, why)
			}
			continue
		}
		dir := yarnCacheDir(f, last)
		if langHandledOrMount(c, RuleYarnCacheClean, last, dir, langCacheMounted(last.In, dir, "/usr/local/share/.cache/yarn", "/.cache/yarn"), "yarn "+sub) {
			continue
		}
		langAppend(c, RuleYarnCacheClean, last, last.Name+" cache clean",
			"yarn %s: clean Yarn's cache in the same RUN so it stays out of the layer", sub)
	}
}
