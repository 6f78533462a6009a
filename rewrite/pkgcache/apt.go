package pkgcache

import (
	"slices"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleAptNoRecommends is DS110.
var RuleAptNoRecommends = &rewrite.Rule{
	ID:      "DS110",
	Name:    "apt-no-install-recommends",
	Summary: "apt-get install pulls in recommended packages; add --no-install-recommends",
	Explanation: `By default apt-get and apt install every package that the requested ones
"recommend", not only what they need. Recommended packages are often larger
than the requested ones (documentation tools, X libraries, compilers) and are
shipped with the image.

dockslim adds --no-install-recommends right after "install". It leaves the
command alone when it already says --no-install-recommends or
--install-recommends, sets APT::Install-Recommends with -o, or when an
earlier RUN of the stage writes APT::Install-Recommends into apt's
configuration. Exec-form RUN gets the flag as a new array element.

Recommends that later use needs are kept by name: when the command
installs an https client whose CA certificates are only a Recommends
(curl, wget, git, cmake and every other package that Debian's package
metadata says loses ca-certificates without its recommends; gnupg and
dirmngr never recommended it), and
the stage does not already have them (shipped by the base image, installed
earlier in the stage chain), the fix adds ca-certificates to the same
command. When the command cannot take it (an sh -c string dockslim cannot
edit), dockslim reports and changes nothing. The same holds for libc6-dev,
which gcc only recommends and without which nothing compiles: it is added
when gcc (or gcc-12) is installed and the stage has no libc6-dev (python's
and node's slim images, debian, ubuntu; the full images ship it).

Packages named through variables that dockslim cannot resolve make it
decline (with the reason): it cannot tell which recommends they need.

If a program needs another recommended package, name that package explicitly.`,
	Before:        "RUN apt-get update && apt-get install -y curl",
	After:         "RUN apt-get update && apt-get install --no-install-recommends -y curl",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3015"},
	Parfum:        []string{"aptGetInstallUseNoRec"},
}

// RuleAptAssumeYes is DS111.
var RuleAptAssumeYes = &rewrite.Rule{
	ID:      "DS111",
	Name:    "apt-assume-yes",
	Summary: "apt-get install without -y waits for an answer that a build cannot give",
	Explanation: `apt-get install, upgrade, remove and similar commands ask for confirmation
before they change anything. A docker build has no terminal, so apt-get reads
end of file and aborts ("Do you want to continue? [Y/n] Abort.").

dockslim adds -y right after the subcommand. It counts as already present:
-y, --yes, --assume-yes, any short-option group with a y (-qy, -yq), quiet
level 2 (-qq, -q -q, -q=2, --quiet=2, which apt documents as implying -y),
-o APT::Get::Assume-Yes=..., and an earlier RUN of the stage that writes
APT::Get::Assume-Yes into apt's configuration.`,
	Before:        "RUN apt-get update && apt-get install curl",
	After:         "RUN apt-get update && apt-get install -y curl",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Error,
	Hadolint:      []string{"DL3014"},
	Parfum:        []string{"aptGetInstallUseY"},
}

// RuleAptListsCleanup is DS112.
var RuleAptListsCleanup = &rewrite.Rule{
	ID:      "DS112",
	Name:    "apt-lists-cleanup",
	Summary: "apt-get update leaves its package lists in the layer; remove /var/lib/apt/lists/* in the same RUN",
	Explanation: `apt-get update downloads the package lists of every configured repository into
/var/lib/apt/lists (tens of MB for Debian and Ubuntu). They are only needed
while apt-get installs, but they stay in the layer of the RUN that downloaded
them; deleting them in a later RUN does not make the image smaller.

dockslim appends "rm -rf /var/lib/apt/lists/*" to the && chain of the last
apt command of a RUN that runs apt-get update and then installs, in the
chain's own layout (same line or a new continued line). It does nothing when
the lists are already removed later in the same RUN, when a --mount of the
RUN covers /var/lib/apt or /var/lib/apt/lists, when the RUN right after
(only metadata instructions between) removes them (rule DS130 then moves
that cleanup into this RUN), or when --cache-mounts is on (DS115).

A RUN that only runs apt-get update is left to DS113: removing the lists
there would break the next RUN's install.

A later RUN that installs with these lists (the next RUN of the stage that
touches them, or the first one of each stage built FROM this one, when it
installs before any apt-get update of its own) would fail with "Unable to
locate package" once they are gone: the fix puts "apt-get update &&" before
that install too, as experts write it (every installing RUN updates and
cleans). When such a RUN cannot take it (exec form, an sh -c string, ONBUILD),
the lists would stay in the image anyway, so dockslim removes nothing and
says why. The cleanup is also not added when the RUN already removes the
lists another way: apt-get dist-clean, an rm among other operands or
through a variable whose value is known, find … -delete. Exec-form RUN cannot take a
cleanup command; dockslim reports it.`,
	Before:        "RUN apt-get update && apt-get install -y --no-install-recommends curl",
	After:         "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3009"},
	Parfum:        []string{"aptGetInstallThenRemoveAptLists"},
}

