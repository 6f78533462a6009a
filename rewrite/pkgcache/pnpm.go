package pkgcache

import (
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RulePnpmStorePrune is DS107.
var RulePnpmStorePrune = &rewrite.Rule{
	ID:      "DS107",
	Name:    "pnpm-store-prune",
	Summary: "pnpm install leaves its content store in the layer; run pnpm store prune in the same RUN",
	Explanation: `pnpm downloads packages into a content-addressable store (~/.local/share/pnpm/store,
$PNPM_HOME/store, or store-dir) and hard-links them into node_modules. After
"pnpm install" in a RUN, the store is part of the layer.

dockslim appends "&& pnpm store prune" to the statement of the last pnpm
install-type command of the RUN (install, i, add, update, install-test). Not
after "pnpm fetch": it fills the store for a later "pnpm install --offline", and
pruning would delete everything it fetched.
pnpm documents it as harmless: it removes only packages no project references.
Be aware of what that buys: files that node_modules still uses are hard links
into the store and take no extra space in the layer, so prune frees the packages
that were replaced or dropped by the install and the store's metadata, not the
bulk of it. The real fix for image size is a multi-stage build that copies
node_modules (or pnpm deploy's output) without the store, or --cache-mounts.

Left alone: a RUN that already prunes or removes the store after the install,
or with a cache (or tmpfs) mount on the store. Exec form: reported only.

With --cache-mounts, dockslim mounts the store ($PNPM_HOME/store, store-dir) as
a BuildKit cache, as pnpm's Docker guide does; when the store location is only
pnpm's default under HOME, dockslim reports instead, because pnpm moves a store
that is not on the project's filesystem (set ENV PNPM_HOME=/pnpm first).`,
	Before:        "RUN pnpm install --frozen-lockfile --prod",
	After:         "RUN pnpm install --frozen-lockfile --prod && pnpm store prune",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Info,
}

// PnpmPass is the pnpm pass.
var PnpmPass = &rewrite.Pass{Name: "pnpm", Rules: []*rewrite.Rule{RulePnpmStorePrune}, Run: runPnpm}

// pnpmInstallCmds are the pnpm commands that fill the store. Not "fetch":
// it fills the store for a later `install --offline`, and every package it
// fetched is unreferenced until then.
var pnpmInstallCmds = []string{"install", "i", "add", "update", "up", "upgrade", "install-test", "it"}

func pnpmInstall(lc *langCmd) string {
	if lc.Name != "pnpm" {
		return ""
	}
	return lc.Verb(shellcmd.Pnpm.ValueOpts, pnpmInstallCmds)
}

// pnpmStoreDir is pnpm's store folder when set explicitly with a literal path.
func pnpmStoreDir(f *parser.File, lc *langCmd) string {
	d := langCacheDir{opt: "--store-dir", vars: []string{"npm_config_store_dir", "NPM_CONFIG_STORE_DIR"}, parent: "PNPM_HOME", sub: "store"}
	p, _ := d.named(f, lc)
	return p
}

func runPnpm(c *rewrite.Context) {
	f := c.File
	isClean := func(lc *langCmd) bool {
		if lc.Name == "pnpm" {
			return lc.Runs(shellcmd.Pnpm.ValueOpts, "store", "prune")
		}
		return langRmMentions(f, lc, "pnpm/store", ".pnpm-store", "PNPM_HOME")
	}
	for last, sub := range langLastInstalls(f, pnpmInstall, isClean) {
		dir := pnpmStoreDir(f, last)
		if langHandledOrMount(c, RulePnpmStorePrune, last, dir, langHasMount(last.In, dir, "/pnpm/store", "/.pnpm-store"), "pnpm "+sub) {
			continue
		}
		if pnpmOfflineLater(last.In) {
			c.Reportf(RulePnpmStorePrune, last.Start(), "pnpm %s: a later RUN of this stage installs --offline from the store; prune the store after that one, not here", sub)
			continue
		}
		langAppend(c, RulePnpmStorePrune, last, "pnpm store prune",
			"pnpm %s: prune pnpm's store in the same RUN (it frees packages the project no longer references)", sub)
	}
}

// pnpmOfflineLater reports a pnpm command with --offline in a later RUN of
// the stage: it may need store packages that no project references yet.
func pnpmOfflineLater(in *parser.Instruction) bool {
	if in.Stage == nil {
		return false
	}
	for _, p := range in.Stage.Instructions {
		if p.Index <= in.Index || !p.Is("run") {
			continue
		}
		for _, lc := range langCommands(p) {
			if lc.Name == "pnpm" && lc.Has("--offline") {
				return true
			}
		}
	}
	return false
}
