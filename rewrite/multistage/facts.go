package multistage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
)

// Facts about official images that the recognisers rely on. The family
// names are package images' (images.Debian, ...). The rest stays here on
// purpose, because it differs from what images.Distro reads from the tag
// index, and the recognisers' behaviour rests on these answers:
//
//   - suites is the Debian releases a builder tag may name (stretch to
//     trixie); images also knows wheezy, jessie, forky, duke and sid.
//   - tagSuite answers only from the tag text and defaultSuite (golang:1
//     and golang:1.10 are unknown here; images.Distro says trixie and
//     stretch from the index).
//   - alpineVersion reads only an explicit alpineX.Y (golang:1.22-alpine
//     is unknown here; images.Distro gives the release from the index).
//   - builderFamily answers for tags the index does not know and keeps
//     its own coarse rules where the index is more precise (openjdk,
//     maven, gradle tags with no distro in the index; eclipse-temurin's
//     -ubi tags, which images calls ubi; buildpack-deps' Ubuntu tags).
//
// Where both answer, they agree (checked over every golang and rust tag of
// the index); isAlpineTag agrees with images.Distro on every tag of the
// index and also answers for tags the index does not know.

// runtimeImage is the base of the runtime stage.
type runtimeImage struct {
	ref    string
	family string // images.Debian, images.Ubuntu, images.Alpine, or "distroless"
	// suite is the Debian codename for Debian-based images ("" otherwise).
	suite string
	// users the image has besides root and its family's system users.
	users []string
	// runs are RUN bodies the runtime stage runs first with this image
	// (installing CA certificates and runtime libraries).
	runs []string
}

// shell reports whether the image has /bin/sh: distroless has none.
func (r runtimeImage) shell() bool { return r.family != "distroless" }

// hasUser reports whether the image already has a user (or group) name.
func (r runtimeImage) hasUser(name string) bool {
	if name == "root" || isNumeric(name) {
		return true
	}
	for _, u := range r.users {
		if u == name {
			return true
		}
	}
	for _, u := range familyUsers[r.family] {
		if u == name {
			return true
		}
	}
	return false
}

