package main

import (
	"reflect"
	"strings"
	"testing"
)

// An abridged bookworm Packages file.
const packages = `Package: curl
Depends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u15), zlib1g (>= 1:1.1.4)

Package: libcurl4
Depends: libc6 (>= 2.34), libssl3 (>= 3.0.0)
Recommends: ca-certificates

Package: wget
Depends: libc6 (>= 2.34)
Recommends: ca-certificates
Description: retrieves files from the web
 continuation: Recommends: nothing

Package: python3-requests
Depends: python3-certifi, ca-certificates

Package: python3-certifi
Depends: ca-certificates, python3:any

Package: ca-certificates
Depends: openssl (>= 1.1.1), debconf (>= 0.5) | debconf-2.0

Package: openssl
Depends: libc6 (>= 2.34), libssl3 (>= 3.0.9)

Package: fetcher
Pre-Depends: web-client | nothing

Package: aria
Provides: web-client
Depends: wget

Package: uses-certifi
Depends: python3-certifi, wget
`

func TestLosers(t *testing.T) {
	pkgs, err := parse(strings.NewReader(packages))
	if err != nil {
		t.Fatal(err)
	}
	losers, bringers := Lists(pkgs)
	// curl through libcurl4; fetcher through the virtual web-client (aria)
	// and its wget; not uses-certifi, whose closure has ca-certificates.
	want := []string{"aria", "curl", "fetcher", "libcurl4", "wget"}
	if !reflect.DeepEqual(losers, want) {
		t.Errorf("losers = %q, want %q", losers, want)
	}
	want = []string{"ca-certificates", "python3-certifi", "python3-requests", "uses-certifi"}
	if !reflect.DeepEqual(bringers, want) {
		t.Errorf("bringers = %q, want %q", bringers, want)
	}
}

func TestRelations(t *testing.T) {
	got := relations("a (>= 1), b:any | c [amd64], d (<< 2) <!nocheck>")
	want := [][]string{{"a"}, {"b", "c"}, {"d"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("relations = %q, want %q", got, want)
	}
}

func TestBuildDeps(t *testing.T) {
	pkgs, err := parse(strings.NewReader(`Package: gcc
Depends: cpp (= 4:12.2.0-3), gcc-12
Recommends: libc6-dev | libc-dev

Package: gcc-12
Depends: libc6, binutils

Package: cpp

Package: binutils
Depends: libc6

Package: libc6
Priority: required

Package: libc6-dev
Provides: libc-dev
Depends: libc6

Package: apt
Depends: libc6

Package: unrelated
Depends: libc6
`))
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := readContents(strings.NewReader("usr/bin/gcc-12                 devel/gcc-12\nusr/bin/x86_64-linux-gnu-gcc  devel/gcc\nusr/share/doc/gcc/README devel/gcc\nbin/ld   devel/binutils,devel/other\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := BuildDeps(pkgs, []string{"gcc"}, cmds)
	want := []string{
		"binutils\t\tlibc6\t\tld",
		"cpp\t\t\t\t",
		"gcc\t\tcpp,gcc-12\tlibc6-dev\tc89,c99,cc,x86_64-linux-gnu-gcc",
		"gcc-12\t\tlibc6,binutils\t\tgcc-12",
		"libc6\tr\t\t\t",
		"libc6-dev\t\tlibc6\t\t",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("BuildDeps =\n%q\nwant\n%q", got, want)
	}
}
