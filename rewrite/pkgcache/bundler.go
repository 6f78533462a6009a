package pkgcache

import (
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleBundlerCache is DS109.
var RuleBundlerCache = &rewrite.Rule{
	ID:      "DS109",
	Name:    "bundler-cache-cleanup",
	Summary: "bundle install keeps every downloaded .gem file in the layer; remove the gems' cache folder in the same RUN",
	Explanation: `RubyGems keeps the .gem archive of every gem it installs in the cache/ folder
next to the installed gems. After "bundle install" those archives are part of the
layer (often tens of MB); the installed gems do not need them.

Where that folder is depends on where bundler installs:
  - BUNDLE_PATH set by ENV (a literal absolute path P): bundler installs into
    P/ruby/<ruby ABI version>/, so the cache is P/ruby/*/cache (what Rails'
    generated Dockerfile removes);
  - otherwise into GEM_HOME: GEM_HOME/cache when the Dockerfile sets GEM_HOME,
    /usr/local/bundle/cache on the official ruby images (GEM_HOME=/usr/local/bundle).
dockslim appends "&& rm -rf <that folder>" to the statement of the last
"bundle install"/"bundle update" of the RUN. When it cannot know the folder
(another base image, --path/--deployment/--standalone, BUNDLE_DEPLOYMENT, a
"bundle config ... path", a BUNDLE_PATH with variables) it only reports, and
suggests removing "$(gem env gemdir)"/cache or the path's ruby/*/cache.

Left alone: a RUN that already removes such a cache folder after the install, or
has a cache (or tmpfs) mount on it. Exec form: reported only.

With --cache-mounts, dockslim mounts GEM_HOME/cache as a BuildKit cache instead
(not for BUNDLE_PATH, whose ruby ABI folder it cannot name).`,
	Before:        "FROM ruby:3.3-slim\nRUN bundle install --jobs 4",
	After:         "FROM ruby:3.3-slim\nRUN bundle install --jobs 4 && rm -rf /usr/local/bundle/cache",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// BundlerPass is the bundler pass.
var BundlerPass = &rewrite.Pass{Name: "bundler", Rules: []*rewrite.Rule{RuleBundlerCache}, Run: runBundler}

func bundleInstall(lc *langCmd) string {
	if lc.Name != "bundle" && lc.Name != "bundler" {
		return ""
	}
	words, _ := lc.Words(shellcmd.Bundler.ValueOpts)
	if len(words) > 0 && strings.HasPrefix(words[0], "_") && strings.HasSuffix(words[0], "_") {
		words = words[1:] // bundle _2.4.22_ install
	}
	if len(words) > 0 && (words[0] == "install" || words[0] == "update") {
		return words[0]
	}
	return ""
}

// bundleCacheDir returns the gems' cache folder as shell text, whether it is
// a single folder (no glob: usable as a mount target), or why it is unknown.
func bundleCacheDir(f *parser.File, lc *langCmd) (dir string, single bool, why string) {
	if lc.Has("--path", "--deployment", "--standalone") || lc.HasPrefix("--path=", "--standalone=") {
		return "", false, "the install goes to a --path/--deployment/--standalone folder"
	}
	if v, ok := langVar(f, lc, "BUNDLE_DEPLOYMENT"); ok && langBoolish(v) {
		if _, set := langVar(f, lc, "BUNDLE_PATH"); !set {
			return "", false, "BUNDLE_DEPLOYMENT installs into vendor/bundle"
		}
	}
	if bundleConfigPath(f, lc.In) {
		return "", false, "a bundle config sets the install path"
	}
	if v, ok := langVar(f, lc, "BUNDLE_PATH"); ok {
		if p, ok := langLiteralPath(v); ok {
			return p + "/ruby/*/cache", false, ""
		}
		return "", false, "BUNDLE_PATH is not a literal absolute path"
	}
	if v, ok := langVar(f, lc, "GEM_HOME"); ok {
		if p, ok := langLiteralPath(v); ok {
			return p + "/cache", true, ""
		}
		return "", false, "GEM_HOME is not a literal absolute path"
	}
	if langOfficial(lc.In.Stage, "ruby") {
		return "/usr/local/bundle/cache", true, ""
	}
	return "", false, "the base image is not the official ruby image and the Dockerfile sets neither BUNDLE_PATH nor GEM_HOME"
}

// bundleConfigPath reports a `bundle config [set] [--local|--global] path|deployment ...`
// up to in (in its stage and the stages it builds FROM).
func bundleConfigPath(f *parser.File, in *parser.Instruction) bool {
	for st, limit := in.Stage, in.Index; st != nil; st, limit = st.Base.StageRef, len(f.Instructions) {
		for _, p := range st.Instructions {
			if p.Index > limit || !p.Is("run") {
				continue
			}
			for _, lc := range langCommands(p) {
				if lc.Name != "bundle" && lc.Name != "bundler" {
					continue
				}
				words, _ := lc.Words(nil)
				if len(words) >= 2 && words[0] == "config" {
					for _, w := range words[1:] {
						if w == "path" || w == "deployment" || w == "path.system" {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// bundleRmCache reports an rm of an installed-gems cache folder.
func bundleRmCache(f *parser.File, lc *langCmd, dir string) bool {
	return langRmAny(f, lc, func(raw string) bool {
		return dir != "" && strings.Contains(raw, dir) ||
			strings.Contains(raw, "cache") && (strings.Contains(raw, "bundle") || strings.Contains(raw, "BUNDLE_PATH") ||
				strings.Contains(raw, "GEM_HOME") || strings.Contains(raw, "gemdir"))
	})
}

func runBundler(c *rewrite.Context) {
	f := c.File
	for _, in := range langRunInstructions(f) {
		cmds := langCommands(in)
		last, sub := langLastInstall(cmds, bundleInstall,
			func(lc *langCmd) bool { return bundleRmCache(f, lc, "") })
		if last == nil {
			continue
		}
		dir, single, why := bundleCacheDir(f, last)
		if dir != "" && bundleRmLater(f, cmds, last, dir) {
			continue
		}
		if single && langHasMount(in, dir) {
			continue
		}
		if c.Options.CacheMounts {
			var targets []string
			if single {
				targets = []string{dir}
			}
			langMount(c, RuleBundlerCache, last, rewrite.Safe, targets, "bundle "+sub)
			continue
		}
		if why != "" {
			c.Reportf(RuleBundlerCache, last.Start(), "bundle %s: the .gem files of the installed gems stay in the layer; remove their cache folder in the same RUN (e.g. rm -rf \"$(gem env gemdir)\"/cache, or <path>/ruby/*/cache): dockslim cannot name it because %s", sub, why)
			continue
		}
		langAppend(c, RuleBundlerCache, last, "rm -rf "+dir,
			"bundle %s: remove the downloaded .gem files in the same RUN so they stay out of the layer", sub)
	}
}

// bundleRmLater reports an rm of dir after the install (the generic check
// in langLastInstall runs before dir is known).
func bundleRmLater(f *parser.File, cmds []*langCmd, last *langCmd, dir string) bool {
	for _, lc := range cmds {
		if lc.Start() > last.Start() && bundleRmCache(f, lc, dir) {
			return true
		}
	}
	return false
}
