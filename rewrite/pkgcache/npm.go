package pkgcache

import (
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleNpmCacheClean is DS104.
var RuleNpmCacheClean = &rewrite.Rule{
	ID:      "DS104",
	Name:    "npm-cache-clean",
	Summary: "npm install/ci leaves its download cache in the layer; run npm cache clean --force in the same RUN",
	Explanation: `npm keeps a copy of every package tarball and metadata document it fetches in
its cache (~/.npm/_cacache, or npm_config_cache). After "npm ci" or "npm install"
in a RUN, that cache is part of the image layer, often as large as node_modules
itself, and no later RUN can remove it from that layer.

dockslim appends "&& npm cache clean --force" to the statement of the last npm
install-type command of the RUN (ci, install, i, add, update, install-test and
their aliases, also "npm install -g"), in the chain's own layout. It leaves the
RUN alone when npm's cache is cleaned after the install already (npm cache
clean, or rm of the ~/.npm folder), or when a cache (or tmpfs) mount covers the
cache folder (/root/.npm, npm_config_cache, or <home>/.npm). An exec-form RUN
cannot chain a command: dockslim only reports it.

With --cache-mounts, dockslim adds RUN --mount=type=cache,target=/root/.npm
instead, which also makes rebuilds faster; no cleanup is added then.

hadolint has no equivalent (DL3016 is about pinning versions, not the cache).`,
	Before:        "RUN npm ci --omit=dev",
	After:         "RUN npm ci --omit=dev && npm cache clean --force",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Parfum:        []string{"npmCacheCleanAfterInstall"},
}

// RuleNpmCacheCleanForce is DS105.
var RuleNpmCacheCleanForce = &rewrite.Rule{
	ID:      "DS105",
	Name:    "npm-cache-clean-force",
	Summary: "npm cache clean fails without --force since npm 5; add --force",
	Explanation: `Since npm 5 (2017) the cache is self-healing and "npm cache clean" refuses to
run without --force: it prints an error and exits non-zero, so the RUN fails
(or, behind "|| true", silently cleans nothing). dockslim adds --force right after
"clean" (also for the aliases "clear" and "rm"). Older npm versions accept
--force too.`,
	Before:        "RUN npm ci && npm cache clean",
	After:         "RUN npm ci && npm cache clean --force",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
	Parfum:        []string{"npmCacheCleanUseForce"},
}

// NpmPass is the npm pass.
var NpmPass = &rewrite.Pass{Name: "npm", Rules: []*rewrite.Rule{RuleNpmCacheClean, RuleNpmCacheCleanForce}, Run: runNpm}

// npm's install-type commands and their aliases.
var npmInstallCmds = []string{
	"install", "add", "i", "in", "ins", "inst", "insta",
	"instal", "isnt", "isnta", "isntal", "isntall",
	"ci", "clean-install", "ic", "install-clean", "isntall-clean",
	"install-test", "it", "install-ci-test", "cit", "clean-install-test", "sit",
	"update", "up", "upgrade", "udpate",
}

func npmInstall(lc *langCmd) string {
	if lc.Name != "npm" {
		return ""
	}
	return lc.Verb(shellcmd.Npm.ValueOpts, npmInstallCmds)
}

// npmCacheCleanIdx returns the index of "clean" in `npm cache clean`, or -1.
func npmCacheCleanIdx(lc *langCmd) int {
	if lc.Name != "npm" {
		return -1
	}
	words, idx := lc.Words(shellcmd.Npm.ValueOpts)
	if len(words) >= 2 && words[0] == "cache" && (words[1] == "clean" || words[1] == "clear" || words[1] == "rm") {
		return idx[1]
	}
	return -1
}

// npmCacheDir is npm's cache folder when known and literal ("" otherwise).
func npmCacheDir(f *parser.File, lc *langCmd) string {
	if p, ok := (langCacheDir{opt: "--cache", vars: []string{"npm_config_cache", "NPM_CONFIG_CACHE"}}).named(f, lc); ok {
		return p
	}
	if langNonRoot(f, lc.In) {
		return ""
	}
	return "/root/.npm"
}

// npmRmCache reports an rm of npm's cache folder.
func npmRmCache(f *parser.File, lc *langCmd) bool {
	return langRmAny(f, lc, func(raw string) bool {
		raw = strings.TrimRight(raw, "/*")
		return strings.HasSuffix(raw, "/.npm") || strings.Contains(raw, "/.npm/") || strings.Contains(raw, "_cacache") ||
			strings.Contains(strings.ToLower(raw), "npm_config_cache")
	})
}

func runNpm(c *rewrite.Context) {
	f := c.File
	for _, in := range langRunInstructions(f) {
		cmds := langCommands(in)
		for _, lc := range cmds {
			if i := npmCacheCleanIdx(lc); i >= 0 && !lc.Has("--force", "-f") {
				langFlag(c, RuleNpmCacheCleanForce, lc, i, "--force",
					"npm cache %s: add --force; npm 5 and later refuse to clean the cache without it", lc.Args[i])
			}
		}
		isClean := func(lc *langCmd) bool { return npmCacheCleanIdx(lc) >= 0 || npmRmCache(f, lc) }
		last, sub := langLastInstall(cmds, npmInstall, isClean)
		if last == nil {
			continue
		}
		dir := npmCacheDir(f, last)
		if langHandledOrMount(c, RuleNpmCacheClean, last, dir, langCacheMounted(in, dir, "/root/.npm", "/.npm"), "npm "+sub) {
			continue
		}
		if _, ok := last.OptValue("--cache"); ok {
			c.Reportf(RuleNpmCacheClean, last.Start(), "npm %s: --cache puts npm's cache in another folder; remove that folder in the same RUN so it stays out of the layer", sub)
			continue
		}
		langAppend(c, RuleNpmCacheClean, last, "npm cache clean --force",
			"npm %s: clean npm's cache in the same RUN so it stays out of the layer", sub)
	}
}
