package main

import (
	"reflect"
	"testing"
)

// fakeSource serves canned `apt-cache show` stanzas (abridged from bookworm).
type fakeSource map[string]string

func (f fakeSource) show(name string) *pkg { return parseShow(f[name]) }
func (f fakeSource) providers(name string) []string {
	if name == "libxslt-dev" {
		return parseProviders("Package: libxslt-dev\nReverse Provides: \nlibxslt1-dev 1.1.35-1 (= )\n")
	}
	return nil
}

var bookworm = fakeSource{
	"libpq-dev":                  "Package: libpq-dev\nVersion: 15.20-0+deb12u1\nSection: libdevel\nDepends: libpq5 (= 15.20-0+deb12u1), libssl-dev\n",
	"libpq5":                     "Package: libpq5\nVersion: 15.20-0+deb12u1\nSection: libs\nDepends: libc6 (>= 2.34)\n",
	"libssl-dev":                 "Package: libssl-dev\nSection: libdevel\nDepends: libssl3 (= 3.0.22-1~deb12u2)\n",
	"libssl3":                    "Package: libssl3\nSection: libs\n",
	"libjpeg-dev":                "Package: libjpeg-dev\nSection: libdevel\nDepends: libjpeg62-turbo-dev (>= 1:2.1.5-2)\n",
	"libjpeg62-turbo-dev":        "Package: libjpeg62-turbo-dev\nSection: libdevel\nDepends: libjpeg62-turbo (= 1:2.1.5-2)\n",
	"libjpeg62-turbo":            "Package: libjpeg62-turbo\nSection: libs\n",
	"default-libmysqlclient-dev": "Package: default-libmysqlclient-dev\nSection: database\nDepends: libmariadb-dev-compat\n",
	"libmariadb-dev-compat":      "Package: libmariadb-dev-compat\nSection: libdevel\nDepends: libmariadb-dev (= 1:10.11.19-0+deb12u1)\n",
	"libmariadb-dev":             "Package: libmariadb-dev\nSection: libdevel\nDepends: libmariadb3 (= 1:10.11.19-0+deb12u1), zlib1g-dev, libssl-dev\n",
	"libmariadb3":                "Package: libmariadb3\nSection: libs\n",
	"zlib1g-dev":                 "Package: zlib1g-dev\nSection: libdevel\nDepends: zlib1g (= 1:1.2.13.dfsg-1), libc6-dev | libc-dev\n",
	"libboost-dev":               "Package: libboost-dev\nSection: libdevel\nDepends: libboost1.74-dev\n",
	"libboost1.74-dev":           "Package: libboost1.74-dev\nSection: libdevel\nDepends: gcc-12-base (= 12.2.0-14), libstdc++-12-dev\n",
	"gcc-12-base":                "Package: gcc-12-base\nSection: libs\n",
	"libxslt1-dev":               "Package: libxslt1-dev\nSection: libdevel\nDepends: libxml2-dev (>= 2.6.26), libxslt1.1 (= 1.1.35-1)\n",
	"libxslt1.1":                 "Package: libxslt1.1\nSection: libs\n",
	"zlib1g":                     "Package: zlib1g\nSection: libs\n",
}

func TestRuntimeLibs(t *testing.T) {
	for _, tc := range []struct {
		dev  string
		want []string
	}{
		{"libpq-dev", []string{"libpq5"}},                       // the exact (=) libs dependency, not libssl-dev's
		{"libjpeg-dev", []string{"libjpeg62-turbo"}},            // a wrapper: follow the one -dev dependency
		{"default-libmysqlclient-dev", []string{"libmariadb3"}}, // two wrappers deep
		{"zlib1g-dev", []string{"zlib1g"}},                      // alternatives: first one only
		{"libxslt-dev", []string{"libxslt1.1"}},                 // a virtual name: its only provider
		{"libboost-dev", nil},                                   // gcc-12-base is no shared-object package
		{"libnothere-dev", nil},                                 // unknown
	} {
		if got := runtimeLibs(bookworm, tc.dev, 0); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.dev, got, tc.want)
		}
	}
}

func TestParseDepends(t *testing.T) {
	got := parseDepends("zlib1g (= 1:1.2.13), libc6-dev | libc-dev, libfoo:any (>= 1)")
	want := [][]dep{{{"zlib1g", true}}, {{"libc6-dev", false}, {"libc-dev", false}}, {{"libfoo", false}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
