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
//	go run ./internal/gendevlibs -release trixie -o devlibs_trixie.go
//
// -release reads another Debian release: its package lists are downloaded
// (from the mirror the host's apt sources name) into a folder of their
// own, and the file lists only how its table differs from the host's
// (devRuntimeTableTrixie, devGoneTrixie).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// aptCache asks apt-cache; opts point it at another release's lists.
type aptCache struct {
	cache map[string]*pkg
	opts  []string
}

func (a *aptCache) show(name string) *pkg {
	if p, ok := a.cache[name]; ok {
		return p
	}
	a.prefetch([]string{name})
	return a.cache[name]
}

// prefetch asks apt-cache about many packages in one call (each call reads
// the whole package list: seconds), and then about the packages they
// depend on, a few levels deep; names apt-cache does not know are cached
// as nil.
func (a *aptCache) prefetch(names []string) {
	for depth := 0; depth < 5 && len(names) > 0; depth++ {
		var ask []string
		for _, n := range names {
			if _, ok := a.cache[n]; !ok && !slices.Contains(ask, n) {
				ask = append(ask, n)
			}
		}
		if len(ask) == 0 {
			return
		}
		// An unknown name makes apt-cache exit non-zero; the others are
		// still printed.
		out, _ := exec.Command("apt-cache", append(append(a.opts, "show", "--no-all-versions"), ask...)...).Output()
		for _, n := range ask {
			a.cache[n] = nil
		}
		names = nil
		for _, stanza := range strings.Split(string(out), "\n\n") {
			if p := parseShow(stanza); p != nil {
				a.cache[p.name] = p
				for _, alts := range p.depends {
					names = append(names, alts[0].name)
				}
			}
		}
	}
}

func (a *aptCache) providers(name string) []string {
	out, _ := exec.Command("apt-cache", append(a.opts, "showpkg", name)...).Output()
	return parseProviders(string(out))
}

// releaseLists downloads the package lists of another Debian release into
// a folder of its own (the host's apt state is left alone), from the
// mirror the host's apt sources name, and returns the apt options that
// read them.
func releaseLists(release string) ([]string, error) {
	mirror, err := hostMirror()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(os.TempDir(), "gendevlibs-"+release)
	for _, d := range []string{"lists/partial", "cache/archives/partial", "parts"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	list := fmt.Sprintf("deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n", mirror, release)
	if err := os.WriteFile(filepath.Join(dir, "sources.list"), []byte(list), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "status"), nil, 0o644); err != nil {
		return nil, err
	}
	opts := []string{"-o", "Dir::Etc::SourceList=" + filepath.Join(dir, "sources.list"),
		"-o", "Dir::Etc::SourceParts=" + filepath.Join(dir, "parts"),
		"-o", "Dir::State::Lists=" + filepath.Join(dir, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(dir, "cache"),
		"-o", "Dir::State::Status=" + filepath.Join(dir, "status")}
	cmd := exec.Command("apt-get", append(opts, "update")...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return opts, cmd.Run()
}

// hostMirror is the Debian mirror of the host's apt sources (deb822
// "URIs:" or a one-line "deb URI suite" entry).
func hostMirror() (string, error) {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	files = append(files, "/etc/apt/sources.list")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			fields := strings.Fields(l)
			switch {
			case len(fields) >= 2 && fields[0] == "URIs:" && strings.HasSuffix(fields[1], "/debian"):
				return fields[1], nil
			case len(fields) >= 3 && fields[0] == "deb" && strings.HasSuffix(fields[1], "/debian"):
				return fields[1], nil
			}
		}
	}
	return "", fmt.Errorf("no Debian mirror in the host's apt sources")
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
	other := flag.String("release", "", "another Debian release (trixie): its lists are downloaded into a folder of their own, and the file lists only where it differs from the host's table")
	flag.Parse()
	host := &aptCache{cache: map[string]*pkg{}}
	if host.show("libc6") == nil {
		log.Fatal("apt-cache knows no libc6: run apt-get update first")
	}
	hostRows, hostSkipped := table(host)
	release := hostRelease()
	var code []byte
	if *other == "" || *other == release {
		code = hostFile(release, hostRows, hostSkipped)
	} else {
		opts, err := releaseLists(*other)
		if err != nil {
			log.Fatalf("package lists of %s: %v", *other, err)
		}
		src := &aptCache{cache: map[string]*pkg{}, opts: opts}
		if src.show("libc6") == nil {
			log.Fatalf("no package lists of %s", *other)
		}
		rows, _ := table(src)
		code = deltaFile(*other, release, rows, hostRows)
	}
	src2, err := format.Source(code)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src2, 0o644); err != nil {
		log.Fatal(err)
	}
}

