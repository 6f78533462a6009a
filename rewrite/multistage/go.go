package multistage

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleGo is DS401.
var RuleGo = &rewrite.Rule{
	ID:      "DS401",
	Name:    "go-multistage",
	Summary: "a Go image built in golang ships the toolchain; copy the binary into a small runtime stage",
	Explanation: `A golang image is several hundred MB of compiler, module cache and sources;
the program it builds is one binary. dockslim names the build stage (AS build)
and adds a runtime stage that copies only the binary, at the same path.

What it relies on:
- the binary is what "go build" writes: the -o path, else (no -o) the last
  element of the package path (./cmd/server → server) or, for the module
  root, the last element of go.mod's module path (read from the build context;
  a /vN suffix is skipped), or the WORKDIR's base name when the context has no
  go.mod; relative to the WORKDIR of the RUN. When it cannot tell, it declines.
- CGO_ENABLED=0 (ENV, an ARG default or the command's prefix), or an Alpine
  builder with no C compiler installed (Go 1.20+ then disables cgo), gives a
  static binary: the runtime is gcr.io/distroless/static-debian12 (CA
  certificates and tzdata, no shell, no libc). When the runtime needs a shell
  (shell-form CMD, a user to create, a RUN) or cgo is on, the runtime is
  debian:<codename>-slim of the builder's Debian release (golang:1.22 and
  golang:1.22-bookworm → bookworm, -bullseye → bullseye, golang:1.25 →
  trixie), with ca-certificates and the runtime libraries of the -dev
  packages the build stage installed, named for that release (the tables of
  bullseye, bookworm and trixie; another release that needs them declines).
  An Alpine builder gets alpine:<its release> (from the tag, or from the
  index for a tag no longer rebuilt), which installs after the copy, by
  soname (apk add so:libsqlite3.so.0), the libraries the binaries link
  (scanelf), from its own release. An unknown release declines, and so does
  a -dev package with no known runtime library.
` + explainCommon,
	Before: `FROM golang:1.22
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /bin/server ./cmd/server
EXPOSE 8080
CMD ["/bin/server"]`,
	After: `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /bin/server ./cmd/server

FROM gcr.io/distroless/static-debian12
WORKDIR /src
COPY --from=build /bin/server /bin/server
EXPOSE 8080
CMD ["/bin/server"]`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
}

// GoPass is the multistage-go pass.
var GoPass = newPass("go", RuleGo, recogniseGo)

// goValueFlags are go build flags that take a value.
var goValueFlags = []string{"o", "p", "asmflags", "buildmode", "buildvcs", "compiler", "gccgoflags", "gcflags",
	"installsuffix", "ldflags", "mod", "modfile", "overlay", "pkgdir", "tags", "toolexec", "pgo", "C",
	"coverpkg", "covermode", "exec"}

// goBuild is one `go build` command.
type goBuild struct {
	c        command
	out      string   // -o value
	packages []string // positional arguments
	chdir    bool     // -C
}

func parseGoBuild(c command) (goBuild, bool) {
	b := goBuild{c: c}
	if !c.literal() {
		return b, false
	}
	for i := 2; i < len(c.argv); i++ {
		a := c.argv[i]
		if !strings.HasPrefix(a, "-") {
			b.packages = append(b.packages, a)
			continue
		}
		name, val, eq := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if slices.Contains(goValueFlags, name) && !eq && i+1 < len(c.argv) {
			i++
			val = c.argv[i]
		}
		switch name {
		case "o":
			b.out = val
		case "C":
			b.chdir = true
		}
	}
	return b, true
}