// familyUsers are the accounts of a family's base /etc/passwd (Debian's
// base-passwd, Ubuntu's, Alpine's alpine-baselayout; distroless ships
// root, nonroot (65532) and nobody).
var familyUsers = map[string][]string{
	images.Debian: {"daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data", "backup", "list", "irc", "_apt", "nobody", "nogroup", "users", "staff"},
	images.Ubuntu: {"daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data", "backup", "list", "irc", "_apt", "nobody", "nogroup", "users", "staff"},
	images.Alpine: {"bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "news", "uucp", "operator", "man", "postmaster", "cron", "ftp", "sshd", "at", "squid", "xfs", "games", "cyrus", "vpopmail", "ntp", "smmsp", "guest", "nobody", "nogroup", "users", "www-data"},
	"distroless":  {"nonroot", "nobody"},
}

// Commands a runtime base has, for RUN instructions that land in the
// runtime stage and for CMD / ENTRYPOINT / HEALTHCHECK. Debian's are from
// shared/data/debian-slim-commands.txt (a minbase bookworm, what
// debian:*-slim and the language -slim images are built from), reduced to
// the ones Dockerfiles use; Ubuntu's minimal image has the same tools;
// Alpine's come from busybox. Shell builtins count for every image with a
// shell.
var (
	shellBuiltins = []string{"exec", "cd", "export", "set", "unset", "test", "[", "echo", "printf",
		"true", "false", "read", "trap", "wait", "eval", "exit", "shift", "umask", "ulimit", ".", "command", "kill"}
	debianCommands = []string{"sh", "bash", "dash", "cat", "env", "ls", "mkdir", "rm", "cp", "mv", "ln",
		"chmod", "chown", "chgrp", "touch", "sleep", "sed", "grep", "find", "xargs", "head", "tail",
		"id", "whoami", "hostname", "date", "useradd", "groupadd", "usermod", "adduser", "addgroup",
		"su", "tar", "gzip", "ldconfig", "apt-get", "dpkg", "install", "tini", "nproc", "uname"}
	alpineCommands = []string{"sh", "ash", "cat", "env", "ls", "mkdir", "rm", "cp", "mv", "ln", "chmod",
		"chown", "chgrp", "touch", "sleep", "sed", "grep", "find", "xargs", "head", "tail", "id",
		"whoami", "hostname", "date", "adduser", "addgroup", "su", "tar", "gzip", "apk", "install",
		"wget", "nc", "nproc", "uname"}
)

// hasCommand reports whether the runtime image provides a command by name.
func (r runtimeImage) hasCommand(name string) bool {
	switch r.family {
	case images.Debian, images.Ubuntu:
		return slices.Contains(shellBuiltins, name) || slices.Contains(debianCommands, name)
	case images.Alpine:
		return slices.Contains(shellBuiltins, name) || slices.Contains(alpineCommands, name)
	}
	return false
}

// userTools says whether a user-management command run in a builder of
// family from also works, with the same options, in the runtime image:
// useradd/groupadd (shadow-utils) on Debian, Ubuntu and Oracle Linux;
// adduser/addgroup differ (Debian's Perl script vs busybox), so only
// within the same family.
func (r runtimeImage) userTool(name, from string) bool {
	shadow := []string{images.Debian, images.Ubuntu, images.OracleLinux}
	switch name {
	case "useradd", "groupadd", "usermod":
		return slices.Contains(shadow, r.family) && slices.Contains(shadow, from)
	case "adduser", "addgroup":
		return r.family == from && r.family != images.Ubuntu && r.shell()
	}
	return false
}

// The distroless static image: CA certificates, tzdata, /etc/passwd with
// root, nonroot and nobody; no shell, no libc. It runs statically linked
// binaries (Go with CGO_ENABLED=0).
var distrolessStatic = runtimeImage{ref: "gcr.io/distroless/static-debian12", family: "distroless"}

// debianSlim is debian:<suite>-slim: glibc, dash, no CA certificates
// (the slim images purge ca-certificates; see shared/data/README.md).
func debianSlim(suite string) runtimeImage { return debianImage("debian:"+suite+"-slim", suite) }

// debianImage is a Debian-based runtime image of release suite.
func debianImage(ref, suite string) runtimeImage {
	return runtimeImage{ref: ref, family: images.Debian, suite: suite}
}

// suites in release order.
var suites = []string{"stretch", "buster", "bullseye", "bookworm", "trixie"}

func isSuite(s string) bool {
	for _, x := range suites {
		if x == s {
			return true
		}
	}
	return false
}

// defaultSuite is the Debian release an official image's unsuffixed tag
// for a version line was built on at its last build (golang:1.22 →
// bookworm), from shared/data/official-tags.tsv: the newest -<suite>
// variant listed for that version. Lines still built today (golang 1.24+,
// rust 1.88+) moved to trixie. Version lines not listed are unknown.
var defaultSuite = map[string][]struct {
	from, to int // minor versions, inclusive (major 1)
	suite    string
}{
	"golang": {{16, 18, "bullseye"}, {19, 23, "bookworm"}, {24, 99, "trixie"}},
	"rust":   {{51, 66, "bullseye"}, {67, 71, "bookworm"}, {73, 87, "bookworm"}, {88, 99, "trixie"}},
}

// tagSuite tells the Debian suite of a golang/rust tag: an explicit suite
// (1.22-bookworm, 1.75-slim-bullseye) or the default of its version line.
// ok is false for alpine tags, floating tags (latest, 1, bookworm-less
// majors) and unknown versions.
func tagSuite(image, tag string) (string, bool) {
	parts := strings.Split(tag, "-")
	for _, p := range parts[1:] {
		if isSuite(p) {
			return p, true
		}
	}
	if len(parts) > 1 && parts[len(parts)-1] != "slim" {
		return "", false // alpine, windowsservercore, rc, ...
	}
	v := strings.Split(parts[0], ".")
	if len(v) < 2 || v[0] != "1" {
		return "", false
	}
	minor, err := strconv.Atoi(v[1])
	if err != nil {
		return "", false
	}
	for _, r := range defaultSuite[image] {
		if minor >= r.from && minor <= r.to {
			return r.suite, true
		}
	}
	return "", false
}

// indexSuite is the Debian release the tag index gives a tag that names
// none and whose version line defaultSuite does not fix (rust:1,
// rust:latest: trixie as of the index). Such a tag floats: it moves to the
// next release some day, so a plan built on it says so (see floatingNote).
func indexSuite(repo, tag string) (string, bool) {
	family, codename := images.Distro(repo, tag)
	if family != images.Debian || !isSuite(codename) {
		return "", false
	}
	return codename, true
}

// floatingNote tells the user which release a floating builder tag was
// taken to be on, and how to keep the runtime on the same one.
func floatingNote(raw, repo, tag, suite string) string {
	pinned := tag + "-" + suite // 1 → 1-trixie, 1-slim → 1-slim-trixie
	if tag == "" || tag == "latest" {
		pinned = suite
	}
	return fmt.Sprintf("%s floats: dockslim took it to be on %s, as the official tag index says; when it moves to a newer Debian release, move the runtime with it, or pin %s:%s",
		raw, suite, repo, pinned)
}

// alpineVersion returns the Alpine release of a tag like 1.22-alpine3.19.
func alpineVersion(tag string) (string, bool) {
	for _, p := range strings.Split(tag, "-") {
		if v, ok := strings.CutPrefix(p, "alpine"); ok && v != "" {
			return v, true
		}
	}
	return "", false
}

func isAlpineTag(tag string) bool {
	for _, p := range strings.Split(tag, "-") {
		if strings.HasPrefix(p, "alpine") {
			return true
		}
	}
	return false
}

// builderFamily is the userland of an official builder image, for
// replicating user creation: python/node/golang/rust/gcc/buildpack-deps are
// Debian (or Alpine with an -alpine tag); eclipse-temurin, and maven and
// gradle on temurin, are Ubuntu; openjdk 17+ is Oracle Linux unless -slim
// (Debian).
func builderFamily(repo, tag string) string {
	if isAlpineTag(tag) {
		return images.Alpine
	}
	switch repo {
	case "eclipse-temurin", "gradle":
		return images.Ubuntu
	case "maven":
		if strings.Contains(tag, "openjdk") {
			return images.Debian
		}
		return images.Ubuntu
	case "openjdk":
		if strings.Contains(tag, "slim") || strings.Contains(tag, "buster") || strings.Contains(tag, "bullseye") {
			return images.Debian
		}
		return images.OracleLinux
	case "ubuntu":
		return images.Ubuntu
	}
	return images.Debian
}

// buildTools are Debian packages only the build needs: compilers, build
// systems and headers of the toolchain itself. A runtime stage drops them.
var buildTools = []string{"build-essential", "gcc", "g++", "cpp", "cc", "clang", "llvm", "make", "cmake",
	"ninja-build", "meson", "pkg-config", "pkgconf", "autoconf", "automake", "libtool", "bison",
	"flex", "gfortran", "binutils", "dpkg-dev", "libc6-dev", "libc-dev", "linux-libc-dev",
	"python3-dev", "python-dev", "python3-pip", "python3-venv", "python3-setuptools", "python3-wheel",
	"git", "swig", "patch", "cargo", "rustc", "golang", "golang-go", "default-jdk", "maven", "gradle",
	"nodejs", "npm", "gcc-12", "g++-12", "build-base", "musl-dev"}

func isNumeric(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && s != ""
}
