package pkgcache

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleComposerNoCache is DS141.
var RuleComposerNoCache = &rewrite.Rule{
	ID:      "DS141",
	Name:    "composer-no-cache",
	Summary: "composer install keeps downloaded package archives in the layer; add --no-cache",
	Explanation: `Composer caches every package archive and repository metadata file it downloads
(COMPOSER_CACHE_DIR; by default <COMPOSER_HOME>/cache or ~/.cache/composer). In a
RUN, that cache lands in the image layer next to vendor/.

dockslim adds Composer's global --no-cache option right after the subcommand
(install, update, require, create-project, reinstall, also "global require").
It is a flag, so it also works in exec form, and it needs no second command:
Composer then uses /dev/null as its cache folder. (--no-cache exists in every
Composer 2 and in Composer 1 since 2019; for an older Composer, append
"&& composer clear-cache" by hand instead.)

Left alone: the command has --no-cache; COMPOSER_CACHE_DIR is /dev/null; a later
"composer clear-cache" (clearcache, cc) or rm of the cache folder in the same
RUN; a cache (or tmpfs) mount on the cache folder.

With --cache-mounts, dockslim mounts the cache folder instead when it knows it:
COMPOSER_CACHE_DIR, COMPOSER_HOME/cache, or /tmp/cache on the official composer
image (COMPOSER_HOME=/tmp). Elsewhere Composer picks ~/.composer/cache or
~/.cache/composer depending on XDG settings, and dockslim only reports.`,
	Before:        "RUN composer install --no-dev --optimize-autoloader",
	After:         "RUN composer install --no-cache --no-dev --optimize-autoloader",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// ComposerPass is the composer pass.
var ComposerPass = &rewrite.Pass{Name: "composer", Rules: []*rewrite.Rule{RuleComposerNoCache}, Run: runComposer}

// composerCmd returns the command as composer's own argv (dropping a
// leading `php`), or nil.
func composerCmd(lc *langCmd) *langCmd {
	if lc.Name == "php" && len(lc.Args) > 1 {
		if a, ok := lc.Arg(1); ok && (path.Base(a) == "composer" || path.Base(a) == "composer.phar") {
			return lc.Shift(1)
		}
		return nil
	}
	if lc.Name == "composer" || lc.Name == "composer.phar" {
		return lc
	}
	return nil
}

var composerInstallCmds = []string{
	"install", "i", "update", "u", "upgrade",
	"require", "r", "create-project", "reinstall",
}

// composerInstall returns the index of the install-type subcommand and its name.
func composerInstall(lc *langCmd) (int, string) {
	words, idx := lc.Words(shellcmd.Composer.ValueOpts)
	if len(words) > 1 && words[0] == "global" {
		words, idx = words[1:], idx[1:]
	}
	if len(words) > 0 && slices.Contains(composerInstallCmds, words[0]) {
		return idx[0], words[0]
	}
	return -1, ""
}

// composerCacheDir is Composer's cache folder when known and literal.
func composerCacheDir(f *parser.File, lc *langCmd) string {
	if p, ok := (langCacheDir{vars: []string{"COMPOSER_CACHE_DIR"}, parent: "COMPOSER_HOME", sub: "cache"}).named(f, lc); ok {
		return p
	}
	if langOfficial(lc.In.Stage, "composer") {
		return "/tmp/cache"
	}
	return ""
}

func composerCleans(f *parser.File, lc *langCmd, dir string) bool {
	if cc := composerCmd(lc); cc != nil {
		words, _ := cc.Words(shellcmd.Composer.ValueOpts)
		return len(words) > 0 && (words[0] == "clear-cache" || words[0] == "clearcache" || words[0] == "cc")
	}
	if langRmVar(lc, "COMPOSER_CACHE_DIR") {
		return true
	}
	if _, own := langVar(f, lc, "COMPOSER_CACHE_DIR"); !own && langRmVar(lc, "COMPOSER_HOME") {
		return true // the cache is $COMPOSER_HOME/cache
	}
	return langRmMentions(f, lc, "composer/cache", ".composer", "/.cache/composer", dir)
}

func runComposer(c *rewrite.Context) {
	f := c.File
	for _, in := range langRunInstructions(f) {
		cmds := langCommands(in)
		for n, lc := range cmds {
			cc := composerCmd(lc)
			if cc == nil {
				continue
			}
			i, sub := composerInstall(cc)
			if i < 0 || cc.Has("--no-cache") {
				continue
			}
			if v, ok := langVar(f, cc, "COMPOSER_CACHE_DIR"); ok && (v == "/dev/null" || strings.EqualFold(v, "nul")) {
				continue
			}
			dir := composerCacheDir(f, cc)
			cleaned := false
			for _, later := range cmds[n+1:] {
				cleaned = cleaned || composerCleans(f, later, dir)
			}
			if langHandledOrMount(c, RuleComposerNoCache, cc, dir, cleaned || langHasMount(in, dir, "/.composer/cache", "/.cache/composer"), "composer "+sub) {
				continue
			}
			langFlag(c, RuleComposerNoCache, cc, i, "--no-cache",
				"composer %s: add --no-cache so downloaded package archives stay out of the layer", sub)
		}
	}
}
