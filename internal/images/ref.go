package images

import (
	"slices"
	"strings"
)

// Ref names a tag of an official image: Image is the short official name
// ("python"), Tag the tag as written ("" means latest).
type Ref struct{ Image, Tag string }

// String formats r as written in a FROM line: "python:3.11", or just
// "python" when Tag is empty.
func (r Ref) String() string {
	if r.Tag == "" {
		return r.Image
	}
	return r.Image + ":" + r.Tag
}

// dockerHubHosts are the registry host names that mean Docker Hub itself.
// Mirrors (mirror.gcr.io, public.ecr.aws/docker/library, in-house pull-through
// caches...) are deliberately absent: their tag sets and update timing are
// not the index's, so a tag proposed for them could be missing or stale.
var dockerHubHosts = []string{
	"docker.io",
	"index.docker.io",
	"registry-1.docker.io"}

// Normalize maps a repository as written in a FROM line to the name of the
// official image it denotes: "python", "library/python",
// "docker.io/library/python", "docker.io/python", "index.docker.io/library/python"
// and "registry-1.docker.io/library/python" all give "python". ok is false for
// anything else (other namespaces such as "myorg/python", other registries
// and mirrors) and for library names that are not in the index.
func Normalize(repository string) (official string, ok bool) {
	parts := strings.Split(repository, "/")
	// A first component with a dot or colon, or "localhost", is a registry host
	// (the same rule Docker's reference parser uses).
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		if !slices.Contains(dockerHubHosts, strings.ToLower(parts[0])) {
			return "", false
		}
		parts = parts[1:]
	}
	switch {
	case len(parts) == 1:
		official = parts[0]
	case len(parts) == 2 && parts[0] == "library":
		official = parts[1]
	default:
		return "", false
	}
	if !knownImage(official) {
		return "", false
	}
	return official, true
}

// ParseRef splits a FROM image reference ("docker.io/library/python:3.11@sha256:…")
// into the official Ref, and the digest if one is pinned. ok is false when the
// repository is not a known official image or the tag is not a literal tag
// (for instance an unexpanded "${VERSION}"); ref then holds the text as split.
func ParseRef(s string) (ref Ref, digest string, ok bool) {
	if at := strings.IndexByte(s, '@'); at >= 0 {
		s, digest = s[:at], s[at+1:]
	}
	repo := s
	if colon := strings.LastIndexByte(s, ':'); colon > strings.LastIndexByte(s, '/') {
		repo, ref.Tag = s[:colon], s[colon+1:]
	}
	ref.Image = repo
	if ref.Tag != "" && !validTag(ref.Tag) {
		return ref, digest, false
	}
	official, ok := Normalize(repo)
	if !ok {
		return ref, digest, false
	}
	ref.Image = official
	return ref, digest, true
}

// validTag reports whether t matches Docker's tag grammar [\w][\w.-]{0,127}.
func validTag(t string) bool {
	if len(t) > 128 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		word := c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !word && (i == 0 || c != '.' && c != '-') {
			return false
		}
	}
	return true
}
