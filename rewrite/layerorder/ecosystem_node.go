package layerorder

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
)

var nodeRC = []string{".npmrc?"}

// nodeConfig are the project files a Node tool reads in the folder it runs
// in, even for a global install.
var nodeConfig = []string{".npmrc", ".yarnrc", ".yarnrc.yml", "package.json"}

// npmConfig are the project files npm and pnpm read for their own settings
// (the cache or store folder): .npmrc, found next to package.json.
var npmConfig = []string{".npmrc", "package.json"}

func describeNpm(c *command) *toolRun {
	if c.has("--prefix", "-C", "--workspace", "-w", "--workspaces", "-ws") {
		return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "npm with --prefix or workspaces"}
	}
	pos, _ := c.positional(shellcmd.Npm.ValueOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "node"}
	}
	global := c.has("-g", "--global", "--location=global")
	switch pos[0] {
	case "ci", "clean-install", "ic", "install-clean", "isntall-clean":
		return &toolRun{eco: "node", kind: kindInstall, files: files(append([]string{"package.json", "package-lock.json", "npm-shrinkwrap.json?"}, nodeRC...)...),
			outputs: []string{"node_modules"}}
	case "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add":
		if global {
			t := &toolRun{eco: "node", reads: nodeConfig}
			for _, p := range pos[1:] {
				if looksLikePath(p) {
					t.reads = append(t.reads, p)
				}
			}
			return t
		}
		if len(pos) > 1 {
			return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "`npm install PACKAGE` changes package.json"}
		}
		return &toolRun{eco: "node", kind: kindInstall, files: files(append([]string{"package.json", "package-lock.json?+", "npm-shrinkwrap.json?"}, nodeRC...)...),
			outputs: []string{"node_modules"}, rewrites: []string{"package-lock.json"}}
	case "cache":
		// npm cache clean/verify/ls: the cache folder, configured in .npmrc
		// (the project's is next to its package.json); not the source.
		return &toolRun{eco: "node", reads: npmConfig}
	case "config", "set", "get", "login", "logout", "version", "--version", "-v", "view", "info", "whoami", "ping", "doctor", "help":
		return &toolRun{eco: "node", reads: nodeConfig}
	case "uninstall", "remove", "rm", "un", "r", "update", "up", "upgrade":
		if global {
			return &toolRun{eco: "node", reads: nodeConfig}
		}
	}
	return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "`npm " + pos[0] + "` runs the project's scripts"}
}

func describeYarn(c *command) *toolRun {
	if c.has("--cwd", "--modules-folder") {
		return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "yarn with --cwd"}
	}
	pos, _ := c.positional([]string{"--cwd", "--network-timeout", "--registry", "--cache-folder", "--mutex", "--modules-folder"})
	sub := ""
	if len(pos) > 0 {
		sub = pos[0]
	}
	switch sub {
	case "", "install":
		if sub == "" && len(pos) > 0 {
			break
		}
		t := &toolRun{eco: "node", kind: kindInstall,
			files:   files("package.json", "yarn.lock", ".yarnrc?", ".yarnrc.yml?", ".yarn/?", ".npmrc?"),
			outputs: []string{"node_modules", ".pnp.cjs", ".pnp.loader.mjs", ".yarn/install-state.gz", ".yarn/unplugged"}}
		if !c.has("--frozen-lockfile", "--immutable", "--pure-lockfile") {
			t.rewrites = []string{"yarn.lock"}
			t.files[1].optional, t.files[1].likely = true, true
		}
		return t
	case "global", "cache", "--version", "-v", "version", "info", "login", "logout":
		return &toolRun{eco: "node", reads: nodeConfig}
	case "config":
		if len(pos) > 1 && pos[1] == "get" {
			return &toolRun{eco: "node"}
		}
	}
	return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "`yarn " + sub + "` works on the project"}
}

