package multistage

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/gomod"
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
- the binary is static when CGO_ENABLED=0 is set (ENV, an ARG default or the
  command's prefix), when an Alpine builder installs no C compiler (Go 1.20+
  then disables cgo), or when the build is provably cgo-free, and then the
  build gets CGO_ENABLED=0: the build context has a go.mod, no Go file go build
  compiles imports "C" or a package of a module known to need cgo
  (github.com/mattn/go-sqlite3, confluent-kafka-go, gocv, ...; a table in
  internal/gomod), no go.mod or go.sum names one, nothing else brings sources
  into the stage (COPY --from, ADD of a URL or archive, a RUN other than file
  housekeeping, package installs without -dev packages and go mod / get /
  vet / test), and the build asks for nothing that needs cgo (-race, a
  -buildmode other than exe or pie, external linking). Without the build
  context cgo stays on. (With cgo off the standard library resolves names
  and users in Go: /etc/resolv.conf, /etc/nsswitch.conf and /etc/passwd,
  which distroless ships.) A static binary is built with -trimpath and
  -ldflags="-s -w" (merged into the build's own -ldflags value, never twice):
  no file paths, symbols or debug information, a third smaller.
- a static binary runs on gcr.io/distroless/static-debian12:nonroot (CA
  certificates, tzdata, /etc/passwd; no shell, no libc; USER 65532), or on
  the plain image, as root like the original, when the stage sets its own
  USER or something shows that an unprivileged user could fail: EXPOSE of a
  port below 1024, a VOLUME (created owned by root), an absolute path outside
  /tmp and /home/nonroot named by an ENV or the command's arguments.
- when the runtime needs a shell (shell-form CMD, a user to create, a RUN) or
  cgo is on, the runtime is debian:<codename>-slim of the builder's Debian
  release (golang:1.22 and golang:1.22-bookworm → bookworm, -bullseye →
  bullseye, golang:1.25 → trixie), with ca-certificates and the runtime
  libraries of the -dev packages the build stage installed, named for that
  release (the tables of bullseye, bookworm and trixie; another release that
  needs them declines). An Alpine builder gets alpine:<its release> (from
  the tag, or from the index for a tag no longer rebuilt), which installs
  after the copy, by soname (apk add so:libsqlite3.so.0), the libraries the
  binaries link (scanelf), from its own release. An unknown release
  declines, and so does a -dev package with no known runtime library.
- the build stage's WORKDIR is not repeated in the runtime stage when nothing
  there uses it (a relative path in ENTRYPOINT / CMD / HEALTHCHECK, a COPY to
  a relative destination, a RUN).
` + explainCommon,
	Before: `FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -ldflags "-X main.version=1.0" -o /bin/server ./cmd/server
EXPOSE 8080
CMD ["/bin/server"]
go.mod:
module example.com/server

go 1.22`,
	After: `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=1.0" -o /bin/server ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /bin/server /bin/server
EXPOSE 8080
CMD ["/bin/server"]`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
	ConfigKeys:    []string{"runtime-base"},
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
	// flags are the values of its flags by name ("true" for a bool flag
	// without a value), the last one of each.
	flags map[string]string
	// ldflags is the index of the word of the last -ldflags (-1: none),
	// ldflagsEq whether its value is in the same word (-ldflags=...).
	ldflags   int
	ldflagsEq bool
}

// parseGoBuild reads a go build command of file src. Every word must be
// literal but the value of a flag other than -o and -C (-ldflags "-X
// main.version=$VERSION"), which it keeps as written.
func parseGoBuild(c command, src []byte) (goBuild, bool) {
	b := goBuild{c: c, flags: map[string]string{}, ldflags: -1}
	for i := 2; i < len(c.argv); i++ {
		a := c.argv[i]
		if !c.lit[i] {
			return b, false
		}
		if !strings.HasPrefix(a, "-") {
			b.packages = append(b.packages, a)
			continue
		}
		name, val, eq := strings.Cut(strings.TrimLeft(a, "-"), "=")
		at := i
		switch {
		case slices.Contains(goValueFlags, name) && !eq && i+1 < len(c.argv):
			i++
			val = c.argv[i]
			if !c.lit[i] {
				if name == "o" || name == "C" || c.sh == nil {
					return b, false
				}
				start, end := c.sh.Span(i)
				val = string(src[start:end])
			}
		case !eq:
			val = "true"
		}
		b.flags[name] = val
		switch name {
		case "o":
			b.out = val
		case "C":
			b.chdir = true
		case "ldflags":
			b.ldflags, b.ldflagsEq = at, eq
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
			b, ok := parseGoBuild(c, si.f.Src)
			if !ok {
				return nil, declinef(c.in.Start, "go build at line %d uses variables dockslim cannot follow", c.in.StartLine)
			}
			builds = append(builds, b)
		}
	}
	if len(builds) == 0 {
		return nil, si.toolchainAtRuntime()
	}
	p := &plan{build: builds[len(builds)-1].c.in, dropWorkdir: true}
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

	if d := si.goRuntime(p, builds); d != nil {
		return nil, d
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
		if !ok && alpine && !si.apkInstallsCompiler() && gomod.TagMinor(si.tag()) >= 20 {
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
		if name := gomod.Parse(string(mod)).BinaryName(); name != "" {
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

func mustCommands(in *parser.Instruction) []command {
	cs, _ := commandsOf(in)
	return cs
}
