// Command genrecommends writes lists of Debian bookworm (main, amd64)
// packages to internal/images/data.
//
// debian-loses-ca-certs.txt: the packages that, installed with
// `apt-get install --no-install-recommends`, leave the image without
// ca-certificates although a package they pull in recommends it, so that
// https clients (curl, wget, git, gnupg's dirmngr...) fail with "unable to
// get local issuer certificate" (curl exit 77).
//
// A package P is listed when some package in the Depends/Pre-Depends closure
// of P (P included) has ca-certificates in its Recommends, and ca-certificates
// is not itself in that closure. The closure takes the first alternative of
// `a | b`, ignores versions and architecture qualifiers, and resolves a
// virtual name (one only Provided) to one provider: the first by name.
//
// debian-brings-ca-certs.txt: the packages whose Depends/Pre-Depends closure
// (same reading) contains ca-certificates, so that installing them, with or
// without Recommends, installs it (python3-requests, python3-pip...).
//
// It reads the archive's own index, downloaded by this generator (never at
// test time):
//
//	http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz
//
// debian-build-deps.txt: the dependency graph and commands of the build
// packages (builddeps.go), also from Contents-amd64.gz:
//
//	http://deb.debian.org/debian/dists/bookworm/main/Contents-amd64.gz
//
// Usage (run by "go generate ./internal/images"; needs xz(1) to decompress):
//
//	go run ./internal/images/internal/genrecommends [-in Packages.xz] [-contents Contents-amd64.gz] [-out internal/images/data]
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/images/internal/modroot"
)

const (
	suite = "bookworm"
	url   = "http://deb.debian.org/debian/dists/" + suite + "/main/binary-amd64/Packages.xz"
	// contentsURL is the file list of every package, for debian-build-deps.txt.
	contentsURL = "http://deb.debian.org/debian/dists/" + suite + "/main/Contents-amd64.gz"
	caPkg       = "ca-certificates"
	// libcDev is what gcc Recommends to compile C at all (headers, crt1.o).
	libcDev = "libc6-dev"
)

func main() {
	in := flag.String("in", "", "a local Packages.xz (default: download "+url+")")
	contents := flag.String("contents", "", "a local Contents-amd64.gz (default: download "+contentsURL+")")
	out := flag.String("out", "", "output folder (default <module root>/internal/images/data)")
	flag.Parse()
	if err := run(*in, *contents, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genrecommends:", err)
		os.Exit(1)
	}
}

func run(in, contents, out string) error {
	if out == "" {
		root, err := modroot.Find()
		if err != nil {
			return err
		}
		out = filepath.Join(root, "internal", "images", "data")
	}
	xzData, err := readOrDownload(in, url)
	if err != nil {
		return err
	}
	cmd := exec.Command("xz", "-dc")
	cmd.Stdin = bytes.NewReader(xzData)
	text, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("xz -dc: %w", err)
	}
	pkgs, err := parse(bytes.NewReader(text))
	if err != nil {
		return err
	}
	for _, t := range []struct{ pkg, file string }{{caPkg, "ca-certs"}, {libcDev, "libc6-dev"}} {
		losers, bringers := ListsFor(pkgs, t.pkg)
		if err := write(filepath.Join(out, "debian-loses-"+t.file+".txt"), losers, len(pkgs),
			"packages whose --no-install-recommends install loses "+t.pkg); err != nil {
			return err
		}
		if err := write(filepath.Join(out, "debian-brings-"+t.file+".txt"), bringers, len(pkgs),
			"packages whose Depends closure has "+t.pkg); err != nil {
			return err
		}
	}
	cmds, err := contentsFile(contents)
	if err != nil {
		return err
	}
	return writeBuildDeps(filepath.Join(out, "debian-build-deps.txt"), BuildDeps(pkgs, images.BuildDepsSeeds(), cmds), len(pkgs))
}

func write(file string, names []string, total int, what string) error {
	var b strings.Builder
	// The header sorts before every package name ('#' < '0' < 'a').
	fmt.Fprintf(&b, "# Debian %s main amd64: %s (genrecommends; %d of %d packages)\n", suite, what, len(names), total)
	for _, n := range names {
		b.WriteString(n + "\n")
	}
	return os.WriteFile(file, []byte(b.String()), 0o644)
}

