package layerorder

import (
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
)

func describeBundle(c *command) *toolRun {
	pos, _ := c.positional([]string{"--gemfile", "--path", "-j", "--jobs", "--retry", "--without", "--with", "--binstubs"})
	sub := "install"
	if len(pos) > 0 {
		sub = pos[0]
	}
	switch sub {
	case "install":
		if c.has("--gemfile") {
			return &toolRun{eco: "ruby", kind: kindBuild, tree: true, why: "bundle install --gemfile"}
		}
		t := &toolRun{eco: "ruby", kind: kindInstall, project: true,
			files: files("Gemfile", "Gemfile.lock?+", ".bundle/?"), outputs: append([]string{"vendor/bundle"}, c.optValues("--path")...)}
		if !c.has("--frozen", "--deployment") {
			t.rewrites = []string{"Gemfile.lock"}
			t.rewritesUnlessEnv = []string{"BUNDLE_FROZEN", "BUNDLE_DEPLOYMENT"}
		}
		return t
	case "config":
		return configRun(c, "ruby", ".bundle")
	case "--version", "version", "clean", "cache":
		if sub == "clean" || sub == "cache" {
			break
		}
		return &toolRun{eco: "ruby"}
	}
	return &toolRun{eco: "ruby", kind: kindBuild, tree: true, runsScripts: true, why: "`bundle " + sub + "` works on the project"}
}

func describeComposer(c *command) *toolRun {
	if c.has("-d", "--working-dir") {
		return &toolRun{eco: "php", kind: kindBuild, tree: true, runsScripts: true, why: "composer --working-dir"}
	}
	pos, _ := c.positional(shellcmd.Composer.ValueOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "php"}
	}
	switch pos[0] {
	case "install", "i":
		t := &toolRun{eco: "php", kind: kindInstall, files: files("composer.json", "composer.lock?+", "auth.json?"),
			outputs: []string{"vendor"}}
		var missing []string
		for _, fl := range []string{"--no-scripts", "--no-autoloader"} {
			if !c.has(fl) {
				missing = append(missing, fl)
			}
		}
		if len(missing) > 0 {
			t.kind, t.noProject = kindProject, missing
			t.why = "`composer install` runs the project's scripts and builds its autoloader from the source"
		}
		return t
	case "global", "self-update", "selfupdate", "clear-cache", "clearcache", "cc", "diagnose", "--version", "-V":
		return &toolRun{eco: "php"}
	case "config":
		if c.has("-g", "--global") {
			return &toolRun{eco: "php"}
		}
	}
	return &toolRun{eco: "php", kind: kindBuild, tree: true, runsScripts: true, why: "`composer " + pos[0] + "` works on the project"}
}

// gemfileCheck reads a Gemfile: why it needs the source (gemspec, local
// paths), and the Ruby version files it reads.
func gemfileCheck(lines []string) (more []manifest, why string) {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "gemspec" || strings.HasPrefix(t, "gemspec ") || strings.Contains(t, "path:") || strings.Contains(t, ":path") {
			return nil, "the Gemfile uses gemspec or a local path, which needs the source"
		}
		for _, v := range []string{".ruby-version", ".tool-versions"} {
			if strings.HasPrefix(t, "ruby ") && strings.Contains(t, v) {
				more = append(more, manifest{rel: v})
			}
		}
	}
	return more, ""
}
