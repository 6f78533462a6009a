// Command gendevlibs writes devlibs_table.go: for each curated Debian -dev
// package, the runtime (shared-library) packages a program built against it
// needs at run time. It reads Debian's own package metadata with apt-cache on
// the machine it runs on (run `apt-get update` first), so the table is the
// archive's word, not a guess:
//
//   - the runtime library of a -dev package is the package it Depends on with
//     an exact version (`libpq5 (= 15.x)`) whose Section is "libs": a -dev
//     package pins the shared-object package (lib*N) it is the headers of;
//   - when a -dev package has no such dependency it is a wrapper (libjpeg-dev
//     → libjpeg62-turbo-dev, default-libmysqlclient-dev →
//     libmariadb-dev-compat → libmariadb-dev): its -dev dependencies are
//     followed until one pins its library;
//   - a virtual name (libxslt-dev) resolves to its only provider.
//
// Usage (from images): go generate, or
//
//	go run ./internal/gendevlibs -o devlibs_table.go
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// curated are the -dev packages Dockerfiles commonly install to build
// Python wheels, Go cgo, Rust -sys crates and C programs.
var curated = []string{
	"libpq-dev", "libmariadb-dev", "libmariadb-dev-compat", "default-libmysqlclient-dev",
	"libxml2-dev", "libxslt1-dev", "libxslt-dev", "libjpeg-dev", "libjpeg62-turbo-dev",
	"libpng-dev", "libffi-dev", "libssl-dev", "zlib1g-dev", "libz-dev", "libyaml-dev",
	"libgeos-dev", "libgdal-dev", "libproj-dev", "libcurl4-openssl-dev", "libcurl4-gnutls-dev",
	"libsqlite3-dev", "libmagic-dev", "libldap2-dev", "libldap-dev", "libsasl2-dev",
	"libbz2-dev", "liblzma-dev", "libzstd-dev", "liblz4-dev", "libsnappy-dev",
	"libreadline-dev", "libncurses-dev", "libncursesw5-dev", "libgdbm-dev", "uuid-dev",
	"libtiff-dev", "libwebp-dev", "libfreetype6-dev", "libfreetype-dev", "liblcms2-dev",
	"libopenjp2-7-dev", "libharfbuzz-dev", "libfribidi-dev", "libimagequant-dev",
	"libpcre3-dev", "libpcre2-dev", "libevent-dev", "libgmp-dev", "libkrb5-dev",
	"libsodium-dev", "libzmq3-dev", "libhdf5-dev", "libopenblas-dev", "liblapack-dev",
	"libblas-dev", "libglib2.0-dev", "libcairo2-dev", "libexpat1-dev", "libedit-dev",
	"libxmlsec1-dev", "unixodbc-dev", "freetds-dev", "libaio-dev", "libcap-dev",
	"libseccomp-dev", "libmemcached-dev", "librdkafka-dev", "libhiredis-dev", "libuv1-dev",
	"libmaxminddb-dev", "libgeoip-dev", "libspatialite-dev", "libsystemd-dev",
	"libprotobuf-dev", "libgflags-dev", "libgoogle-glog-dev", "libboost-dev",
	"libmpfr-dev", "libmpc-dev", "libgnutls28-dev", "libnghttp2-dev", "libidn2-dev",
	"libpsl-dev", "libbrotli-dev", "libdb-dev", "libgpgme-dev", "libassuan-dev",
	"libgcrypt20-dev", "libgpg-error-dev", "libusb-1.0-0-dev", "libudev-dev", "libpcap-dev",
	"libnl-3-dev", "libmnl-dev", "libjansson-dev", "libjson-c-dev", "libcjson-dev",
	"libargon2-dev", "libonig-dev", "libzip-dev", "libicu-dev", "libtidy-dev",
	"libxpm-dev", "libvpx-dev", "libavif-dev", "libheif-dev", "libgif-dev",
	"libmagickwand-dev", "libvips-dev", "libpoppler-cpp-dev", "libtesseract-dev",
	"libleptonica-dev",
}

type pkg struct {
	name, version, section string
	depends                [][]dep // each entry: alternatives
}

type dep struct {
	name  string
	exact bool // (= version)
}

// parseShow reads the first stanza of `apt-cache show --no-all-versions`.
func parseShow(text string) *pkg {
	var p pkg
	for _, line := range strings.Split(text, "\n") {
		if line == "" && p.name != "" {
			break
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		switch k {
		case "Package":
			p.name = v
		case "Version":
			p.version = v
		case "Section":
			p.section = v
		case "Depends":
			p.depends = parseDepends(v)
		}
	}
	if p.name == "" {
		return nil
	}
	return &p
}

// parseDepends reads "a (= 1), b | c (>= 2)".
func parseDepends(v string) [][]dep {
	var out [][]dep
	for _, group := range strings.Split(v, ",") {
		var alts []dep
		for _, alt := range strings.Split(group, "|") {
			alt = strings.TrimSpace(alt)
			name, rest, _ := strings.Cut(alt, " ")
			name, _, _ = strings.Cut(name, ":") // arch qualifier
			alts = append(alts, dep{name: name, exact: strings.HasPrefix(strings.TrimSpace(rest), "(= ")})
		}
		out = append(out, alts)
	}
	return out
}

// parseProviders reads the "Reverse Provides:" section of `apt-cache showpkg`.
func parseProviders(text string) []string {
	_, rest, ok := strings.Cut(text, "Reverse Provides: \n")
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(rest, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			break
		}
		if !seen[f[0]] {
			seen[f[0]] = true
			out = append(out, f[0])
		}
	}
	return out
}