// RuleAptUpdateOwnRun is DS113.
var RuleAptUpdateOwnRun = &rewrite.Rule{
	ID:      "DS113",
	Name:    "apt-update-own-run",
	Summary: "apt-get update in a RUN of its own goes stale in the build cache; run it in the RUN that installs",
	Explanation: `A RUN that only runs apt-get update is cached like any other layer. When the
next RUN's package list changes, Docker re-runs the install with the index of
the cached update layer, which may be weeks old: the install fails with 404
errors or installs outdated versions. The update layer also keeps the package
lists (tens of MB) in the image, and costs a layer.

When the RUN right after it installs with apt, dockslim merges the two: the
update RUN is deleted and "apt-get update &&" is put before that install, in
the chain's layout. The fix is safe when the two RUNs are adjacent (no
instruction between them), have the same flags (--mount, --network...), and
the install's chain has no || (where a failing update could be swallowed);
otherwise it is unsafe (applied with --unsafe-fixes). When the next RUN runs
apt-get update itself, the lone update is only deleted. When the next
instruction is not such a RUN, dockslim only reports.`,
	Before: "RUN apt-get update\nRUN apt-get install -y --no-install-recommends curl",
	After:  "RUN apt-get update && apt-get install -y --no-install-recommends curl",
	// Safe when adjacent with the same flags; the finding says which.
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
	Parfum:        []string{"aptGetUpdatePrecedesInstall"},
}

// RuleAptUpgrade is DS114.
var RuleAptUpgrade = &rewrite.Rule{
	ID:      "DS114",
	Name:    "apt-upgrade",
	Summary: "apt-get upgrade in a Dockerfile makes the image bigger and the build unreproducible",
	Explanation: `apt-get upgrade, dist-upgrade and full-upgrade rewrite a large part of the base
image in a new layer: the old files stay in the base layers, the new ones are
added on top, and the result depends on the day of the build. Prefer a newer
or more specific base image tag (rebuilt upstream with the updates), or
upgrade only the packages that need a fix with apt-get install --only-upgrade.

dockslim only reports this; it does not remove the command, since the base
image may really need the updates. (hadolint had DL3005 for this; it was
removed from hadolint, so no equivalent is listed.)`,
	Before:        "FROM debian:bookworm-20230612-slim\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*",
	After:         "FROM debian:bookworm-20240701-slim",
	Applicability: rewrite.Suggestion,
	Severity:      rewrite.Info,
}

