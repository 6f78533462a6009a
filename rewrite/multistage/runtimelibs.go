package multistage

import (
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/parser"
)

// apt reads the apt-get / apt install commands of the build stage before
// limit and sorts the packages: runtime libraries for the -dev packages
// (devRuntimeLibs), packages to install as they are, build tools to drop.
// rt is the runtime image the libraries go to. It declines rather than
// leave the runtime stage without a library a -dev package links: for a
// -dev package without a known runtime library, for runtime libraries on
// an image that is not Debian of the table's release (the names are
// bookworm's), for apk (Alpine packages have another naming), and for a
// RUN that does not parse as shell, which could install anything.
func (si *stageInfo) apt(limit *parser.Instruction, skip []string, rt runtimeImage) (libs []string, d *decline) {
	seen := map[string]bool{}
	var mapped []string // runtime libraries that come from the -dev table
	var cmds []command
	for _, in := range si.st.Instructions {
		if limit != nil && in.Index >= limit.Index {
			break
		}
		cs, ok := commandsOf(in)
		if !ok {
			cs, ok = heredocCommands(in)
		}
		if !ok {
			return nil, declinef(in.Start, "the RUN at line %d does not parse as shell, so dockslim cannot tell which -dev packages it installs, whose runtime libraries the runtime stage would need", in.StartLine)
		}
		cmds = append(cmds, cs...)
	}
	for _, c := range cmds {
		if c.name() == "apk" {
			return nil, declinef(c.in.Start, "the build stage installs Alpine packages (line %d); dockslim maps Debian -dev packages to runtime libraries only, so it cannot tell which libraries the runtime stage needs", c.in.StartLine)
		}
		if (c.name() != "apt-get" && c.name() != "apt") || !hasWord(c.argv, "install") {
			continue
		}
		sub := false
		for i := 1; i < len(c.argv); i++ {
			a := c.argv[i]
			if !c.lit[i] {
				return nil, declinef(c.in.Start, "apt-get install at line %d names packages with variables, so dockslim cannot tell which runtime libraries they need", c.in.StartLine)
			}
			if a == "install" {
				sub = true
				continue
			}
			if !sub || strings.HasPrefix(a, "-") {
				continue
			}
			pkg, _, _ := strings.Cut(a, "=")
			pkg = strings.TrimSuffix(pkg, ":amd64")
			add, d := libsFor(c.in, pkg, libRelease(rt))
			if d != nil {
				return nil, d
			}
			if isDev(pkg) {
				mapped = append(mapped, add...)
			}
			for _, l := range add {
				if !seen[l] && !slices.Contains(skip, l) {
					seen[l] = true
					libs = append(libs, l)
				}
			}
		}
	}
	if d := si.libsOn(si.st.From.Start, mapped, skip, rt); d != nil {
		return nil, si.wrongRelease(si.st.From.Start, libs, rt) // every package, named for that release
	}
	return libs, nil
}

// isDev reports whether a Debian package is a -dev package.
func isDev(pkg string) bool { return strings.HasSuffix(pkg, "-dev") || strings.Contains(pkg, "-dev:") }

// libsFor is what the runtime stage installs for a package the build stage
// installed at in: the runtime libraries of a -dev package, nothing for a
// build tool, the package itself otherwise.
func libsFor(in *parser.Instruction, pkg, release string) ([]string, *decline) {
	switch {
	case slices.Contains(buildTools, pkg) || strings.HasPrefix(pkg, "linux-headers") || strings.HasPrefix(pkg, "python3.") && strings.HasSuffix(pkg, "-dev"):
		return nil, nil
	case isDev(pkg):
		rl, ok := devRuntimeLibs(release, pkg)
		if !ok {
			return nil, declinef(in.Start, "the build stage installs %s (line %d), and dockslim knows no runtime library for it (its table comes from Debian %s package metadata), so the runtime stage would lack the library it links", pkg, in.StartLine, release)
		}
		return rl, nil
	}
	return []string{pkg}, nil
}

// libsOn declines when runtime libraries from the -dev tables would go to
// a runtime image of a release or distribution dockslim has no table of,
// where apt knows them by other names or not at all.
func (si *stageInfo) libsOn(at int, libs []string, skip []string, rt runtimeImage) *decline {
	var need []string
	for _, l := range dedupe(libs) {
		if !slices.Contains(skip, l) {
			need = append(need, l)
		}
	}
	if len(need) == 0 || rt.family == images.Debian && images.DevLibsKnown(rt.suite) {
		return nil
	}
	return si.wrongRelease(at, need, rt)
}

