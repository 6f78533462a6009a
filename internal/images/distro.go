package images

import (
	"slices"
	"strings"
)

// Distribution families returned by Distro.
const (
	Debian      = "debian"
	Ubuntu      = "ubuntu"
	Alpine      = "alpine"
	OracleLinux = "oraclelinux"
	UBI         = "ubi" // Red Hat Universal Base Image
	BusyBox     = "busybox"
)

// debianVersions maps Debian major versions to codenames (debian:12 → bookworm).
var debianVersions = map[string]string{
	"7": "wheezy", "8": "jessie", "9": "stretch", "10": "buster", "11": "bullseye",
	"12": "bookworm", "13": "trixie", "14": "forky", "15": "duke",
}

// debianSuites maps the debian image's suite tags to codenames as of the
// index (official-images at 2026-08-21); they move with each Debian release.
var debianSuites = map[string]string{
	"oldoldstable": "bullseye", "oldstable": "bookworm", "stable": "trixie",
	"testing": "forky", "unstable": "sid",
}

// ubuntuVersions maps Ubuntu versions to codenames, for the ubuntu image.
var ubuntuVersions = map[string]string{
	"10.04": "lucid", "12.04": "precise", "12.10": "quantal", "13.04": "raring",
	"13.10": "saucy", "14.04": "trusty", "14.10": "utopic", "15.04": "vivid",
	"15.10": "wily", "16.04": "xenial", "16.10": "yakkety", "17.04": "zesty",
	"17.10": "artful", "18.04": "bionic", "18.10": "cosmic", "19.04": "disco",
	"19.10": "eoan", "20.04": "focal", "20.10": "groovy", "21.04": "hirsute",
	"21.10": "impish", "22.04": "jammy", "22.10": "kinetic", "23.04": "lunar",
	"23.10": "mantic", "24.04": "noble", "24.10": "oracular", "25.04": "plucky",
	"25.10": "questing", "26.04": "resolute", "26.10": "stonking",
}

// ubuntuTokens are the Ubuntu codenames recognised inside other images' tags.
// Codenames that are ordinary words ("groovy", "disco", "lunar", ...) are left
// out: they only count in the ubuntu image itself.
var ubuntuTokens = []string{
	"trusty", "xenial", "bionic", "focal", "jammy",
	"kinetic", "mantic", "noble", "oracular", "plucky",
	"questing", "resolute", "stonking"}

// defaultFamily is the distribution of an image's tags when neither the tag,
// its aliases nor its build directory name one (e.g. elixir:1.18).
var defaultFamily = map[string]string{
	"python": Debian, "pypy": Debian, "node": Debian, "ruby": Debian, "perl": Debian,
	"rust": Debian, "golang": Debian, "php": Debian, "erlang": Debian, "elixir": Debian,
	"haskell": Debian, "gcc": Debian, "debian": Debian, "buildpack-deps": Debian,
	"ubuntu": Ubuntu, "eclipse-temurin": Ubuntu, "alpine": Alpine, "busybox": BusyBox,
}

// Distro returns the distribution family (Debian, Ubuntu, Alpine, ...) and,
// when known, the release behind image:tag: a codename for Debian and Ubuntu
// ("bookworm", "jammy"), "3.21" or "edge" for Alpine, the libc ("musl",
// "glibc", "uclibc") for busybox. It reads the tag itself, then its aliases
// (python:3.11 is an alias of 3.11-trixie as of the index), then its build
// directory, then falls back to the image's usual family with an empty
// codename. Unknown tags give "", "".
//
// The full/slim command table (SlimMissing, CheckCommand) describes Debian
// bookworm only: use codename == "bookworm" before relying on it. Note that
// the unsuffixed python, ruby, golang, rust, perl, php... tags are trixie
// based in this index, and the unsuffixed node tags bookworm based.
func Distro(image, tag string) (family, codename string) {
	im := getImage(image)
	i, ok := im.lookup(tag)
	if !ok {
		return "", ""
	}
	return im.distro(i)
}

type distroResult struct{ family, codename string }

// distro is computeDistro(i), computed once per row (see image.distros).
func (im *image) distro(i int) (family, codename string) {
	if v, ok := im.distros.Load(i); ok {
		r := v.(distroResult)
		return r.family, r.codename
	}
	family, codename = im.computeDistro(i)
	im.distros.Store(i, distroResult{family, codename})
	return family, codename
}

