package multistage

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleRust is DS402.
var RuleRust = &rewrite.Rule{
	ID:      "DS402",
	Name:    "rust-multistage",
	Summary: "a Rust image built in rust ships the toolchain; copy the binary into a small runtime stage",
	Explanation: `The rust images carry rustup, cargo, the compiler, the registry cache and the
target folder: well over a GB. The program is one binary. dockslim names the
build stage (AS build) and adds a debian:<codename>-slim runtime stage (the
builder's Debian release: rust:1.75 → bookworm, -bullseye → bullseye, a
floating tag such as rust:1 the release the official tag index gives it
(trixie), said in the finding since the tag moves on; an Alpine builder
gets alpine:<version>) that copies only the binary.

What it relies on:
- "cargo build --release" writes target/release/<name> (target/debug
  without --release, target/<triple>/... with --target, --target-dir or
  CARGO_TARGET_DIR moves it), relative to the WORKDIR;
- <name> is each binary of Cargo.toml in the build context: [[bin]] names,
  the [package] name for src/main.rs, and src/bin/*.rs (or the --bin given);
  a workspace, or no Cargo.toml, declines;
- the binary links only the C library unless a -sys crate links a native
  one: with dependencies, Cargo.lock must be in the context; openssl-sys gets
  libssl-dev's runtime library in the runtime stage, other -sys crates
  decline. ca-certificates and the runtime libraries of -dev packages the
  build stage installed are installed in the runtime stage, named for its
  release (bullseye, bookworm, trixie; another that needs any declines, as
  does an unknown -dev package). An Alpine runtime that links OpenSSL or
  what apk added installs, after the copy, by soname (apk add so:...) the
  libraries the binary links (scanelf), from its own release.
` + explainCommon,
	Before: `FROM rust:1.75
WORKDIR /app
COPY . .
RUN cargo build --release
CMD ["./target/release/hello"]`,
	After: `FROM rust:1.75 AS build
WORKDIR /app
COPY . .
RUN cargo build --release

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/target/release/hello /app/target/release/hello
CMD ["./target/release/hello"]`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
	ConfigKeys:    []string{"runtime-base"},
}

// RustPass is the multistage-rust pass.
var RustPass = newPass("rust", RuleRust, recogniseRust)

var cargoValueFlags = []string{"--bin", "--target", "--target-dir", "--profile", "--manifest-path", "-p",
	"--package", "--features", "-F", "-j", "--jobs", "--example", "--color", "--config", "-Z", "--exclude"}

// pureSys are -sys crates that bind the kernel or another OS, not a C
// library a Linux runtime must install.
var pureSys = []string{"linux-raw-sys", "windows-sys", "core-foundation-sys", "js-sys", "web-sys",
	"security-framework-sys", "errno-dragonfly", "wasi", "io-kit-sys", "mach-sys", "ntapi", "winapi"}

