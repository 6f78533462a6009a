package images

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

//go:embed data/debian-full-vs-slim.tsv
var fullVsSlimTSV string

//go:embed data/debian-slim-commands.txt
var slimCommandsTXT string

// The buildpack-deps layers, smallest first: curl (ca-certificates, curl,
// wget, gnupg), scm (+ git, mercurial, ssh, subversion, procps), full (+
// compilers, make, -dev libraries, imagemagick...).
const (
	LayerCurl = "curl"
	LayerSCM  = "scm"
	LayerFull = "full"
)

var layerRank = map[string]int{LayerCurl: 1, LayerSCM: 2, LayerFull: 3}

type fullOnly struct{ pkg, layer string }

// The tables are looked up in their embedded text, not loaded into maps: a
// run asks about a handful of commands, and building the maps cost more
// than all the lookups of a pre-commit run (see BenchmarkProcess).

// fullCommand finds command's row in debian-full-vs-slim.tsv. Every row
// follows a newline (the header comes first), and the test
// TestEmbeddedCommandTables checks the file's shape.
func fullCommand(command string) (fullOnly, bool) {
	if command == "" || strings.ContainsAny(command, "\t\n") {
		return fullOnly{}, false
	}
	i := strings.Index(fullVsSlimTSV, "\n"+command+"\t")
	if i < 0 {
		return fullOnly{}, false
	}
	row := fullVsSlimTSV[i+1+len(command)+1:]
	row, _, _ = strings.Cut(row, "\n")
	pkg, layer, _ := strings.Cut(row, "\t")
	return fullOnly{pkg: pkg, layer: layer}, true
}

// slimCommand reports whether command is a line of debian-slim-commands.txt.
func slimCommand(command string) bool {
	if command == "" || strings.ContainsAny(command, "\n") {
		return false
	}
	return strings.HasPrefix(slimCommandsTXT, command+"\n") || strings.Contains(slimCommandsTXT, "\n"+command+"\n")
}

// SlimMissing reports whether command is an executable of a full Debian
// bookworm image (official python:3.x-bookworm, node:22-bookworm, ... built
// FROM buildpack-deps:bookworm) that the slim one (debian:bookworm-slim plus
// ca-certificates) lacks, with the Debian package that provides it (usable as
// is in apt-get install) and the buildpack-deps layer that brings it
// (LayerCurl, LayerSCM or LayerFull). "cc" gives gcc, "git" git, "tar" nothing
// (tar is in slim). Bookworm only: see CheckCommand for a per-image answer.
func SlimMissing(command string) (pkg, layer string, ok bool) {
	r, ok := fullCommand(command)
	return r.pkg, r.layer, ok
}

// InSlim reports whether command is an executable of the slim Debian
// bookworm reference image (debian:bookworm-slim plus ca-certificates, netbase
// and tzdata, as python's slim images keep). Note that node's *-slim images
// and plain debian:bookworm-slim lack openssl, c_rehash and
// update-ca-certificates, which this list has: CheckCommand accounts for it.
func InSlim(command string) bool {
	return slimCommand(command)
}

// fullLayers says which buildpack-deps layer each image's full Debian tags
// are built FROM (checked against the images' Dockerfiles).
var fullLayers = map[string]string{
	"python": LayerFull, "pypy": LayerFull, "node": LayerFull, "ruby": LayerFull,
	"perl": LayerFull, "rust": LayerFull, "gcc": LayerFull, "erlang": LayerFull,
	"elixir":  LayerFull, // FROM erlang
	"haskell": LayerFull,
	"golang":  LayerSCM, // plus golangExtras
}

// golangExtras are the packages (as named in debian-full-vs-slim.tsv) that
// golang's Debian images install on top of buildpack-deps:<suite>-scm for cgo
// (g++ gcc libc6-dev make pkg-config and what they pull in).
var golangExtras = []string{"g++", "g++-12", "gcc", "gcc-12", "cpp", "cpp-12", "binutils",
	"binutils-x86-64-linux-gnu", "libc-dev-bin", "rpcsvc-proto", "make", "pkgconf", "pkgconf-bin"}

// FullLayer returns the buildpack-deps layer a full (non-slim, Debian or
// Ubuntu) image:tag is built on: LayerFull for python, node, ruby, ...,
// LayerSCM for golang (which adds gcc, g++, make and pkg-config itself), and
// the tag's own layer for buildpack-deps. ok is false for slim and alpine
// tags, unknown tags, and images not built on buildpack-deps (php, debian...).
func FullLayer(image, tag string) (layer string, ok bool) {
	im, i, _ := find(image, tag)
	if im == nil {
		return "", false
	}
	toks := tokens(im.Tag(i))
	if contains(toks, "slim") || isAlpineTag(toks) {
		return "", false
	}
	if f, _ := im.distro(i); f != Debian && f != Ubuntu {
		return "", false
	}
	if image == "buildpack-deps" {
		switch toks[len(toks)-1] {
		case "curl":
			return LayerCurl, true
		case "scm":
			return LayerSCM, true
		}
		return LayerFull, true
	}
	layer, ok = fullLayers[image]
	return layer, ok
}