func (im *image) computeDistro(i int) (family, codename string) {
	sources := append([]string{im.Tag(i)}, im.aliasTags(i)...)
	sources = append(sources, im.Directory(i))
	for _, src := range sources {
		toks := tokens(src)
		for k := range toks {
			f, c := classify(im.Name, toks, k)
			if f == "" || family != "" && f != family {
				continue
			}
			if c != "" {
				return f, c
			}
			family = f
		}
	}
	if family == "" {
		family = defaultFamily[im.Name]
	}
	return family, ""
}

// tokens splits a tag or build directory into its words.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == ',' })
}

// classify says what toks[k] tells about the distribution, if anything.
func classify(image string, toks []string, k int) (family, codename string) {
	tok := toks[k]
	switch {
	case tok == "alpine":
		// eclipse-temurin writes "alpine-3.21", its directories "alpine/3.21".
		if k+1 < len(toks) && isVersion(toks[k+1]) {
			return Alpine, toks[k+1]
		}
		return Alpine, ""
	case strings.HasPrefix(tok, "alpine") && isVersion(tok[len("alpine"):]):
		return Alpine, tok[len("alpine"):]
	case tok == "sid":
		return Debian, "sid"
	case isDebianCodename(tok):
		return Debian, tok
	case slices.Contains(ubuntuTokens, tok):
		return Ubuntu, tok
	case tok == "debian" || tok == "ubuntu":
		return tok, ""
	case strings.HasPrefix(tok, "ubi") && isDigits(tok[3:]):
		return UBI, tok[3:]
	case strings.HasPrefix(tok, "oraclelinux") && isDigits(tok[len("oraclelinux"):]):
		return OracleLinux, tok[len("oraclelinux"):]
	case tok == "oracle":
		return OracleLinux, ""
	}
	switch image {
	case "debian":
		if c := debianSuites[tok]; c != "" {
			return Debian, c
		}
		if k == 0 {
			major, _, _ := strings.Cut(tok, ".")
			if c := debianVersions[major]; c != "" {
				return Debian, c
			}
		}
	case "ubuntu":
		for v, c := range ubuntuVersions {
			if tok == c || tok == v || strings.HasPrefix(tok, v+".") {
				return Ubuntu, c
			}
		}
	case "alpine":
		if tok == "edge" {
			return Alpine, "edge"
		}
		if parts := strings.Split(tok, "."); len(parts) >= 2 && isVersion(tok) {
			return Alpine, parts[0] + "." + parts[1]
		}
	case "busybox":
		if tok == "musl" || tok == "glibc" || tok == "uclibc" {
			return BusyBox, tok
		}
	}
	return "", ""
}

func isDebianCodename(tok string) bool {
	for _, c := range debianVersions {
		if c == tok {
			return true
		}
	}
	return false
}

// isVersion reports whether s looks like "3", "3.21" or "3.21.7".
func isVersion(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	return strings.Trim(s, "0123456789.") == ""
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// Libc returns "musl", "glibc" or (busybox only) "uclibc" for image:tag, or
// "" when the distribution is unknown.
func Libc(image, tag string) string {
	family, codename := Distro(image, tag)
	return libcOf(family, codename)
}

func libcOf(family, codename string) string {
	switch family {
	case Alpine:
		return "musl"
	case Debian, Ubuntu, UBI, OracleLinux:
		return "glibc"
	case BusyBox:
		return codename
	}
	return ""
}

// IsMusl reports whether image:tag is built on musl libc (Alpine, or
// busybox's musl variant): glibc binaries, Debian packages and wheels or
// extensions built against glibc do not run there.
func IsMusl(image, tag string) bool { return Libc(image, tag) == "musl" }

// release formats a distribution for messages: "Debian bookworm", "Alpine 3.21".
func release(family, codename string) string {
	name := map[string]string{
		Debian: "Debian", Ubuntu: "Ubuntu", Alpine: "Alpine", OracleLinux: "Oracle Linux",
		UBI: "UBI", BusyBox: "BusyBox",
	}[family]
	switch {
	case name == "":
		return "an unknown distribution"
	case codename == "":
		return name
	}
	return name + " " + codename
}
