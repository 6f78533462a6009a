package slimbase

import (
	"fmt"
	"slices"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/rewrite"
)

// alpineImages are the official images without a slim variant whose alpine
// variant serves the same purpose (a server or interpreter run as is).
// golang and gcc are left to multi-stage builds.
var alpineImages = []string{
	"php", "nginx", "httpd", "redis", "postgres",
	"memcached", "haproxy",
}

// alpineCommands are commands known to exist in the official alpine
// variants: busybox applets that Dockerfiles commonly run, and the images'
// own programs. Anything else (bash, apt-get, useradd, curl, git,
// docker-php-ext-install, which needs apk build dependencies there...)
// keeps the Debian base.
var alpineCommands = []string{
	"sh", "mkdir", "rm", "cp", "mv", "ln", "chmod",
	"chown", "cat", "sed", "grep", "tar", "gzip",
	"gunzip", "find", "xargs", "touch", "ls", "sleep",
	"env", "sort", "head", "tail", "tr", "cut",
	"awk", "id", "whoami", "wc", "basename", "dirname",
	"date", "stat", "uname", "readlink", "realpath",
	"nginx", "php", "httpd", "httpd-foreground", "redis-server",
	"redis-cli", "postgres", "psql", "memcached", "haproxy",
	"docker-entrypoint.sh", "docker-php-entrypoint",
}

// swapAlpine proposes the alpine variant of an image without a slim one.
func swapAlpine(c *rewrite.Context, b baseImage) {
	if !slices.Contains(alpineImages, b.Ref.Image) {
		return
	}
	cands, _ := images.AlpineCandidates(b.Ref.Image, b.Ref.Tag)
	if len(cands) == 0 {
		return
	}
	// A tag that is still rebuilt gets a replacement that is too; an
	// outdated one may get its own (equally outdated) alpine sibling.
	if ti, _ := images.Tag(b.Ref.Image, b.Ref.Tag); !cands[0].Current && ti.Current {
		return
	}
	to := cands[0].Ref()
	f := c.File
	decline := func(format string, args ...any) {
		c.Reportf(RuleSlimDeclined, b.Stage.Base.Start, "%s publishes no slim variant and %s (musl) does not fit: %s%s", b.Text, to, fmt.Sprintf(format, args...), sizeNote(b.Ref, to))
	}
	if c.Options.Bases.NoAlpine {
		decline("alpine = false in %s forbids a switch to an Alpine (musl) base", rewrite.ConfigSource)
		return
	}
	stages := descendants(f, b.Stage)
	for _, u := range stageUses(stages) {
		if !slices.Contains(alpineCommands, u.Name) {
			decline("line %d runs %s, which the alpine image lacks or runs differently", line(f, u.Off), u.Name)
			return
		}
	}
	for _, s := range stages {
		if cf := copiesFrom(f, s); len(cf) > 0 {
			decline("line %d copies files from another stage or image; files cannot cross libc families", line(f, cf[0].In.Start))
			return
		}
		if cf := copiedFromBy(f, s); len(cf) > 0 {
			decline("line %d copies files out of this stage; files cannot cross libc families", line(f, cf[0].In.Start))
			return
		}
	}
	var facts onlineFacts
	if c.Options.Online {
		if facts = askRegistry(c, b, to, b.Digest != ""); facts.Missing {
			return
		}
	}
	edits, how, why := b.retarget(f, b.withTag(to.Tag, facts.Digest))
	if why != "" {
		decline("%s", why)
		return
	}
	msg, saved := sizeMessage(b.Ref, to, facts)
	msg += "; " + cands[0].Reason + "; the stage runs only commands the alpine image has"
	if how != "" {
		msg += "; " + how
	}
	if facts.Err != nil {
		msg += "; " + facts.errNote()
	}
	if b.Digest != "" && facts.Digest == "" {
		msg += fmt.Sprintf("; WARNING: the digest @%s pinned %s's content and is dropped; pin %s's digest again (dockslim fix --online resolves it)", b.Digest, b.Ref, to)
	}
	c.Report(rewrite.Finding{
		Rule: RuleAlpineBase, Offset: b.Stage.Base.Start, Message: msg, SavedBytes: saved,
		Fix: &rewrite.Fix{Applicability: rewrite.Unsafe, Description: fmt.Sprintf("%s → %s", b.Text, to), Edits: edits},
	})
}

// isMusl reports whether a candidate is an Alpine (musl) image.
func isMusl(cd images.Candidate) bool {
	return cd.Libc == "musl" || cd.Variant == "alpine"
}
