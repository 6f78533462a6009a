package pkgcache

import (
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleUvNoCache is DS102.
var RuleUvNoCache = &rewrite.Rule{
	ID:      "DS102",
	Name:    "uv-no-cache",
	Summary: "uv keeps its package cache in the layer; add --no-cache",
	Explanation: `uv caches every wheel, source distribution and built package under
~/.cache/uv (UV_CACHE_DIR). In a RUN, that cache is written into the image layer.
uv's Docker guide: without a cache mount, use --no-cache or UV_NO_CACHE.

dockslim adds --no-cache (a global option of every uv command) right after the
install-type subcommand: "uv pip install", "uv pip sync", "uv sync", "uv add",
"uv tool install". It leaves the command alone when it already has --no-cache,
-n, --no-cache-dir or --cache-dir; when UV_NO_CACHE is set to a true value
(uv reads it as a boolean: 1/true/yes/on) on the command, by ENV or by an ARG
with a default; or when the RUN has a cache (or tmpfs) mount on uv's cache
folder (UV_CACHE_DIR, or ~/.cache/uv).

With --cache-mounts, dockslim adds RUN --mount=type=cache,target=/root/.cache/uv
(or UV_CACHE_DIR) instead. uv then warns that it cannot hard-link from the
mount and copies; set ENV UV_LINK_MODE=copy to silence that.`,
	Before:        "RUN uv pip install --system -r requirements.txt\nRUN uv sync --frozen",
	After:         "RUN uv pip install --no-cache --system -r requirements.txt\nRUN uv sync --no-cache --frozen",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// UvPass is the uv pass.
var UvPass = &rewrite.Pass{Name: "uv", Rules: []*rewrite.Rule{RuleUvNoCache}, Run: runUv}

// uv's global options that take a value and may come before the subcommand.
var uvValueOpts = []string{
	"--directory", "--project", "--cache-dir", "--config-file",
	"--color", "--python", "-p", "--allow-insecure-host",
}

// uvInstall returns the index of the last word of an install-type uv
// subcommand ("install" in `uv pip install`) and the subcommand, or -1.
func uvInstall(lc *langCmd) (int, string) {
	if lc.Name != "uv" {
		return -1, ""
	}
	words, idx := lc.Words(uvValueOpts)
	switch {
	case len(words) >= 2 && words[0] == "pip" && (words[1] == "install" || words[1] == "sync"),
		len(words) >= 2 && words[0] == "tool" && words[1] == "install":
		return idx[1], words[0] + " " + words[1]
	case len(words) >= 1 && (words[0] == "sync" || words[0] == "add"):
		return idx[0], words[0]
	}
	return -1, ""
}

// uvCacheDir is uv's cache folder when known and literal ("" otherwise).
func uvCacheDir(f *parser.File, lc *langCmd) string {
	d := langCacheDir{opt: "--cache-dir", vars: []string{"UV_CACHE_DIR"}, parent: "XDG_CACHE_HOME", sub: "uv"}
	if p, ok := d.named(f, lc); ok {
		return p
	}
	return "/root/.cache/uv"
}

func uvHandled(f *parser.File, lc *langCmd) bool {
	if lc.Has("--no-cache", "-n", "--no-cache-dir", "--cache-dir") || lc.HasPrefix("--cache-dir=") {
		return true
	}
	if v, ok := langVar(f, lc, "UV_NO_CACHE"); ok && langBoolish(v) {
		return true
	}
	return langCacheMounted(lc.In, uvCacheDir(f, lc), "/root/.cache/uv", "/.cache/uv")
}

func runUv(c *rewrite.Context) {
	f := c.File
	for lc := range langRunCommands(f) {
		i, sub := uvInstall(lc)
		if i < 0 || uvHandled(f, lc) {
			continue
		}
		if c.Options.CacheMounts {
			langMountDir(c, RuleUvNoCache, lc, uvCacheDir(f, lc), "uv "+sub)
			continue
		}
		langFlag(c, RuleUvNoCache, lc, i, "--no-cache",
			"uv %s: add --no-cache so uv's package cache stays out of the layer", sub)
	}
}
