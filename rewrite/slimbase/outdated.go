package slimbase

import (
	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleOutdated is DS204.
var RuleOutdated = &rewrite.Rule{
	ID:      "DS204",
	Name:    "base-image-outdated",
	Summary: "the base image tag is no longer updated upstream (or the image is deprecated)",
	Explanation: `The official-images index records, for every tag, whether it is still
listed (and so rebuilt with security fixes). A tag that was dropped, such as
python:3.8 or anything -buster, still pulls, but its packages stop getting
fixes the day it was dropped. Images deprecated as a whole (openjdk) or
removed (centos) are reported as well.

dockslim reports it for every stage, builder stages included (they compile
and download with those packages), with the date the tag was last listed.
It does not change the tag: a newer language or Debian release can change
behaviour. Report only.`,
	Before:        "FROM python:3.8-slim-buster",
	After:         "FROM python:3.12-slim-bookworm",
	Applicability: rewrite.Suggestion,
	Severity:      rewrite.Warning,
	Hadolint:      nil,
}

// OutdatedPass is the base-outdated pass.
var OutdatedPass = &rewrite.Pass{Name: "base-outdated", Rules: []*rewrite.Rule{RuleOutdated}, Run: runOutdated}

func runOutdated(c *rewrite.Context) {
	for _, st := range c.File.Stages {
		b, ok := resolveBase(c.File, st)
		if !ok || !b.Official {
			continue
		}
		if note, ok := images.Deprecated(b.Ref.Image, b.Ref.Tag); ok {
			if b.Text != b.Ref.String() {
				note = b.Text + ": " + note
			}
			c.Reportf(RuleOutdated, st.Base.Start, "%s", note)
		}
	}
}