func recogniseRust(si *stageInfo) (*plan, *decline) {
	if si.repo() != "rust" {
		return nil, nil
	}
	var build *command
	for _, c := range si.runCommands(nil) {
		if c.name() == "cargo" && c.arg(1) == "build" {
			c := c
			build = &c
		}
	}
	if build == nil {
		return nil, si.toolchainAtRuntime()
	}
	in := build.in
	if !build.literal() {
		return nil, declinef(in.Start, "cargo build at line %d uses variables dockslim cannot follow", in.StartLine)
	}
	for _, c := range mustCommands(in) {
		if c.name() == "cd" || c.name() == "pushd" {
			return nil, declinef(in.Start, "the RUN at line %d changes directory before cargo build", in.StartLine)
		}
	}
	o, d := cargoBuildOpts(build)
	if d != nil {
		return nil, d
	}
	if v, ok := si.env(in, build, "CARGO_TARGET_DIR"); ok {
		o.targetDir = v
	}
	if v, ok := si.env(in, build, "CARGO_BUILD_TARGET"); ok {
		o.triple = v
	}
	if strings.Contains(o.targetDir+o.triple, "$") {
		return nil, declinef(in.Start, "the cargo target folder uses a variable dockslim cannot follow")
	}
	manifest, ok := si.contextFile("Cargo.toml")
	if !ok {
		return nil, declinef(in.Start, "the binary's name is in Cargo.toml, which is not in the build context")
	}
	ct := parseCargoToml(string(manifest))
	if ct.workspace {
		return nil, declinef(in.Start, "Cargo.toml is a workspace; dockslim cannot tell which binaries the image needs")
	}
	bins := o.bins
	if len(bins) == 0 || o.allBins {
		bins = append(bins, ct.bins...)
		if ct.pkg != "" && (len(ct.bins) == 0 || si.contextExists("src/main.rs")) && !hasWord(bins, ct.pkg) {
			bins = append(bins, ct.pkg)
		}
		bins = append(bins, si.contextBins()...)
	}
	if len(bins) == 0 {
		return nil, declinef(in.Start, "Cargo.toml names no binary")
	}
	sort.Strings(bins)
	bins = dedupe(bins)

	wd, ok := si.workdirAt(in)
	if !ok {
		return nil, declinef(in.Start, "the WORKDIR uses a variable dockslim cannot follow")
	}
	p := &plan{build: in}
	var outs []string
	for _, b := range bins {
		outs = append(outs, path.Join(abs(wd, o.targetDir), o.triple, o.profile, b))
	}
	p.addBinaries(outs)
	p.buildOnly = func(c command) bool {
		return c.name() == "cargo" && (c.arg(1) == "test" || c.arg(1) == "clippy" || c.arg(1) == "fmt") ||
			c.name() == "strip"
	}
	return si.rustRuntime(p, ct)
}

// cargoOpts is what a cargo build's flags say about its output.
type cargoOpts struct {
	profile, targetDir, triple string
	bins                       []string // --bin
	allBins                    bool     // --bins
}

// cargoBuildOpts reads cargo build's flags; it declines for builds of
// another package than the WORKDIR's.
func cargoBuildOpts(build *command) (cargoOpts, *decline) {
	in := build.in
	o := cargoOpts{profile: "debug", targetDir: "target"}
	for i := 2; i < len(build.argv); i++ {
		a := build.argv[i]
		name, val, eq := strings.Cut(a, "=")
		if slices.Contains(cargoValueFlags, name) && !eq && i+1 < len(build.argv) {
			i++
			val = build.argv[i]
		}
		switch name {
		case "--release", "-r":
			o.profile = "release"
		case "--profile":
			switch val {
			case "release", "dev":
				o.profile = map[string]string{"release": "release", "dev": "debug"}[val]
			default:
				o.profile = val
			}
		case "--bin":
			o.bins = append(o.bins, val)
		case "--bins":
			o.allBins = true
		case "--target":
			o.triple = val
		case "--target-dir":
			o.targetDir = val
		case "--manifest-path", "-p", "--package", "--workspace", "--all", "--example", "--examples":
			return o, declinef(in.Start, "cargo build %s: dockslim handles a single package built from the WORKDIR", name)
		}
	}
	return o, nil
}