// source abstracts apt-cache for tests.
type source interface {
	show(name string) *pkg
	providers(name string) []string
}

type aptCache struct{ cache map[string]*pkg }

func (a *aptCache) show(name string) *pkg {
	if p, ok := a.cache[name]; ok {
		return p
	}
	out, _ := exec.Command("apt-cache", "show", "--no-all-versions", name).Output()
	p := parseShow(string(out))
	a.cache[name] = p
	return p
}

func (a *aptCache) providers(name string) []string {
	out, _ := exec.Command("apt-cache", "showpkg", name).Output()
	return parseProviders(string(out))
}

// resolve returns the real package for a name (following a virtual name to
// its single provider).
func resolve(src source, name string) *pkg {
	if p := src.show(name); p != nil {
		return p
	}
	if prov := src.providers(name); len(prov) == 1 {
		return src.show(prov[0])
	}
	return nil
}

// isLibName reports whether a package is named like a shared-object package
// (lib*, zlib1g): a -dev package's exact dependency on a *-base or *-common
// package is not its library.
func isLibName(name string) bool {
	return strings.HasPrefix(name, "lib") || strings.HasPrefix(name, "zlib")
}

// runtimeLibs applies the rule in the package comment.
func runtimeLibs(src source, name string, depth int) []string {
	p := resolve(src, name)
	if p == nil || depth > 4 {
		return nil
	}
	var libs, devs []string
	for _, alts := range p.depends {
		d := alts[0]
		if d.exact {
			if q := src.show(d.name); q != nil && q.section == "libs" && isLibName(d.name) {
				libs = append(libs, d.name)
				continue
			}
		}
		if strings.Contains(d.name, "-dev") && d.name != "libc6-dev" && d.name != "libc-dev" {
			devs = append(devs, d.name)
		}
	}
	if len(libs) > 0 {
		return libs
	}
	// A wrapper: follow -dev dependencies only when there is exactly one,
	// so that a package that merely pulls in other headers maps to nothing.
	if len(devs) == 1 {
		return runtimeLibs(src, devs[0], depth+1)
	}
	return nil
}

func main() {
	out := flag.String("o", "devlibs_table.go", "output file")
	flag.Parse()
	src := &aptCache{cache: map[string]*pkg{}}
	if src.show("libc6") == nil {
		log.Fatal("apt-cache knows no libc6: run apt-get update first")
	}
	release := "unknown"
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VERSION_CODENAME="); ok {
				release = v
			}
		}
	}
	names := append([]string(nil), curated...)
	sort.Strings(names)
	var b bytes.Buffer
	var skipped []string
	fmt.Fprintf(&b, "// Code generated by gendevlibs from apt-cache on Debian %s; DO NOT EDIT.\n\n", release)
	fmt.Fprintf(&b, "package images\n\n")
	fmt.Fprintf(&b, "// devLibsRelease is the Debian release the table was generated on.\n")
	fmt.Fprintf(&b, "const devLibsRelease = %q\n\n", release)
	fmt.Fprintf(&b, "// devRuntimeTable lists, sorted by name, the runtime library packages a\n")
	fmt.Fprintf(&b, "// program built against a -dev package needs (see gendevlibs for the\n")
	fmt.Fprintf(&b, "// rule). A sorted array, not a map: the linker lays it out, so starting\n")
	fmt.Fprintf(&b, "// dockslim costs nothing for it. Look it up with DevRuntimeLibs.\n")
	fmt.Fprintf(&b, "var devRuntimeTable = [...]devLibs{\n")
	for _, n := range names {
		p := resolve(src, n)
		if p == nil {
			log.Printf("skip %s: not in the archive", n)
			continue
		}
		libs := runtimeLibs(src, n, 0)
		if len(libs) == 0 {
			log.Printf("skip %s: no runtime library found", n)
			skipped = append(skipped, n)
			continue
		}
		q := make([]string, len(libs))
		for i, l := range libs {
			q[i] = fmt.Sprintf("%q", l)
		}
		via := ""
		if p.name != n {
			via = " via " + p.name
		}
		fmt.Fprintf(&b, "\t// %s %s%s\n\t{%q, []string{%s}},\n", p.name, p.version, via, n, strings.Join(q, ", "))
	}
	fmt.Fprintf(&b, "}\n\n")
	fmt.Fprintf(&b, "// devNoRuntimeLib are curated -dev packages with no runtime library\n")
	fmt.Fprintf(&b, "// (header-only, or wrappers of several): building against them leaves\n")
	fmt.Fprintf(&b, "// nothing to install at run time, or dockslim cannot tell what.\n")
	fmt.Fprintf(&b, "var devNoRuntimeLib = %#v\n", skipped)
	src2, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src2, 0o644); err != nil {
		log.Fatal(err)
	}
}