func recogniseGo(si *stageInfo) (*plan, *decline) {
	if si.repo() != "golang" {
		return nil, nil
	}
	var builds []goBuild
	for _, c := range si.runCommands(nil) {
		if c.name() == "go" && c.arg(1) == "build" {
			b, ok := parseGoBuild(c)
			if !ok {
				return nil, declinef(c.in.Start, "go build at line %d uses variables dockslim cannot follow", c.in.StartLine)
			}
			builds = append(builds, b)
		}
	}
	if len(builds) == 0 {
		return nil, si.toolchainAtRuntime()
	}
	p := &plan{build: builds[len(builds)-1].c.in}
	var names []string
	for _, b := range builds {
		out, d := si.goOutput(b)
		if d != nil {
			return nil, d
		}
		names = append(names, out)
	}
	p.addBinaries(names)
	p.buildOnly = func(c command) bool {
		switch c.name() {
		case "go":
			return c.arg(1) == "test" || c.arg(1) == "vet" || c.arg(1) == "mod"
		case "strip", "upx":
			return true
		}
		return false
	}

	alpine := isAlpineTag(si.tag())
	fallback, fallbackWhy := si.goFallback()
	static, d := si.goStatic(builds, alpine)
	if d != nil {
		return nil, d
	}
	if static {
		p.runtime = distrolessStatic
		p.fallback = fallback
	} else {
		if fallback == nil {
			return nil, declinef(si.st.From.Start, "cgo is on (CGO_ENABLED is not 0), so the binary links the builder's C library, and %s", fallbackWhy)
		}
		p.runtime = *fallback
	}
	if !static && fallback.family == images.Alpine {
		// cgo links musl and what the build installed: the runtime
		// installs what the binaries need by soname.
		if d := si.alpineRuntime(p, *fallback, p.build, p.artifactPaths()); d != nil {
			return nil, d
		}
	}
	if fallback != nil && fallback.family == images.Debian {
		if d := si.goDebianRuntime(p, *fallback, static); d != nil {
			return nil, d
		}
	}
	return p, nil
}

// goFallback is the runtime image for a binary that links the builder's C
// library (and for a static one that needs a shell): the builder tag's
// Alpine release or Debian slim suite; nil, and why, when the tag does not
// tell.
func (si *stageInfo) goFallback() (*runtimeImage, string) {
	tag := si.tag()
	if isAlpineTag(tag) {
		if v, ok := alpineRelease("golang", tag); ok {
			return &runtimeImage{ref: "alpine:" + v, family: images.Alpine}, ""
		}
		return nil, "the Alpine release of " + si.image.Raw + " is not in its tag, and the tag is still rebuilt (on newer releases)"
	}
	if suite, ok := tagSuite("golang", tag); ok {
		rt := debianSlim(suite)
		return &rt, ""
	}
	return nil, "dockslim does not know the Debian release of " + si.image.Raw
}

// goDebianRuntime installs CA certificates and the runtime libraries in
// the Debian fallback fb: the runtime of a cgo binary, or only the
// fallback (for a shell) of a static one. The golang images have CA
// certificates (buildpack-deps:*-scm); debian:*-slim does not.
func (si *stageInfo) goDebianRuntime(p *plan, fb runtimeImage, static bool) *decline {
	libs, d := si.apt(p.build, minbase, fb)
	if d != nil && !static {
		return d
	}
	if d != nil {
		// A static binary links no library: the fallback, only for a
		// shell, gets the certificates.
		libs = nil
	}
	fb.runs = []string{si.aptInstall(append([]string{"ca-certificates"}, libs...))}
	if static {
		p.fallback = &fb // used only when the runtime needs a shell
	} else {
		p.runtime = fb
	}
	return nil
}

// goStatic reports whether the binaries are static: CGO_ENABLED=0, or an
// Alpine builder (Go 1.20+) that installs no C compiler.
func (si *stageInfo) goStatic(builds []goBuild, alpine bool) (bool, *decline) {
	static := true
	for _, b := range builds {
		v, ok := si.env(b.c.in, &b.c, "CGO_ENABLED")
		if ok && strings.Contains(v, "$") {
			return false, declinef(b.c.in.Start, "CGO_ENABLED is set from a variable dockslim cannot follow")
		}
		if ok && v == "0" {
			continue
		}
		if !ok && alpine && !si.apkInstallsCompiler() && goMinor(si.tag()) >= 20 {
			continue
		}
		static = false
	}
	return static, nil
}