// rustRuntime picks the runtime image for the binaries of p, with the
// native libraries they link.
func (si *stageInfo) rustRuntime(p *plan, ct cargoToml) (*plan, *decline) {
	in := p.build
	// Native libraries the binary may link.
	var extra []string
	if ct.hasDeps {
		lock, ok := si.contextFile("Cargo.lock")
		if !ok {
			return nil, declinef(in.Start, "Cargo.toml has dependencies and Cargo.lock is not in the build context, so dockslim cannot tell which native libraries the binary links")
		}
		for _, name := range lockPackages(string(lock)) {
			switch {
			case !strings.HasSuffix(name, "-sys") || slices.Contains(pureSys, name):
			case name == "openssl-sys":
				extra = append(extra, "libssl-dev") // its runtime library, named below for the runtime's release
			default:
				return nil, declinef(in.Start, "the dependency %s links a native library dockslim cannot map to a runtime package", name)
			}
		}
	}

	tag := si.tag()
	if isAlpineTag(tag) {
		v, ok := alpineRelease("rust", tag)
		if !ok {
			return nil, declinef(si.st.From.Start, "the Alpine release of %s is not in its tag, and the tag is still rebuilt (on newer releases), so dockslim cannot pick the alpine:<version> runtime whose musl the binary was built against", si.image.Raw)
		}
		rt := runtimeImage{ref: "alpine:" + v, family: images.Alpine}
		p.runtime = rt
		if len(extra) == 0 && len(si.apkDev(in)) == 0 {
			return p, nil
		}
		// OpenSSL or what apk added: installed by soname after the copy.
		if d := si.alpineRuntime(p, rt, in, p.artifactPaths()); d != nil {
			return nil, d
		}
		return p, nil
	}
	suite, ok := tagSuite("rust", tag)
	if !ok {
		if suite, ok = indexSuite("rust", tag); ok {
			note := floatingNote(si.image.Raw, si.repo(), tag, suite)
			p.describe = func(runtimeImage) string { return note }
		}
	}
	if !ok {
		return nil, declinef(si.st.From.Start, "dockslim does not know the Debian release of %s, and the binary links the builder's C library", si.image.Raw)
	}
	rt := debianSlim(suite)
	var libsOf []string
	for _, dev := range extra {
		rl, ok := devRuntimeLibs(libRelease(rt), dev)
		if !ok {
			return nil, declinef(in.Start, "the binary links %s, and dockslim knows no runtime library for it on Debian %s", dev, suite)
		}
		libsOf = append(libsOf, rl...)
	}
	extra = libsOf
	if d := si.libsOn(in.Start, extra, minbase, rt); d != nil {
		return nil, d
	}
	libs, d := si.apt(in, minbase, rt)
	if d != nil {
		return nil, d
	}
	rt.runs = []string{si.aptInstall(dedupe(append(append([]string{"ca-certificates"}, extra...), libs...)))}
	p.runtime = rt
	return p, nil
}

// cargoToml is what dockslim reads from a Cargo.toml.
type cargoToml struct {
	pkg       string
	bins      []string
	workspace bool
	hasDeps   bool
}

// parseCargoToml reads section headers and `name = "..."` keys, enough for
// [package], [[bin]], [workspace] and whether any dependency table has an
// entry; it is not a TOML parser.
func parseCargoToml(s string) cargoToml {
	var ct cargoToml
	section := ""
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[] \t")
			if section == "workspace" {
				ct.workspace = true
			}
			if _, entry := depTable(section); entry {
				ct.hasDeps = true // [dependencies.foo]
			}
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		val = tomlString(val)
		switch {
		case section == "package" && key == "name":
			ct.pkg = val
		case section == "bin" && key == "name":
			ct.bins = append(ct.bins, val)
		default:
			if table, _ := depTable(section); table {
				ct.hasDeps = true
			}
		}
	}
	return ct
}

// tomlString is the value of a basic or literal TOML string ("x" # c → x).
func tomlString(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[1 : end+1]
		}
	}
	v, _, _ = strings.Cut(v, "#")
	return strings.TrimSpace(v)
}

// depTable tells whether a section is a table of dependencies the binary
// links ([dependencies], [target.'cfg(unix)'.dependencies]) and whether it is
// one entry of such a table ([dependencies.serde]).
func depTable(section string) (table, entry bool) {
	parts := strings.Split(section, ".")
	for i, p := range parts {
		if p == "dependencies" {
			return true, i < len(parts)-1
		}
	}
	return false, false
}

// lockPackages lists the package names of a Cargo.lock.
func lockPackages(s string) []string {
	var out []string
	inPkg := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			inPkg = line == "[[package]]"
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && inPkg && strings.TrimSpace(k) == "name" {
			out = append(out, tomlString(v))
		}
	}
	return out
}

func (si *stageInfo) contextExists(name string) bool {
	if !si.hasContext() {
		return false
	}
	p, ok := rewrite.ContextPath(name)
	if !ok {
		return false
	}
	_, err := fs.Stat(si.c.BuildContext, p)
	return err == nil
}

// contextBins are the src/bin/*.rs binaries of the context.
func (si *stageInfo) contextBins() []string {
	if !si.hasContext() {
		return nil
	}
	ents, _ := fs.ReadDir(si.c.BuildContext, "src/bin")
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".rs"); ok && !e.IsDir() {
			out = append(out, n)
		}
	}
	return out
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