// slimProfile describes what an image's bookworm slim variant has compared
// with the reference slim list (debian-slim-commands.txt).
type slimProfile struct {
	noCA  bool     // lacks ca-certificates: no openssl, c_rehash, update-ca-certificates
	keeps []string // packages of the full-only table that it keeps installed
}

// slimProfiles are checked against the images' slim Dockerfiles. Images not
// listed (perl, haskell, erlang, elixir slim...) are not modelled.
var slimProfiles = map[string]slimProfile{
	"python": {}, "pypy": {}, "ruby": {}, // keep ca-certificates, purge the rest
	"node":   {noCA: true}, // purges everything it apt-installs
	"debian": {noCA: true},
	"rust": {keeps: []string{"gcc", "gcc-12", "cpp", "cpp-12", "binutils", // gcc and libc6-dev, for linking
		"binutils-x86-64-linux-gnu", "libc-dev-bin", "rpcsvc-proto"}},
}

// caCommands are in the reference slim list only because of ca-certificates.
var caCommands = map[string]string{"openssl": "openssl", "c_rehash": "openssl", "update-ca-certificates": "ca-certificates"}

// providedByImage reports commands that an image installs itself under
// /usr/local, so they are in its full and slim tags alike even though the
// Debian table lists them as full-only.
func providedByImage(image, command, pkg string) bool {
	switch image {
	case "python":
		return command == "python3" || command == "pydoc3"
	case "perl":
		return pkg == "perl" // perl's own build installs cpan, perldoc, prove, ...
	}
	return false
}

// Presence is CheckCommand's verdict.
type Presence uint8

const (
	// Unknown: the tables do not cover this pair of images (not Debian
	// bookworm, not a buildpack-deps based full image, or a slim image whose
	// contents are not modelled). Don't conclude anything.
	Unknown Presence = iota
	// Unaffected: the swap does not change whether the command exists (present
	// in both, absent from both, or shipped by the image itself).
	Unaffected
	// Missing: the command exists in the full image and not in the slim one;
	// CommandCheck.Package brings it back.
	Missing
)

// String returns "unknown", "unaffected" or "missing".
func (p Presence) String() string {
	return [...]string{"unknown", "unaffected", "missing"}[p]
}

// CommandCheck is the result of CheckCommand.
type CommandCheck struct {
	Presence Presence
	Package  string // for Missing: the Debian package to apt-get install
	Layer    string // for Missing from the Debian table: the buildpack-deps layer it comes from
	Reason   string // for Unknown: why the tables do not apply
}

// CheckCommand answers, for a RUN line that runs command: does swapping
// FROM from (a full image such as python:3.12-bookworm) for to (a slim one
// such as python:3.12-slim-bookworm) remove that command, and which Debian
// package restores it? It accounts for the layer the full image is built on
// (golang's scm layer lacks imagemagick, has gcc), for what each slim image
// keeps (rust keeps gcc; node and debian:bookworm-slim drop openssl), and for
// commands the image ships itself (python3 in python images).
//
// Only Debian bookworm is covered: any other release gives Unknown.
func CheckCommand(from, to Ref, command string) CommandCheck {
	if _, c := Distro(from.Image, from.Tag); c != "bookworm" {
		return CommandCheck{Reason: fmt.Sprintf("%s is not Debian bookworm (%s); the full/slim table covers bookworm only", from, releaseName(from))}
	}
	if _, c := Distro(to.Image, to.Tag); c != "bookworm" {
		return CommandCheck{Reason: fmt.Sprintf("%s is not Debian bookworm (%s); the full/slim table covers bookworm only", to, releaseName(to))}
	}
	layer, ok := FullLayer(from.Image, from.Tag)
	if !ok {
		return CommandCheck{Reason: from.String() + " is not a full image built on buildpack-deps"}
	}
	prof, ok := slimProfiles[to.Image]
	toks := tokens(to.Tag)
	if !ok || !contains(toks, "slim") {
		return CommandCheck{Reason: "the contents of " + to.String() + " are not modelled"}
	}
	row, full := fullCommand(command)
	inSlim := slimCommand(command)
	if full && providedByImage(from.Image, command, row.pkg) && from.Image == to.Image {
		return CommandCheck{Presence: Unaffected}
	}
	inFrom := inSlim || full &&
		(layerRank[row.layer] <= layerRank[layer] || from.Image == "golang" && slices.Contains(golangExtras, row.pkg))
	inTo := inSlim && !(prof.noCA && caCommands[command] != "") || full && slices.Contains(prof.keeps, row.pkg)
	if !inFrom || inTo {
		return CommandCheck{Presence: Unaffected}
	}
	if pkg := caCommands[command]; pkg != "" && !full {
		return CommandCheck{Presence: Missing, Package: pkg}
	}
	return CommandCheck{Presence: Missing, Package: row.pkg, Layer: row.layer}
}

func releaseName(r Ref) string { return release(Distro(r.Image, r.Tag)) }
