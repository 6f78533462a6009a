package multistage

import (
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/parser"
)

// An Alpine runtime stage gets its shared libraries from apk by soname:
// apk indexes every package's libraries as "so:NAME" (so:libpq.so.5), so
// the runtime stage asks scanelf (which every Alpine image has) for the
// NEEDED entries of the ELF files it copied and installs the packages
// that provide them, from its own Alpine release. That needs no table of
// -dev package names, which Alpine names differently from Debian and from
// one release to the next (postgresql-dev, libpq-dev; openssl-dev gives
// libssl1.1 or libssl3). The docker-library images install their own
// run-time dependencies on Alpine the same way.

// apkSonameDeps is a RUN body that installs, from the image's own Alpine
// release, the packages providing the shared libraries that the ELF files
// under dirs need and neither the image's library folders nor dirs have
// (a wheel's bundled .libs, the python of the image in /usr/local/lib).
func apkSonameDeps(dirs []string) string {
	d := strings.Join(dirs, " ")
	return `deps="$(scanelf --needed --nobanner --format '%n#p' --recursive ` + d +
		` | tr ',' '\n' | sort -u | while read -r so; do [ -e "/lib/$so" ] || [ -e "/usr/lib/$so" ] || [ -e "/usr/local/lib/$so" ] || [ -n "$(find ` + d +
		` -name "$so" | head -n 1)" ] || echo "so:$so"; done)" && if [ -n "$deps" ]; then apk add --no-cache $deps; fi`
}

// apkBuildOnly are Alpine packages only a build needs: compilers, build
// systems, headers (and every -dev package).
var apkBuildOnly = []string{"build-base", "gcc", "g++", "clang", "musl-dev", "libc-dev", "linux-headers", "make",
	"cmake", "ninja", "samurai", "meson", "pkgconf", "pkgconfig", "autoconf", "automake", "libtool", "bison",
	"flex", "binutils", "git", "cargo", "rust", "go", "patch", "python3-dev", "py3-pip", "py3-wheel",
	"py3-setuptools", "gfortran", "swig", "nodejs", "npm"}

// apkRuntimePackages are the packages the build stage's apk add installs
// before limit (nil: all) that the runtime keeps as they are: not build
// tools nor -dev packages, nor the name of a --virtual group.
func (si *stageInfo) apkRuntimePackages(limit *parser.Instruction) (pkgs []string, d *decline) {
	for _, c := range si.runCommands(limit) {
		if c.name() != "apk" || !hasWord(c.argv, "add") {
			continue
		}
		sub := false
		for i := 1; i < len(c.argv); i++ {
			a := c.argv[i]
			switch {
			case !c.lit[i]:
				return nil, declinef(c.in.Start, "apk add at line %d names packages with variables, so dockslim cannot tell which the runtime needs", c.in.StartLine)
			case a == "add":
				sub = true
			case a == "--virtual" || a == "-t" || a == "--repository" || a == "-X":
				i++ // a group name or a repository, not a package
			case !sub || strings.HasPrefix(a, "-"):
			case strings.HasSuffix(a, "-dev") || slices.Contains(apkBuildOnly, a):
			default:
				name, _, _ := strings.Cut(a, "=")
				if !slices.Contains(pkgs, name) {
					pkgs = append(pkgs, name)
				}
			}
		}
	}
	return pkgs, nil
}

// alpineRuntime gives an Alpine runtime image the build stage's other
// packages (apk add before limit) and, after the copy, the libraries the
// files under dirs link; it declines when the stage switches USER (the
// libraries are installed after the copy, as root).
func (si *stageInfo) alpineRuntime(p *plan, rt runtimeImage, limit *parser.Instruction, dirs []string) *decline {
	for _, in := range si.st.Instructions {
		if in.Is("user") && in.Sub == "" {
			return declinef(in.Start, "the stage switches USER at line %d, and the Alpine runtime installs the libraries its files link after copying them, as root", in.StartLine)
		}
	}
	keep, d := si.apkRuntimePackages(limit)
	if d != nil {
		return d
	}
	if len(keep) > 0 {
		rt.runs = append(rt.runs, "apk add --no-cache "+strings.Join(keep, " "))
	}
	p.runtime = rt
	p.post = append(p.post, "RUN "+apkSonameDeps(dirs))
	return nil
}

// alpineRelease is the Alpine release of a builder tag: written in the tag
// (1.22-alpine3.19), or, for a tag no longer rebuilt, the one the index
// last saw (a floating tag that is still rebuilt moves to newer releases,
// and a runtime pinned to today's could get an older musl than the build).
func alpineRelease(repo, tag string) (string, bool) {
	if v, ok := alpineVersion(tag); ok {
		return v, true
	}
	if ti, ok := images.Tag(repo, tag); ok && !ti.Current {
		if fam, v := images.Distro(repo, tag); fam == images.Alpine && v != "" {
			return v, true
		}
	}
	return "", false
}