// readOrDownload reads the file in, or downloads u when in is "".
func readOrDownload(in, u string) ([]byte, error) {
	if in != "" {
		return os.ReadFile(in)
	}
	return download(u)
}

func download(u string) ([]byte, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// Package is the part of a Packages stanza the generators read.
type Package struct {
	Name       string
	Depends    []string // first alternative of each group, Depends then Pre-Depends
	Recommends []string // every alternative
	// RecFirst is the first alternative of each Recommends group: what a
	// recommends install brings.
	RecFirst []string
	Provides []string
	// Required: Priority required or Essential (in every Debian image).
	Required bool
}

// parse reads a Packages file.
func parse(r io.Reader) (map[string]*Package, error) {
	pkgs := map[string]*Package{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var cur *Package
	flush := func() {
		if cur != nil && cur.Name != "" {
			if _, dup := pkgs[cur.Name]; !dup {
				pkgs[cur.Name] = cur
			}
		}
		cur = nil
	}
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // a continuation (Description)
		}
		if cur == nil {
			cur = &Package{}
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Package":
			cur.Name = v
		case "Depends", "Pre-Depends":
			for _, g := range relations(v) {
				cur.Depends = append(cur.Depends, g[0])
			}
		case "Recommends":
			for _, g := range relations(v) {
				cur.Recommends = append(cur.Recommends, g...)
				cur.RecFirst = append(cur.RecFirst, g[0])
			}
		case "Priority":
			cur.Required = cur.Required || v == "required"
		case "Essential":
			cur.Required = cur.Required || v == "yes"
		case "Provides":
			for _, g := range relations(v) {
				cur.Provides = append(cur.Provides, g...)
			}
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, errors.New("no packages in the index")
	}
	return pkgs, nil
}

// relations reads "a (>= 1), b:any | c" into [[a] [b c]].
func relations(v string) [][]string {
	var out [][]string
	for _, group := range strings.Split(v, ",") {
		var alts []string
		for _, alt := range strings.Split(group, "|") {
			alt = strings.TrimSpace(alt)
			if i := strings.IndexAny(alt, " ([<"); i >= 0 {
				alt = alt[:i]
			}
			alt, _, _ = strings.Cut(alt, ":")
			if alt != "" {
				alts = append(alts, alt)
			}
		}
		if len(alts) > 0 {
			out = append(out, alts)
		}
	}
	return out
}

// Lists applies the rules of the package comment and returns the sorted
// names of the packages that lose ca-certificates and of those that bring it.
func Lists(pkgs map[string]*Package) (losers, bringers []string) { return ListsFor(pkgs, caPkg) }

// ListsFor is Lists for another recommended package than ca-certificates.
func ListsFor(pkgs map[string]*Package, target string) (losers, bringers []string) {
	providers := map[string][]string{}
	for _, p := range pkgs {
		for _, v := range p.Provides {
			providers[v] = append(providers[v], p.Name)
		}
	}
	for _, ps := range providers {
		sort.Strings(ps)
	}
	resolve := func(name string) *Package {
		if p := pkgs[name]; p != nil {
			return p
		}
		if ps := providers[name]; len(ps) > 0 {
			return pkgs[ps[0]]
		}
		return nil
	}
	seen := map[string]bool{}
	for name, p := range pkgs {
		clear(seen)
		recommends, hasCA := false, false
		stack := []*Package{p}
		seen[p.Name] = true
		for len(stack) > 0 {
			q := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if q.Name == target {
				hasCA = true
				break
			}
			for _, r := range q.Recommends {
				if r == target {
					recommends = true
				}
			}
			for _, d := range q.Depends {
				if r := resolve(d); r != nil && !seen[r.Name] {
					seen[r.Name] = true
					stack = append(stack, r)
				}
			}
		}
		switch {
		case hasCA:
			bringers = append(bringers, name)
		case recommends:
			losers = append(losers, name)
		}
	}
	sort.Strings(losers)
	sort.Strings(bringers)
	return losers, bringers
}