func describePnpm(c *command) *toolRun {
	if c.has("--dir", "-C", "--filter", "-F", "--recursive", "-r") {
		return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "pnpm with --dir, --filter or --recursive"}
	}
	pos, _ := c.positional([]string{"--store-dir", "--registry", "--reporter", "--virtual-store-dir"})
	if len(pos) == 0 {
		return &toolRun{eco: "node"}
	}
	global := c.has("-g", "--global")
	switch pos[0] {
	case "install", "i":
		if global {
			return &toolRun{eco: "node", reads: nodeConfig}
		}
		if len(pos) > 1 {
			break
		}
		t := &toolRun{eco: "node", kind: kindInstall,
			files:   files("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml?", ".npmrc?", ".pnpmfile.cjs?"),
			outputs: []string{"node_modules"}}
		if !c.has("--frozen-lockfile") {
			t.rewrites = []string{"pnpm-lock.yaml"}
			t.files[1].optional, t.files[1].likely = true, true
		}
		return t
	case "fetch":
		return &toolRun{eco: "node", kind: kindInstall, files: files("pnpm-lock.yaml", "pnpm-workspace.yaml?", ".npmrc?")}
	case "add":
		if global {
			return &toolRun{eco: "node", reads: nodeConfig}
		}
	case "store":
		// pnpm store prune/path/status: the store, configured in .npmrc or
		// pnpm-workspace.yaml; not the source.
		return &toolRun{eco: "node", reads: append([]string{"pnpm-workspace.yaml"}, npmConfig...)}
	case "config", "setup", "env", "--version", "-v", "self-update":
		return &toolRun{eco: "node", reads: nodeConfig}
	}
	return &toolRun{eco: "node", kind: kindBuild, tree: true, runsScripts: true, why: "`pnpm " + pos[0] + "` works on the project"}
}

// localSpec reports a package.json version that points into the source
// (file:, link:, portal:, patch: and workspace: protocols, relative paths).
func localSpec(spec string) bool {
	for _, p := range []string{"file:", "link:", "portal:", "patch:", "workspace:", "./", "../", "/"} {
		if strings.HasPrefix(spec, p) || p == "patch:" && strings.Contains(spec, "patch:") {
			return true
		}
	}
	return false
}

// packageJSONCheck says why a package.json needs the source to install
// ("" when it does not): workspaces, patches, local dependencies, install
// scripts the install runs.
func packageJSONCheck(ta toolAt, text string) string {
	var pj struct {
		Scripts    map[string]any `json:"scripts"`
		Workspaces any            `json:"workspaces"`
		Pnpm       struct {
			Patched any `json:"patchedDependencies"`
		} `json:"pnpm"`
		Deps     map[string]any `json:"dependencies"`
		DevDeps  map[string]any `json:"devDependencies"`
		OptDeps  map[string]any `json:"optionalDependencies"`
		Override map[string]any `json:"overrides"`
		Resolve  map[string]any `json:"resolutions"`
	}
	if json.Unmarshal([]byte(text), &pj) != nil {
		return ""
	}
	if pj.Workspaces != nil {
		return "package.json declares workspaces; the install needs every workspace's package.json"
	}
	if pj.Pnpm.Patched != nil {
		return "package.json patches dependencies with files from the source (pnpm.patchedDependencies)"
	}
	for _, deps := range []map[string]any{pj.Deps, pj.DevDeps, pj.OptDeps, pj.Override, pj.Resolve} {
		for name, v := range deps {
			if spec, ok := v.(string); ok && localSpec(spec) {
				return fmt.Sprintf("package.json takes %s from the source (%q)", name, spec)
			}
		}
	}
	if !fromShell(ta.cmd).has("--ignore-scripts") {
		for _, s := range []string{"preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"} {
			if _, ok := pj.Scripts[s]; ok {
				return fmt.Sprintf("package.json has a %q script, which the install runs and which may need the source (add --ignore-scripts to the install if it does not)", s)
			}
		}
	}
	return ""
}
