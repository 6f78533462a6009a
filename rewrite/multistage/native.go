package multistage

import (
	"fmt"
	"path"
	"slices"
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
- where the install puts files comes from its command line, its
  environment and the build context: DESTDIR=<dir> (copied to / in the
  runtime stage); the Makefile's PREFIX / prefix (PREFIX ?= /usr/local,
  PREFIX = ..., PREFIX := ..., in included files too; make's command line
  wins, then override, and the environment over ?=), whose install recipe
  dockslim reads (install, cp, mkdir, ln, ... after make's expansion) to
  check that everything goes under the prefix, and under $(DESTDIR);
  ./configure --prefix (Autoconf's default /usr/local when the context has
  configure.ac); cmake -DCMAKE_INSTALL_PREFIX / --install --prefix (default
  /usr/local), unless a CMakeLists.txt sets CMAKE_INSTALL_PREFIX or installs
  to an absolute DESTINATION;
- a prefix of the program's own is copied as it is (not /usr, and
  /usr/local only on a builder whose /usr/local is empty: debian,
  buildpack-deps; not gcc, which installs itself there);
- otherwise, when the install honours DESTDIR (the Makefile's recipe uses
  $(DESTDIR) for every file; automake's Makefiles and CMake always do), the
  install is staged: make install DESTDIR=/out or DESTDIR=/out cmake
  --install ..., and /out/ is copied to /. Not when an earlier RUN installs
  into the system (a vendored library, whose files would stay behind) or a
  later command of the RUN uses the installed files. Anything else
  declines, naming what is missing (no Makefile in the context, a recipe
  line that writes outside $(DESTDIR) or runs a script);
- the runtime is debian:<codename>-slim of the builder's own Debian release
  (debian:bookworm / debian:12 / buildpack-deps:bookworm / gcc:12 →
  bookworm), so the C library and every library version match;
- the builder has no -dev packages of its own: gcc and buildpack-deps (but
  not its -curl and -scm variants) come with those of many libraries, any
  of which the program may link, so they decline;
- the shared libraries are the runtime libraries of the -dev packages the
  build stage installed (the generated table of DS405), plus the other
  packages it installed except build tools and the tools that only fetch
  sources (curl, wget, ca-certificates, unzip, ...) when ENTRYPOINT, CMD
  and HEALTHCHECK do not name them; ca-certificates when the program links
  a TLS library or curl (libssl-dev, libcurl4-openssl-dev, ...). "RUN
  ldconfig" refreshes the loader cache after the copy when a library may
  land where the loader looks (not for a Makefile that installs none or a
  CMake project whose add_library() calls build none, nor for a prefix
  such as /opt/app, which the loader does not search). The names are the
  release's (bullseye, bookworm, trixie): another release that needs
  runtime libraries declines, as do a -dev package with no known runtime
  library and a RUN before the install that does not parse as shell;
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
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY --from=build /opt/app /opt/app
CMD ["/opt/app/bin/server"]`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
	ConfigKeys:    []string{"runtime-base"},
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
	b := si.nativeBuild()
	if b == nil || si.removesBuildDeps() {
		return nil, nil
	}
	in := b.install.in
	if !b.install.literal() {
		return nil, declinef(in.Start, "the install command at line %d uses variables dockslim cannot follow", in.StartLine)
	}
	if repo == "alpine" {
		return si.nativeAlpine(b)
	}
	suite, d := si.nativeBuilder(repo)
	if d != nil {
		return nil, d
	}
	dest, d := si.chooseDest(b, si.installFacts(&b.installStep), repo)
	if d == nil {
		d = si.coverEarlier(b, dest)
	}
	if d != nil {
		return nil, d
	}
	if repo == "gcc" || repo == "buildpack-deps" && !strings.Contains(si.tag(), "-curl") && !strings.Contains(si.tag(), "-scm") {
		// buildpack-deps (and gcc, built on it) comes with the -dev
		// packages of common libraries: the program may link any of them.
		return nil, declinef(si.st.From.Start, "%s comes with the -dev packages of buildpack-deps (libssl-dev, libpq-dev, libxml2-dev, ...), and dockslim cannot tell which of them the program links, so the runtime stage could lack a library; build FROM debian:%s and install the -dev packages the program needs", si.image.Raw, suite)
	}
	rt := debianSlim(suite)
	pkgs, d := si.nativeRuntimePackages(in, rt)
	if d != nil {
		return nil, d
	}
	p := &plan{build: in, artifacts: []artifact{dest.art}, builderEdits: dest.staging}
	p.what = dest.what + " (their shared libraries inferred from the -dev packages the build stage installed)"
	if len(pkgs.install) > 0 {
		rt.runs = []string{si.aptInstall(pkgs.install)}
	}
	p.program = func(argv []string, _ string) (bool, string) {
		// A program the runtime stage installs (curl for a HEALTHCHECK).
		return slices.Contains(pkgs.install, path.Base(argv[0])) && !strings.Contains(argv[0], "/"), ""
	}
	if len(pkgs.dropped) > 0 {
		p.what += "; not installed at run time, since nothing there names them: " + strings.Join(pkgs.dropped, ", ")
	}
	p.runtime = rt
	if dest.ldconfig {
		p.post = []string{"RUN ldconfig"}
	}
	p.buildOnly = nativeBuildOnly
	return p, nil
}

// nativeBuilder checks the builder image: the Debian release the runtime
// must match, and a gcc image's compiler against that release's libstdc++.
func (si *stageInfo) nativeBuilder(repo string) (string, *decline) {
	suite, ok := nativeSuite(repo, si.tag())
	if major, _, _ := strings.Cut(si.tag(), "."); repo == "gcc" && ok && systemGCC[suite] != strings.Split(major, "-")[0] {
		// gcc:13 builds with its own libstdc++ in /usr/local; bookworm's
		// libstdc++6 (GCC 12) lacks the newer symbols C++ code links.
		return "", declinef(si.st.From.Start, "%s compiles with a newer GCC than Debian %s's, so C++ code would need a libstdc++ the runtime lacks", si.image.Raw, suite)
	}
	if !ok {
		return "", declinef(si.st.From.Start, "dockslim does not know the Debian release of %s, which the runtime must match", si.image.Raw)
	}
	return suite, nil
}

// nativeBuild finds the stage's last install step (make install, cmake
// --install), the configure and cmake steps before it, and the installs
// before it (nil when there is no install).
func (si *stageInfo) nativeBuild() *nativeBuild {
	b := &nativeBuild{}
	var next installStep // the configure steps since the last install
	for _, c := range si.runCommands(nil) {
		c := c
		switch {
		case isInstall(c):
			if b.install != nil {
				b.earlier = append(b.earlier, b.installStep)
			}
			if next.configure == nil && next.cmake == nil && b.install != nil && b.install.in == c.in {
				// make install && make install-docs: the same build.
				next.configure, next.cmake = b.configure, b.cmake
			}
			next.install = &c
			b.installStep, next = next, installStep{}
		case c.name() == "configure":
			next.configure = &c
		case c.name() == "cmake" && c.arg(1) != "--build" && c.arg(1) != "--install" && c.arg(1) != "-E" && c.arg(1) != "-P":
			next.cmake = &c
		}
	}
	if b.install == nil {
		return nil
	}
	return b
}

// systemGCC is the GCC major version of each Debian release, whose
// libstdc++6 the runtime image has.
var systemGCC = map[string]string{"bookworm": "12", "trixie": "14"}

// nativeAlpine splits a C build on Alpine: the runtime is the same alpine
// tag (the same release and musl), and gets the libraries the installed
// files link by soname. Only a dedicated prefix is copied (not DESTDIR,
// whose tree lands in /).
func (si *stageInfo) nativeAlpine(b *nativeBuild) (*plan, *decline) {
	in := b.install.in
	fa := si.installFacts(&b.installStep)
	pr := path.Clean(fa.prefix)
	switch {
	case strings.Contains(fa.prefix+fa.destdir, "$"):
		return nil, declinef(in.Start, "the install prefix uses a variable dockslim cannot follow")
	case fa.destdir != "":
		return nil, declinef(in.Start, "make install DESTDIR=%s on Alpine: dockslim copies a dedicated prefix only", fa.destdir)
	case fa.prefixWhy != "":
		return nil, declinef(in.Start, "%s, and on Alpine dockslim copies a dedicated prefix only", fa.prefixWhy)
	case fa.prefix == "":
		return nil, declinef(in.Start, "no PREFIX, DESTDIR or configure --prefix says where make install puts files")
	case sharedPrefix(pr, "alpine"):
		return nil, declinef(in.Start, "the install prefix %s is shared with the builder's own files, so dockslim cannot tell what the build installed", pr)
	}
	dest := &nativeDest{art: artifact{path: pr, chown: "auto"}}
	if d := si.coverEarlier(b, dest); d != nil {
		return nil, d
	}
	p := &plan{build: in, artifacts: []artifact{dest.art},
		what: fmt.Sprintf("the files installed in %s (%s) (their shared libraries installed by soname)", pr, fa.prefixFrom)}
	rt := runtimeImage{ref: si.image.Raw, family: images.Alpine}
	if d := si.alpineRuntime(p, rt, in, []string{pr}); d != nil {
		return nil, d
	}
	p.buildOnly = nativeBuildOnly
	return p, nil
}

// nativeBuildOnly are the commands after the install that only belong to
// the build: tests.
func nativeBuildOnly(c command) bool {
	return c.name() == "ctest" || c.name() == "make" && (hasWord(c.argv, "test") || hasWord(c.argv, "check"))
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