// wrongRelease is the decline for runtime libraries that would go to rt,
// of a release or distribution dockslim has no package names of.
func (si *stageInfo) wrongRelease(at int, need []string, rt runtimeImage) *decline {
	if rt.family != images.Debian {
		return declinef(at, "the runtime needs %s, named for Debian, but the runtime image %s is not Debian", strings.Join(need, ", "), rt.ref)
	}
	s := rt.suite
	if s == "" {
		s = "of an unknown Debian release"
	}
	tag := "-" + devLibsRelease
	if r := si.repo(); r == "debian" || r == "buildpack-deps" {
		tag = devLibsRelease
	}
	return declinef(at, "the runtime needs %s, and dockslim knows the package names of Debian %s only, but %s is %s; use a %s tag", strings.Join(need, ", "), images.DevLibsReleaseList(), si.image.Raw, s, tag)
}

// aptDev lists the -dev packages apt-get / apt installs in the build stage
// before limit (nil: all), besides the toolchain's own.
func (si *stageInfo) aptDev(limit *parser.Instruction) []string {
	var out []string
	for _, c := range si.runCommands(limit) {
		if (c.name() != "apt-get" && c.name() != "apt") || !hasWord(c.argv, "install") {
			continue
		}
		for _, a := range c.argv {
			if isDev(a) && !slices.Contains(buildTools, a) && !strings.HasPrefix(a, "python3.") {
				out = append(out, a)
			}
		}
	}
	return out
}

// apkDev lists the -dev packages apk installs in the build stage before
// limit (nil: all), besides the toolchain's own (musl-dev, linux-headers).
func (si *stageInfo) apkDev(limit *parser.Instruction) []string {
	var out []string
	for _, c := range si.runCommands(limit) {
		if c.name() != "apk" || !hasWord(c.argv, "add") {
			continue
		}
		for _, a := range c.argv {
			if strings.HasSuffix(a, "-dev") && !slices.Contains(buildTools, a) && a != "linux-headers" {
				out = append(out, a)
			}
		}
	}
	return out
}

// aptInstall is a RUN body that installs packages the slim way, laid out
// like the build stage's own apt-get install RUN: on one line, or one
// command a line with "&&" leading or trailing.
func (si *stageInfo) aptInstall(pkgs []string) string {
	cmds := []string{"apt-get update", "apt-get install -y --no-install-recommends " + strings.Join(pkgs, " "), "rm -rf /var/lib/apt/lists/*"}
	one := strings.Join(cmds, " && ")
	var model *parser.Instruction
	for _, c := range si.runCommands(nil) {
		if (c.name() == "apt-get" || c.name() == "apt") && hasWord(c.argv, "install") && c.sh != nil {
			model = c.in
			break
		}
	}
	if model == nil {
		return one
	}
	esc := string(si.f.Escape)
	lines := strings.Split(strings.TrimRight(model.Text(si.f), "\r\n"), "\n")
	if len(lines) < 2 || !strings.HasSuffix(strings.TrimRight(lines[0], " \t\r"), esc) {
		return one
	}
	second := strings.TrimRight(lines[1], "\r")
	indent := second[:len(second)-len(strings.TrimLeft(second, " \t"))]
	first := strings.TrimSuffix(strings.TrimRight(lines[0], " \t\r"), esc)
	gap := first[len(strings.TrimRight(first, " \t")):] // before the escape
	nl := si.f.Newline()
	switch {
	case strings.HasPrefix(strings.TrimSpace(second), "&&"):
		return cmds[0] + gap + esc + nl + indent + "&& " + cmds[1] + gap + esc + nl + indent + "&& " + cmds[2]
	case strings.HasSuffix(strings.TrimSpace(first), "&&"):
		return cmds[0] + " &&" + gap + esc + nl + indent + cmds[1] + " &&" + gap + esc + nl + indent + cmds[2]
	}
	return one
}

// minbase are packages every Debian image has (Priority: required, or
// pulled in by apt): installing them again is noise.
var minbase = []string{"zlib1g", "libc6", "libgcc-s1", "libstdc++6", "libtinfo6", "libzstd1", "liblzma5",
	"libbz2-1.0", "libudev1", "libsystemd0", "libuuid1", "libpcre2-8-0", "libgcrypt20", "libgpg-error0",
	"liblz4-1", "libcap2", "libseccomp2", "libselinux1", "libacl1", "libattr1", "libaudit1", "libdb5.3",
	"libcrypt1", "libmd0", "libsemanage2", "libsepol2", "libsmartcols1", "libmount1", "libblkid1",
	"libgmp10", "libhogweed6", "libnettle8", "libp11-kit0", "libtasn1-6", "libffi8",
	"libgnutls30", "libidn2-0", "libunistring2", "libxxhash0", "libdebconfclient0", "libpam0g"}
