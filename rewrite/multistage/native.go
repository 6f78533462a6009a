package multistage

import (
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleNative is DS406.
var RuleNative = &rewrite.Rule{
	ID:      "DS406",
	Name:    "c-multistage",
	Summary: "a C/C++ image that builds and installs with make or cmake keeps the compilers; copy the installed files into a slim stage",
	Explanation: `A C or C++ build needs gcc, make or cmake and the -dev packages; the program
needs the files "make install" / "cmake --install" put in place and the
shared libraries they link. Without running the build dockslim cannot know
the linked libraries, so it only splits when it can be sound:
- the install goes to a dedicated place: DESTDIR=<dir> (copied to / in the
  runtime stage), or a prefix (make install PREFIX=/opt/x, ./configure
  --prefix, cmake -DCMAKE_INSTALL_PREFIX / --install --prefix; cmake's default
  /usr/local) that is not /usr and, for /usr/local, only on a builder whose
  /usr/local is empty (debian, buildpack-deps; not gcc, which installs itself
  there). make install with no PREFIX, prefix or DESTDIR declines;
- the runtime is debian:<codename>-slim of the builder's own Debian release
  (debian:bookworm / debian:12 / buildpack-deps:bookworm / gcc:12 →
  bookworm), so the C library and every library version match;
- the builder has no -dev packages of its own: gcc and buildpack-deps (but
  not its -curl and -scm variants) come with those of many libraries, any
  of which the program may link, so they decline;
- the shared libraries are the runtime libraries of the -dev packages the
  build stage installed (the generated table of DS405), plus the other
  packages it installed except build tools; "RUN ldconfig" refreshes the
  loader cache after the copy. The names are the release's (bullseye,
  bookworm, trixie): another release that needs runtime libraries declines,
  as do a -dev package with no known runtime library and a RUN before the
  install that does not parse as shell;
- on alpine:<tag>, the runtime is the same alpine tag; it gets what apk
  added besides build tools and -dev packages, and after the copy of the
  prefix (not DESTDIR) installs by soname (apk add so:...) the libraries
  the installed files link (scanelf), from its own release.
A stage that removes packages again (apk del, apt-get purge / remove /
autoremove, as the official images do with their toolchain) ships no
toolchain: it is not reported. A library the program links that came from
neither (built in another RUN, downloaded) is not found at run time: the
finding says so, review it.
` + explainCommon,
	Before: `FROM debian:bookworm
RUN apt-get update && apt-get install -y build-essential cmake libssl-dev
WORKDIR /src
COPY . .
RUN cmake -B build -DCMAKE_INSTALL_PREFIX=/opt/app && cmake --build build && cmake --install build
CMD ["/opt/app/bin/server"]`,
	After: `FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y build-essential cmake libssl-dev
WORKDIR /src
COPY . .
RUN cmake -B build -DCMAKE_INSTALL_PREFIX=/opt/app && cmake --build build && cmake --install build

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libssl3 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY --from=build /opt/app /opt/app
RUN ldconfig
CMD ["/opt/app/bin/server"]`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
}

// NativePass is the multistage-native pass.
var NativePass = newPass("native", RuleNative, recogniseNative)

// nativeSuite is the Debian release of a C builder image.
func nativeSuite(repo, tag string) (string, bool) {
	first := strings.Split(tag, "-")[0]
	switch repo {
	case "debian", "buildpack-deps":
		if isSuite(first) {
			return first, true
		}
		if repo == "debian" {
			// debian:12 → bookworm (and 12.5, 12-slim).
			major, _, _ := strings.Cut(first, ".")
			switch major {
			case "10":
				return "buster", true
			case "11":
				return "bullseye", true
			case "12":
				return "bookworm", true
			case "13":
				return "trixie", true
			}
		}
	case "gcc":
		// From shared/data/official-tags.tsv: gcc 12 and 13 ended on
		// bookworm, 14+ are trixie.
		major, _, _ := strings.Cut(first, ".")
		switch major {
		case "12", "13":
			return "bookworm", true
		case "14", "15", "16":
			return "trixie", true // its system GCC is 14
		}
	}
	return "", false
}

func recogniseNative(si *stageInfo) (*plan, *decline) {
	repo := si.repo()
	if repo != "debian" && repo != "buildpack-deps" && repo != "gcc" && repo != "alpine" {
		return nil, nil
	}
	install, configurePrefix, cmakePrefix := si.nativeInstall()
	if install == nil || si.removesBuildDeps() {
		return nil, nil
	}
	in := install.in
	if !install.literal() {
		return nil, declinef(in.Start, "the install command at line %d uses variables dockslim cannot follow", in.StartLine)
	}
	if repo == "alpine" {
		return si.nativeAlpine(install, configurePrefix, cmakePrefix)
	}
	suite, ok := nativeSuite(repo, si.tag())
	if major, _, _ := strings.Cut(si.tag(), "."); repo == "gcc" && ok && systemGCC[suite] != strings.Split(major, "-")[0] {
		// gcc:13 builds with its own libstdc++ in /usr/local; bookworm's
		// libstdc++6 (GCC 12) lacks the newer symbols C++ code links.
		return nil, declinef(si.st.From.Start, "%s compiles with a newer GCC than Debian %s's, so C++ code would need a libstdc++ the runtime lacks", si.image.Raw, suite)
	}
	if !ok {
		return nil, declinef(si.st.From.Start, "dockslim does not know the Debian release of %s, which the runtime must match", si.image.Raw)
	}
	prefix, destdir := si.installDest(install, configurePrefix, cmakePrefix)
	if strings.Contains(prefix+destdir, "$") {
		return nil, declinef(in.Start, "the install prefix uses a variable dockslim cannot follow")
	}
	p := &plan{build: in}
	switch {
	case destdir != "":
		d := path.Clean(destdir)
		if d == "/" {
			return nil, declinef(in.Start, "DESTDIR=/ installs into the system folders")
		}
		p.artifacts = []artifact{{path: d + "/", dst: "/"}}
		p.what = "the files installed under DESTDIR " + d
	case prefix == "":
		return nil, declinef(in.Start, "make install without PREFIX, DESTDIR or a configure --prefix: dockslim cannot tell where it puts files")
	default:
		pr := path.Clean(prefix)
		if pr == "/" || pr == "/usr" || strings.HasPrefix(pr, "/usr/") && pr != "/usr/local" || pr == "/usr/local" && repo == "gcc" {
			return nil, declinef(in.Start, "the install prefix %s is shared with the builder's own files, so dockslim cannot tell what the build installed", pr)
		}
		p.artifacts = []artifact{{path: pr, chown: "auto"}}
		p.what = "the files installed in " + pr
	}
	p.what += " (their shared libraries inferred from the -dev packages the build stage installed)"
	if repo == "gcc" || repo == "buildpack-deps" && !strings.Contains(si.tag(), "-curl") && !strings.Contains(si.tag(), "-scm") {
		// buildpack-deps (and gcc, built on it) comes with the -dev
		// packages of common libraries: the program may link any of them.
		return nil, declinef(si.st.From.Start, "%s comes with the -dev packages of buildpack-deps (libssl-dev, libpq-dev, libxml2-dev, ...), and dockslim cannot tell which of them the program links, so the runtime stage could lack a library; build FROM debian:%s and install the -dev packages the program needs", si.image.Raw, suite)
	}
	rt := debianSlim(suite)
	libs, d := si.apt(in, minbase, rt)
	if d != nil {
		return nil, d
	}
	if repo != "debian" {
		libs = append([]string{"ca-certificates"}, libs...) // buildpack-deps has them
	}
	if len(libs) > 0 {
		rt.runs = []string{si.aptInstall(dedupe(libs))}
	}
	p.runtime = rt
	p.post = []string{"RUN ldconfig"}
	p.buildOnly = func(c command) bool {
		return c.name() == "ctest" || c.name() == "make" && (hasWord(c.argv, "test") || hasWord(c.argv, "check"))
	}
	return p, nil
}

// nativeInstall finds the install step of a stage (make install, cmake
// --install) and the prefixes configure and cmake were given.
func (si *stageInfo) nativeInstall() (install *command, configurePrefix, cmakePrefix string) {
	for _, c := range si.runCommands(nil) {
		c := c
		switch {
		case c.name() == "configure":
			for _, a := range c.argv[1:] {
				if v, ok := strings.CutPrefix(a, "--prefix="); ok {
					configurePrefix = v
				}
			}
		case c.name() == "cmake" && c.arg(1) != "--install" && c.arg(1) != "--build":
			for _, a := range c.argv[1:] {
				if v, ok := strings.CutPrefix(a, "-DCMAKE_INSTALL_PREFIX="); ok {
					cmakePrefix = v
				}
			}
		case c.name() == "make" && hasWord(c.argv[1:], "install"):
			install = &c
		case c.name() == "cmake" && c.arg(1) == "--install":
			install = &c
		}
	}
	return install, configurePrefix, cmakePrefix
}

// makeInstallDest is where make install puts files: its PREFIX (else
// configure's --prefix) and DESTDIR (overriding the environment's).
func makeInstallDest(install *command, configurePrefix, envDestdir string) (prefix, destdir string) {
	destdir = envDestdir
	for _, a := range install.argv[1:] {
		k, v, ok := strings.Cut(a, "=")
		switch {
		case ok && (k == "PREFIX" || k == "prefix"):
			prefix = v
		case ok && k == "DESTDIR":
			destdir = v
		}
	}
	if prefix == "" {
		prefix = configurePrefix
	}
	return prefix, destdir
}

// cmakeInstallPrefix is where cmake --install puts files: its --prefix,
// else the configured CMAKE_INSTALL_PREFIX, else CMake's default.
func cmakeInstallPrefix(install *command, cmakePrefix string) string {
	prefix := cmakePrefix
	for i := 2; i < len(install.argv); i++ {
		a := install.argv[i]
		if a == "--prefix" && i+1 < len(install.argv) {
			prefix = install.argv[i+1]
		} else if v, ok := strings.CutPrefix(a, "--prefix="); ok {
			prefix = v
		}
	}
	if prefix == "" {
		prefix = "/usr/local" // CMake's default on Unix
	}
	return prefix
}

// systemGCC is the GCC major version of each Debian release, whose
// libstdc++6 the runtime image has.
var systemGCC = map[string]string{"bookworm": "12", "trixie": "14"}

// nativeAlpine splits a C build on Alpine: the runtime is the same alpine
// tag (the same release and musl), and gets the libraries the installed
// files link by soname. Only a dedicated prefix is copied (not DESTDIR,
// whose tree lands in /).
func (si *stageInfo) nativeAlpine(install *command, configurePrefix, cmakePrefix string) (*plan, *decline) {
	in := install.in
	prefix, destdir := si.installDest(install, configurePrefix, cmakePrefix)
	pr := path.Clean(prefix)
	switch {
	case strings.Contains(prefix+destdir, "$"):
		return nil, declinef(in.Start, "the install prefix uses a variable dockslim cannot follow")
	case destdir != "":
		return nil, declinef(in.Start, "make install DESTDIR=%s on Alpine: dockslim copies a dedicated prefix only", destdir)
	case prefix == "":
		return nil, declinef(in.Start, "make install without PREFIX, DESTDIR or a configure --prefix: dockslim cannot tell where it puts files")
	case pr == "/" || pr == "/usr" || strings.HasPrefix(pr, "/usr/") && pr != "/usr/local":
		return nil, declinef(in.Start, "the install prefix %s is shared with the builder's own files, so dockslim cannot tell what the build installed", pr)
	}
	p := &plan{build: in, artifacts: []artifact{{path: pr, chown: "auto"}},
		what: "the files installed in " + pr + " (their shared libraries installed by soname)"}
	rt := runtimeImage{ref: si.image.Raw, family: images.Alpine}
	if d := si.alpineRuntime(p, rt, in, []string{pr}); d != nil {
		return nil, d
	}
	p.buildOnly = func(c command) bool {
		return c.name() == "ctest" || c.name() == "make" && (hasWord(c.argv, "test") || hasWord(c.argv, "check"))
	}
	return p, nil
}

// installDest is where the install step puts files: its prefix and
// DESTDIR (make's, else the environment's; cmake's --prefix, else the
// configured one).
func (si *stageInfo) installDest(install *command, configurePrefix, cmakePrefix string) (prefix, destdir string) {
	destdir, _ = si.env(install.in, install, "DESTDIR")
	if install.name() == "make" {
		return makeInstallDest(install, configurePrefix, destdir)
	}
	return cmakeInstallPrefix(install, cmakePrefix), destdir
}

// removesBuildDeps reports whether the stage removes packages again (apk
// del, apt-get purge / remove / autoremove): the official images build
// from source and remove their toolchain in the same RUN, so their image
// does not ship it and a split has nothing to save.
func (si *stageInfo) removesBuildDeps() bool {
	for _, c := range si.runCommands(nil) {
		switch {
		case c.name() == "apk" && hasWord(c.argv, "del"):
			return true
		case (c.name() == "apt-get" || c.name() == "apt") && (hasWord(c.argv, "purge") || hasWord(c.argv, "remove") || hasWord(c.argv, "autoremove")):
			return true
		}
	}
	return false
}