// RuleAptCacheMounts is DS115.
var RuleAptCacheMounts = &rewrite.Rule{
	ID:      "DS115",
	Name:    "apt-cache-mounts",
	Summary: "with --cache-mounts: keep apt's downloads and lists in BuildKit cache mounts",
	Explanation: `Only with --cache-mounts. Instead of deleting apt's package lists and
downloaded .deb files, keep them in BuildKit cache mounts, so that they are
never part of a layer and later builds reuse them (faster rebuilds, same
image size).

dockslim adds, to a RUN that installs with apt, the pattern of Docker's
documentation:

  --mount=type=cache,target=/var/cache/apt,sharing=locked
  --mount=type=cache,target=/var/lib/apt,sharing=locked

and puts "rm -f /etc/apt/apt.conf.d/docker-clean" before the first apt
command (the Debian and Ubuntu images ship that file, which deletes every
downloaded .deb, defeating the cache) unless an earlier RUN of the stage
removed it. For "apt" (not apt-get), which deletes its downloads unless told
otherwise, it also writes Binary::apt::APT::Keep-Downloaded-Packages "true"
to /etc/apt/apt.conf.d/keep-cache, as Docker's documentation does. Cleanup
commands that would empty the mounts ("rm -rf /var/lib/apt/lists/*",
"apt-get clean") are taken out of the chain. DS112 does not fire in this mode.

It is not done for exec-form RUN, ONBUILD RUN, RUNs that already have a mount
on those folders, and files that cannot use RUN --mount: a "# syntax="
frontend older than docker/dockerfile:1.2, or a Windows Dockerfile. RUN
--mount needs BuildKit (the default builder since Docker 23.0) or buildah
(Debian's 1.28 reads RUN --mount=type=cache).

The other package managers are left to their cache rules in this mode: apk
caches packages only when /etc/apk/cache exists, and dnf/yum only with
keepcache=True, so a mount alone would not help them.`,
	Before: "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
	After: "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked " +
		"rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update && apt-get install -y --no-install-recommends curl",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Info,
}

// AptPass is the apt pass.
var AptPass = &rewrite.Pass{Name: "apt", Rules: []*rewrite.Rule{
	RuleAptNoRecommends, RuleAptAssumeYes, RuleAptListsCleanup, RuleAptUpdateOwnRun,
	RuleAptUpgrade, RuleAptCacheMounts,
}, Run: runApt}

func isApt(name string) bool { return shellcmd.IsApt(name) }

// aptCalls are the apt and apt-get calls of a RUN.
func aptCalls(in *parser.Instruction) []*osCall { return osCalls(in, isApt, shellcmd.Apt.ValueOpts) }

var (
	// subcommands that ask for confirmation
	aptPrompting = []string{"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade",
		"remove", "purge", "autoremove", "autopurge", "build-dep"}
	// subcommands that download packages into /var/cache/apt
	aptDownloading = []string{"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "build-dep"}
	aptUpgrades    = []string{"upgrade", "dist-upgrade", "full-upgrade"}
)

const aptLists = "/var/lib/apt/lists"

func runApt(c *rewrite.Context) {
	// stages whose docker-clean file a DS115 fix of this run removes
	cleaned := map[*parser.Stage]bool{}
	for in, calls := range osRuns(c.File, isApt, shellcmd.Apt.ValueOpts) {
		for _, call := range calls {
			sub := call.Subcmd()
			if shellcmd.AptSimulates(shellcmd.Apt.Parse(call.Lits, call.Lit)) {
				continue // -s: nothing is downloaded, installed or asked
			}
			if sub == "install" {
				aptRecommends(c, call)
			}
			if slices.Contains(aptPrompting, sub) {
				aptYes(c, call)
			}
			if slices.Contains(aptUpgrades, sub) {
				c.Reportf(RuleAptUpgrade, call.Start(call.Sub),
					"%s %s rewrites base-image files in a new layer and depends on the day of the build; prefer a newer base image tag", call.Name, sub)
			}
		}
		if !aptCacheMounts(c, in, calls, cleaned) {
			aptListsCleanup(c, in, calls)
		}
		aptUpdateOwnRun(c, in, calls)
	}
}
