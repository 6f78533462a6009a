package pkgcache

import (
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RulePoetryCache is DS103.
var RulePoetryCache = &rewrite.Rule{
	ID:      "DS103",
	Name:    "poetry-cache-cleanup",
	Summary: "poetry install leaves its download caches in the layer; remove them in the same RUN",
	Explanation: `Poetry keeps two caches under its cache-dir (POETRY_CACHE_DIR, default
~/.cache/pypoetry): "cache" (repository metadata) and "artifacts" (every wheel and
sdist it downloaded). After "poetry install" both are written into the image layer.

Poetry's global --no-cache option is not enough: it only disables the repository
cache; the artifacts cache (usually the big one) is still written. So dockslim
appends, in the same RUN, a removal of exactly those two folders:

    && rm -rf /root/.cache/pypoetry/cache /root/.cache/pypoetry/artifacts

(under POETRY_CACHE_DIR or XDG_CACHE_HOME when the Dockerfile sets them, ~ for a
non-root USER). It never removes the whole cache-dir: Poetry's virtualenvs live
in <cache-dir>/virtualenvs unless virtualenvs.in-project or
virtualenvs.create=false says otherwise, and deleting them would delete the
installed application.

Left alone: a RUN that already removes the pypoetry cache or runs "poetry cache
clear" after the install, or that has a cache (or tmpfs) mount on the caches.
Exec-form RUN cannot chain a command: reported only.

With --cache-mounts, dockslim mounts the two folders as BuildKit caches instead.`,
	Before:        "RUN poetry install --no-root --only main",
	After:         "RUN poetry install --no-root --only main && rm -rf /root/.cache/pypoetry/cache /root/.cache/pypoetry/artifacts",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// PoetryPass is the poetry pass.
var PoetryPass = &rewrite.Pass{Name: "poetry", Rules: []*rewrite.Rule{RulePoetryCache}, Run: runPoetry}

var poetryValueOpts = []string{"-C", "--directory", "-P", "--project"}

// poetryInstallCmds are the poetry commands that fill its cache.
var poetryInstallCmds = []string{"install", "add", "update", "sync"}

func poetryInstall(lc *langCmd) string {
	if lc.Name != "poetry" {
		return ""
	}
	return lc.Verb(poetryValueOpts, poetryInstallCmds)
}

// poetryCacheDir returns Poetry's cache-dir as shell text for a cleanup
// ("" when unknown) and whether it is a literal path (usable as a mount target).
func poetryCacheDir(f *parser.File, lc *langCmd) (dir string, literal bool) {
	if v, ok := langVar(f, lc, "POETRY_CACHE_DIR"); ok {
		if p, ok := langLiteralPath(v); ok {
			return p, true
		}
		return "$POETRY_CACHE_DIR", false
	}
	if v, ok := langVar(f, lc, "XDG_CACHE_HOME"); ok {
		if p, ok := langLiteralPath(v); ok {
			return p + "/pypoetry", true
		}
		return "", false
	}
	if langNonRoot(f, lc.In) {
		return "~/.cache/pypoetry", false
	}
	return "/root/.cache/pypoetry", true
}

func runPoetry(c *rewrite.Context) {
	f := c.File
	isClean := func(lc *langCmd) bool {
		if lc.Name == "poetry" {
			return lc.Runs(poetryValueOpts, "cache", "clear")
		}
		d, _ := poetryCacheDir(f, lc)
		return langRmMentions(f, lc, "pypoetry", "POETRY_CACHE_DIR", d)
	}
	for last, sub := range langLastInstalls(f, poetryInstall, isClean) {
		dir, literal := poetryCacheDir(f, last)
		if literal && langHasMount(last.In, dir+"/cache") && langHasMount(last.In, dir+"/artifacts") {
			continue
		}
		if c.Options.CacheMounts {
			var targets []string
			if literal {
				targets = []string{dir + "/cache", dir + "/artifacts"}
			}
			langMount(c, RulePoetryCache, last, rewrite.Safe, targets, "poetry "+sub)
			continue
		}
		if dir == "" {
			c.Reportf(RulePoetryCache, last.Start(), "poetry %s: its caches stay in the layer; remove <cache-dir>/cache and <cache-dir>/artifacts in the same RUN (dockslim cannot tell where cache-dir is here)", sub)
			continue
		}
		cleanup := "rm -rf " + dir + "/cache " + dir + "/artifacts"
		if !literal && dir[0] == '$' {
			cleanup = `rm -rf "` + dir + `/cache" "` + dir + `/artifacts"`
		}
		langAppend(c, RulePoetryCache, last, cleanup,
			"poetry %s: remove Poetry's download caches in the same RUN so they stay out of the layer", sub)
	}
}