func (si *stageInfo) apkInstallsCompiler() bool {
	for _, c := range si.runCommands(nil) {
		if c.name() == "apk" {
			for _, a := range c.argv {
				if a == "gcc" || a == "build-base" || a == "clang" || a == "musl-dev" {
					return true
				}
			}
		}
	}
	return false
}

// goMinor is the minor version of a golang tag (1.22-alpine → 22), or 0.
func goMinor(tag string) int {
	v := strings.Split(strings.Split(tag, "-")[0], ".")
	if len(v) < 2 || v[0] != "1" {
		return 0
	}
	n, _ := strconv.Atoi(v[1])
	return n
}

// goOutput is the absolute path of the binary a go build writes.
func (si *stageInfo) goOutput(b goBuild) (string, *decline) {
	in := b.c.in
	if b.chdir {
		return "", declinef(in.Start, "go build -C changes directory; dockslim cannot tell where the binary goes")
	}
	for _, c := range mustCommands(in) {
		if c.name() == "cd" || c.name() == "pushd" {
			return "", declinef(in.Start, "the RUN at line %d changes directory before go build", in.StartLine)
		}
	}
	wd, ok := si.workdirAt(in)
	if !ok {
		return "", declinef(in.Start, "the WORKDIR uses a variable dockslim cannot follow")
	}
	if b.out != "" {
		if strings.HasSuffix(b.out, "/") || len(b.packages) > 1 {
			return "", declinef(in.Start, "go build -o %s writes into a directory; dockslim cannot tell the binary's name", b.out)
		}
		if strings.Contains(b.out, "$") {
			return "", declinef(in.Start, "go build -o %s uses a variable dockslim cannot follow", b.out)
		}
		return abs(wd, b.out), nil
	}
	if len(b.packages) > 1 && !strings.HasSuffix(b.packages[0], ".go") {
		return "", declinef(in.Start, "go build of several packages without -o writes no binary")
	}
	pkg := "."
	if len(b.packages) > 0 {
		pkg = b.packages[0]
	}
	switch {
	case strings.Contains(pkg, "..."):
		return "", declinef(in.Start, "go build %s builds several packages; dockslim cannot tell the binaries", pkg)
	case strings.HasSuffix(pkg, ".go"):
		return abs(wd, strings.TrimSuffix(path.Base(pkg), ".go")), nil
	case pkg != "." && pkg != "./":
		return abs(wd, path.Base(path.Clean(pkg))), nil
	}
	// The module root: the binary is named after the module path.
	if mod, ok := si.contextFile("go.mod"); ok {
		if name := goModName(string(mod)); name != "" {
			return abs(wd, name), nil
		}
		return "", declinef(in.Start, "go.mod has no module line dockslim can read")
	}
	if !si.hasContext() {
		return "", declinef(in.Start, "go build without -o names the binary after go.mod's module path, and the build context is not available")
	}
	if wd == "/" {
		return "", declinef(in.Start, "go build without -o in / : dockslim cannot tell the binary's name")
	}
	return abs(wd, path.Base(wd)), nil
}

// goModName is the binary name for a module: the last element of its path,
// skipping a /vN major-version suffix.
func goModName(mod string) string {
	for _, line := range strings.Split(mod, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "module" {
			p := strings.Trim(f[1], `"`+"`")
			elems := strings.Split(p, "/")
			last := elems[len(elems)-1]
			if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && isNumeric(last[1:]) {
				last = elems[len(elems)-2]
			}
			return last
		}
	}
	return ""
}

func mustCommands(in *parser.Instruction) []command {
	cs, _ := commandsOf(in)
	return cs
}