// row is one -dev package and its runtime libraries.
type row struct {
	dev, comment string
	libs         []string
}

// table computes the rows of the curated -dev packages that have runtime
// libraries, sorted, and the names that have none.
func table(src *aptCache) (rows []row, skipped []string) {
	names := append([]string(nil), curated...)
	sort.Strings(names)
	src.prefetch(names)
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
		via := ""
		if p.name != n {
			via = " via " + p.name
		}
		rows = append(rows, row{dev: n, comment: p.name + " " + p.version + via, libs: libs})
	}
	return rows, skipped
}

func writeRows(b *bytes.Buffer, rows []row) {
	for _, r := range rows {
		q := make([]string, len(r.libs))
		for i, l := range r.libs {
			q[i] = fmt.Sprintf("%q", l)
		}
		fmt.Fprintf(b, "\t// %s\n\t{%q, []string{%s}},\n", r.comment, r.dev, strings.Join(q, ", "))
	}
}

// hostFile is the table of the host's release.
func hostFile(release string, rows []row, skipped []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gendevlibs from apt-cache on Debian %s; DO NOT EDIT.\n\n", release)
	fmt.Fprintf(&b, "package images\n\n")
	fmt.Fprintf(&b, "// devLibsRelease is the Debian release the table was generated on.\n")
	fmt.Fprintf(&b, "const devLibsRelease = %q\n\n", release)
	fmt.Fprintf(&b, "// devRuntimeTable lists, sorted by name, the runtime library packages a\n")
	fmt.Fprintf(&b, "// program built against a -dev package needs (see gendevlibs for the\n")
	fmt.Fprintf(&b, "// rule). A sorted array, not a map: the linker lays it out, so starting\n")
	fmt.Fprintf(&b, "// dockslim costs nothing for it. Look it up with DevRuntimeLibs.\n")
	fmt.Fprintf(&b, "var devRuntimeTable = [...]devLibs{\n")
	writeRows(&b, rows)
	fmt.Fprintf(&b, "}\n\n")
	fmt.Fprintf(&b, "// devNoRuntimeLib are curated -dev packages with no runtime library\n")
	fmt.Fprintf(&b, "// (header-only, or wrappers of several): building against them leaves\n")
	fmt.Fprintf(&b, "// nothing to install at run time, or dockslim cannot tell what.\n")
	fmt.Fprintf(&b, "var devNoRuntimeLib = %#v\n", skipped)
	return b.Bytes()
}

// deltaFile is another release's table, as its differences from the
// host's: the rows whose libraries differ or that the host lacks, and the
// host's -dev packages that have none there.
func deltaFile(release, host string, rows, hostRows []row) []byte {
	suffix := strings.ToUpper(release[:1]) + release[1:]
	var diff []row
	var gone []string
	for _, r := range rows {
		i := slices.IndexFunc(hostRows, func(h row) bool { return h.dev == r.dev })
		if i < 0 || !slices.Equal(hostRows[i].libs, r.libs) {
			diff = append(diff, r)
		}
	}
	for _, h := range hostRows {
		if !slices.ContainsFunc(rows, func(r row) bool { return r.dev == h.dev }) {
			gone = append(gone, h.dev)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gendevlibs from apt-cache on Debian %s; DO NOT EDIT.\n\n", release)
	fmt.Fprintf(&b, "package images\n\n")
	fmt.Fprintf(&b, "// devRuntimeTable%s lists, sorted by name, the -dev packages whose\n", suffix)
	fmt.Fprintf(&b, "// runtime libraries on Debian %s differ from devRuntimeTable's (%s);\n", release, host)
	fmt.Fprintf(&b, "// the others have the same. Look it up with DevRuntimeLibsOn.\n")
	fmt.Fprintf(&b, "var devRuntimeTable%s = [...]devLibs{\n", suffix)
	writeRows(&b, diff)
	fmt.Fprintf(&b, "}\n\n")
	fmt.Fprintf(&b, "// devGone%s are the -dev packages of devRuntimeTable that have no\n", suffix)
	fmt.Fprintf(&b, "// runtime library dockslim knows on Debian %s.\n", release)
	fmt.Fprintf(&b, "var devGone%s = %#v\n", suffix, gone)
	return b.Bytes()
}

// hostRelease is the codename of the Debian release the host runs.
func hostRelease() string {
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VERSION_CODENAME="); ok {
				return v
			}
		}
	}
	return "unknown"
}
