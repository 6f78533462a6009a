package pkgcache

import (
	"strings"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleGemNoDocument is DS108.
var RuleGemNoDocument = &rewrite.Rule{
	ID:      "DS108",
	Name:    "gem-no-document",
	Summary: "gem install/update generates rdoc and ri documentation into the layer; add --no-document",
	Explanation: `By default RubyGems generates rdoc/ri documentation for every gem it installs or
updates: slow to build and several MB per gem in the image, never read in a container.

dockslim adds --no-document right after "install" or "update" (also
"gem update --system"). It leaves the command alone when it already has
--no-document, -N, --document, or the old --no-rdoc/--no-ri options, and when an
earlier RUN writes a gemrc with --no-document. The official ruby images already
set "install: --no-document" and "update: --no-document" in
/usr/local/etc/gemrc, so stages FROM ruby are left alone.

This is not a cache, so it applies with --cache-mounts too.`,
	Before:        "RUN gem install bundler -v 2.5.6",
	After:         "RUN gem install --no-document bundler -v 2.5.6",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Parfum:        []string{"gemUpdateNoDocument"},
}

// GemPass is the gem pass.
var GemPass = &rewrite.Pass{Name: "gem", Rules: []*rewrite.Rule{RuleGemNoDocument}, Run: runGem}

// gemDocsHandled reports a command that already says what to do with docs.
func gemDocsHandled(lc *langCmd) bool {
	return lc.Has("-N", "--no-rdoc", "--no-ri", "--rdoc", "--ri") ||
		lc.HasPrefix("--no-doc", "--doc") // OptionParser takes unambiguous prefixes
}

// gemrcNoDocument reports an earlier RUN of the stage (or the stages it
// builds FROM) that writes --no-document into a gemrc: echo/printf with
// that text (the usual `echo 'gem: --no-document' > ~/.gemrc`).
func gemrcNoDocument(f *parser.File, in *parser.Instruction) bool {
	for st, limit := in.Stage, in.Index; st != nil; st, limit = st.Base.StageRef, len(f.Instructions) {
		for _, p := range st.Instructions {
			if p.Index >= limit || !p.Is("run") {
				continue
			}
			for _, lc := range langCommands(p) {
				if lc.Name != "echo" && lc.Name != "printf" {
					continue
				}
				for i := 1; i < len(lc.Args); i++ {
					if strings.Contains(lc.Args[i], "--no-document") {
						return true
					}
				}
			}
		}
	}
	return false
}

func runGem(c *rewrite.Context) {
	f := c.File
	for lc := range langRunCommands(f) {
		if lc.Name != "gem" || langOfficial(lc.In.Stage, "ruby") {
			continue
		}
		words, idx := lc.Words(nil)
		if len(words) == 0 || words[0] != "install" && words[0] != "update" {
			continue
		}
		if gemDocsHandled(lc) || gemrcNoDocument(f, lc.In) {
			continue
		}
		langFlag(c, RuleGemNoDocument, lc, idx[0], "--no-document",
			"gem %s: add --no-document so rdoc/ri documentation is not generated into the layer", words[0])
	}
}
