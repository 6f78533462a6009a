// Package pkgcache holds the passes that keep package managers' caches,
// recommended packages and index files out of image layers.
package pkgcache

import (
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RulePipNoCacheDir is DS101.
var RulePipNoCacheDir = &rewrite.Rule{
	ID:      "DS101",
	Name:    "pip-no-cache-dir",
	Summary: "pip install keeps its download cache in the layer; add --no-cache-dir",
	Explanation: `pip stores every wheel and source archive it downloads under ~/.cache/pip.
In a RUN, that cache is written into the image layer and shipped with the image,
often tens or hundreds of MB, and no later RUN can remove it from that layer.

dockslim adds --no-cache-dir right after "install" (pip, pip3, pip3.11,
python -m pip, behind sudo or env, in exec form too). It leaves the command
alone when caching is already handled:
  - the command has --no-cache-dir, or --cache-dir (a deliberate choice);
  - PIP_NO_CACHE_DIR is set on the command, exported earlier in the same
    RUN (export, set -a, or an assignment to a variable ENV already
    exports), by ENV, or by an ARG with a default (pip disables its cache
    for any valid value of that variable;
    an ARG without a default sets nothing unless --build-arg gives it, so
    it does not count);
  - the RUN has a BuildKit cache (or tmpfs) mount on pip's cache folder
    (/root/.cache/pip, PIP_CACHE_DIR, or <home>/.cache/pip).

"pip wheel" and "pip download" fill the same cache. They usually run in a
builder stage whose layers never reach the final image, so dockslim only
adds --no-cache-dir to them in the final stage (or a stage it builds FROM).

With --cache-mounts, dockslim instead adds
RUN --mount=type=cache,target=/root/.cache/pip (or PIP_CACHE_DIR), which keeps
the cache out of the image and makes rebuilds faster; no flag is added then.`,
	Before:        "RUN pip install -r requirements.txt",
	After:         "RUN pip install --no-cache-dir -r requirements.txt",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3042"},
	Parfum:        []string{"pipUseNoCacheDir"},
}

// PipPass is the pip pass.
var PipPass = &rewrite.Pass{Name: "pip", Rules: []*rewrite.Rule{RulePipNoCacheDir}, Run: runPip}

// pipCacheDir is pip's cache folder for the command when it is known and
// literal ("" otherwise).
func pipCacheDir(f *parser.File, lc *langCmd) string {
	d := langCacheDir{vars: []string{"PIP_CACHE_DIR"}, parent: "XDG_CACHE_HOME", sub: "pip"}
	if p, ok := d.named(f, lc); ok {
		return p
	}
	return "/root/.cache/pip"
}

func pipHandled(f *parser.File, lc *langCmd) bool {
	if lc.Has("--no-cache-dir", "--cache-dir") || lc.HasPrefix("--cache-dir=") {
		return true
	}
	if _, ok := langVar(f, lc, "PIP_NO_CACHE_DIR"); ok {
		return true
	}
	return langCacheMounted(lc.In, pipCacheDir(f, lc), "/root/.cache/pip", "/.cache/pip")
}

func runPip(c *rewrite.Context) {
	f := c.File
	for lc := range langRunCommands(f) {
		if !shellcmd.IsPip(lc.Name) {
			continue
		}
		words, idx := lc.Words(shellcmd.Pip.ValueOpts)
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "install":
		case "wheel", "download":
			// Only where the layer ships, unless the user wants cache
			// mounts (they speed up builder stages too).
			if !c.Options.CacheMounts && !langShips(f, lc.In.Stage) {
				continue
			}
		default:
			continue
		}
		if pipHandled(f, lc) {
			continue
		}
		if c.Options.CacheMounts {
			langMountDir(c, RulePipNoCacheDir, lc, pipCacheDir(f, lc), lc.Name+" "+words[0])
			continue
		}
		langFlag(c, RulePipNoCacheDir, lc, idx[0], "--no-cache-dir",
			"%s %s: add --no-cache-dir so the download cache stays out of the layer", lc.Name, words[0])
	}
}
