package main

// debian-build-deps.txt: the dependency graph of the packages Dockerfiles
// install only to build (compilers, build tools, -dev packages: the seeds)
// and of their run-time libraries, with the commands each package ships.
// The purge rules read it to bound what `apt-get purge --auto-remove` of
// build packages can take, and which commands go with it.
//
// Every package reachable from the seeds through Depends/Pre-Depends (first
// alternative, a virtual name resolved to its first provider by name) and
// Recommends (first alternative) has one line, sorted by name:
//
//	name TAB flags TAB depends TAB recommends TAB commands
//
// flags is "r" for a package every Debian image has, installed by
// debootstrap's minbase (the Depends closure of the Priority required and
// Essential packages, and apt) and so never marked auto-installed nor
// auto-removed; "" else;
// lists are comma separated. Commands are the names in bin, sbin, usr/bin
// and usr/sbin that Contents-amd64 gives the package, plus the
// alternatives Debian's maintainer scripts register for it (cc for gcc).

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
)

// alternatives are commands registered with update-alternatives, which
// Contents does not list.
var alternatives = map[string][]string{
	"gcc": {"cc", "c89", "c99"}, "g++": {"c++"}, "clang": {"cc", "c++"},
	"binutils": {"ld"}, "pkgconf": {"pkg-config"}, "gfortran": {"f95", "f77"},
}

// graph is the reachable part of the archive.
type graph struct {
	pkgs      map[string]*Package
	providers map[string][]string
}

func newGraph(pkgs map[string]*Package) *graph {
	g := &graph{pkgs: pkgs, providers: map[string][]string{}}
	for _, p := range pkgs {
		for _, v := range p.Provides {
			g.providers[v] = append(g.providers[v], p.Name)
		}
	}
	for _, ps := range g.providers {
		sort.Strings(ps)
	}
	return g
}

// resolve is the package apt installs for a name: itself, or its first
// provider.
func (g *graph) resolve(name string) string {
	if _, ok := g.pkgs[name]; ok {
		return name
	}
	if ps := g.providers[name]; len(ps) > 0 {
		return ps[0]
	}
	return ""
}

func (g *graph) resolveAll(names []string) []string {
	var out []string
	for _, n := range names {
		if r := g.resolve(n); r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// closure is the set of packages reachable from roots through Depends
// (and the first alternatives of Recommends when recs).
func (g *graph) closure(roots []string, recs bool) map[string]bool {
	seen := map[string]bool{}
	for _, n := range images.Reachable(g.resolveAll(roots), func(n string) []string {
		p := g.pkgs[n]
		if recs {
			return g.resolveAll(append(slices.Clone(p.Depends), p.RecFirst...))
		}
		return g.resolveAll(p.Depends)
	}) {
		seen[n] = true
	}
	return seen
}

// minbase is debootstrap's minbase: the Depends closure of the required
// and essential packages and apt.
func (g *graph) minbase() map[string]bool {
	roots := []string{"apt"}
	for n, p := range g.pkgs {
		if p.Required {
			roots = append(roots, n)
		}
	}
	return g.closure(roots, false)
}

// reachable is every package reachable from seeds, sorted.
func (g *graph) reachable(seeds []string) []string {
	seen := g.closure(seeds, true)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// BuildDeps renders the lines of debian-build-deps.txt.
func BuildDeps(pkgs map[string]*Package, seeds []string, commands map[string][]string) []string {
	g := newGraph(pkgs)
	base := g.minbase()
	var lines []string
	for _, n := range g.reachable(seeds) {
		p := g.pkgs[n]
		flags := ""
		if base[n] {
			flags = "r"
		}
		cmds := append(append([]string(nil), commands[n]...), alternatives[n]...)
		sort.Strings(cmds)
		lines = append(lines, strings.Join([]string{n, flags,
			strings.Join(g.resolveAll(p.Depends), ","), strings.Join(g.resolveAll(p.RecFirst), ","),
			strings.Join(dedup(cmds), ",")}, "\t"))
	}
	return lines
}

// readContents reads a Contents index: the commands (basenames in the
// bin folders) of each package.
func readContents(r io.Reader) (map[string][]string, error) {
	out := map[string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			continue
		}
		file, owners := strings.TrimSpace(line[:i]), line[i+1:]
		switch path.Dir(file) {
		case "bin", "sbin", "usr/bin", "usr/sbin":
		default:
			continue
		}
		for _, o := range strings.Split(owners, ",") {
			pkg := o[strings.LastIndexByte(o, '/')+1:]
			out[pkg] = append(out[pkg], path.Base(file))
		}
	}
	return out, sc.Err()
}

// contentsFile reads a Contents-amd64.gz (downloaded when in is "").
func contentsFile(in string) (map[string][]string, error) {
	data, err := readOrDownload(in, contentsURL)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", contentsURL, err)
	}
	return readContents(zr)
}

func writeBuildDeps(file string, lines []string, total int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Debian %s main amd64: dependency graph of build packages and their libraries (genrecommends; %d of %d packages)\n", suite, len(lines), total)
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return os.WriteFile(file, []byte(b.String()), 0o644)
}

func dedup(list []string) []string {
	var out []string
	for _, s := range list {
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}
