package slimbase

import (
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleUnofficialSlim is DS205.
var RuleUnofficialSlim = &rewrite.Rule{
	ID:      "DS205",
	Name:    "unofficial-base-slim",
	Summary: "the final image's base looks like a copy of a full official image that has a slim variant",
	Explanation: `A base from a private registry, a mirror or another namespace
(myregistry.example.com/python:3.11, myorg/python:3.11) is never swapped:
dockslim cannot know which tags it has or what they contain. When the
repository's last path element is an official image name and the tag is a
full tag of that image with a published slim variant, dockslim reports that
the slim variant would fit if the repository mirrors the official image, with
the official sizes, so someone can check that the slim tag exists there.
Final-image stages only. Report only.`,
	Before:        "FROM myregistry.example.com/python:3.11",
	After:         "FROM myregistry.example.com/python:3.11-slim",
	Applicability: rewrite.Suggestion,
	Severity:      rewrite.Info,
}

// UnofficialPass is the base-unofficial pass.
var UnofficialPass = &rewrite.Pass{Name: "base-unofficial", Rules: []*rewrite.Rule{RuleUnofficialSlim}, Run: runUnofficial}

func runUnofficial(c *rewrite.Context) {
	f := c.File
	for st, b := range finalBases(f) {
		if b.Official || b.Ref.Tag == "" {
			continue
		}
		last := path.Base(b.Ref.Image)
		if last == b.Ref.Image || strings.ContainsAny(last, ".:") {
			continue // a library name not in the index, or no path
		}
		if _, ok := images.Tag(last, b.Ref.Tag); !ok {
			continue
		}
		cands, _ := images.SlimCandidates(last, b.Ref.Tag)
		if len(cands) == 0 || !cands[0].DropIn {
			continue
		}
		official := images.Ref{Image: last, Tag: b.Ref.Tag}
		saving, _ := images.SavingMessage(official, cands[0].Ref())
		c.Reportf(RuleUnofficialSlim, st.Base.Start,
			"%s is not an official image, so dockslim does not change it; if it mirrors %s, its slim variant %s:%s would fit (official %s); check that the tag exists there and that the stage's commands work on it",
			b.Text, official, b.Ref.Image, cands[0].Tag, saving)
	}
}
