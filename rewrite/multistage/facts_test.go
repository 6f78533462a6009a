package multistage

import (
	"reflect"
	"strings"
	"testing"
)

// TestTagFacts: what the recognisers read from an image's name and tag.
func TestTagFacts(t *testing.T) {
	facts := map[string]func(image, tag string) (string, bool){
		"tagSuite": tagSuite, "javaVersion": javaVersion, "nativeSuite": nativeSuite}
	for _, c := range []struct {
		fact, image, tag, want string
		ok                     bool
	}{
		{"tagSuite", "golang", "1.22", "bookworm", true},
		{"tagSuite", "golang", "1.22-bookworm", "bookworm", true},
		{"tagSuite", "golang", "1.22-bullseye", "bullseye", true},
		{"tagSuite", "golang", "1.22.3", "bookworm", true},
		{"tagSuite", "golang", "1.24", "trixie", true},
		{"tagSuite", "golang", "1.22-alpine3.19", "", false},
		{"tagSuite", "golang", "latest", "", false},
		{"tagSuite", "golang", "1", "", false},
		{"tagSuite", "rust", "1.75", "bookworm", true},
		{"tagSuite", "rust", "1.80-slim-bookworm", "bookworm", true},
		{"tagSuite", "rust", "1.75-slim", "bookworm", true},
		{"tagSuite", "rust", "1.90", "trixie", true},
		{"javaVersion", "eclipse-temurin", "17-jdk", "17", true},
		{"javaVersion", "eclipse-temurin", "21", "21", true},
		{"javaVersion", "openjdk", "11-jdk-slim", "11", true},
		{"javaVersion", "maven", "latest", "", false},
		{"javaVersion", "gradle", "8.5-jdk17-jammy", "17", true},
		{"nativeSuite", "debian", "bookworm", "bookworm", true},
		{"nativeSuite", "debian", "12", "bookworm", true},
		{"nativeSuite", "debian", "latest", "", false},
		{"nativeSuite", "buildpack-deps", "bookworm-curl", "bookworm", true},
		{"nativeSuite", "gcc", "12", "bookworm", true},
	} {
		if got, ok := facts[c.fact](c.image, c.tag); got != c.want || ok != c.ok {
			t.Errorf("%s(%s, %s) = %q, %v; want %q, %v", c.fact, c.image, c.tag, got, ok, c.want, c.ok)
		}
	}
}

func TestRuntimeTags(t *testing.T) {
	node := map[string]string{"20": "20-slim", "20-bookworm": "20-bookworm-slim", "20-slim": "20-slim",
		"18-alpine": "18-alpine", "latest": "slim", "lts": "lts-slim", "20.11.1": "20.11.1-slim", "20-onbuild-x": ""}
	for tag, want := range node {
		if got, _ := nodeRuntimeTag(tag); got != want {
			t.Errorf("nodeRuntimeTag(%s) = %q, want %q", tag, got, want)
		}
	}
	py := map[string][2]string{"3.12": {"3.12-slim", "trixie"}, "3.12-bookworm": {"3.12-slim-bookworm", "bookworm"},
		"3.11-slim-bookworm": {"3.11-slim-bookworm", "bookworm"}, "3.8": {"3.8-slim", "bookworm"}, "3.11-slim": {"3.11-slim", "trixie"}}
	for tag, want := range py {
		slim, suite, _ := pythonSlimTag(tag)
		if slim != want[0] || suite != want[1] {
			t.Errorf("pythonSlimTag(%s) = %q, %q; want %v", tag, slim, suite, want)
		}
	}
	java := map[[2]string]string{{"maven", "3-eclipse-temurin-17"}: "17", {"maven", "3.8-openjdk-11"}: "11",
		{"maven", "3.9.6-eclipse-temurin-21-alpine"}: "21", {"gradle", "8.5-jdk21-alpine"}: "21", {"gradle", "jdk17"}: "17",
		{"eclipse-temurin", "17-jdk"}: "17", {"openjdk", "17"}: "17", {"openjdk", "8u342-jdk"}: "8", {"maven", "3"}: "",
		{"eclipse-temurin", "17-jre"}: ""}
	for in, want := range java {
		if got, _ := javaVersion(in[0], in[1]); got != want {
			t.Errorf("javaVersion(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCargoToml(t *testing.T) {
	got := parseCargoToml(`[package]
name = "svc" # the package
version = "0.1.0"

[[bin]]
name = "api"

[dev-dependencies]
tokio-test = "0.4"
`)
	want := cargoToml{pkg: "svc", bins: []string{"api"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if ct := parseCargoToml("[package]\nname = \"a\"\n[dependencies.serde]\nversion = \"1\"\n"); !ct.hasDeps {
		t.Errorf("[dependencies.serde] not seen as a dependency")
	}
	if ct := parseCargoToml("[workspace]\nmembers = [\"a\"]\n"); !ct.workspace {
		t.Errorf("workspace not seen")
	}
}

func TestDevRuntimeLibs(t *testing.T) {
	// The generated table must hold the pairs the issue names.
	for dev, lib := range map[string]string{"libpq-dev": "libpq5", "libmariadb-dev": "libmariadb3",
		"default-libmysqlclient-dev": "libmariadb3", "libxml2-dev": "libxml2", "libxslt1-dev": "libxslt1.1",
		"libjpeg-dev": "libjpeg62-turbo", "libpng-dev": "libpng16-16", "libffi-dev": "libffi8",
		"libssl-dev": "libssl3", "zlib1g-dev": "zlib1g", "libyaml-dev": "libyaml-0-2", "libgeos-dev": "libgeos-c1v5",
		"libgdal-dev": "libgdal32", "libcurl4-openssl-dev": "libcurl4", "libsqlite3-dev": "libsqlite3-0",
		"libmagic-dev": "libmagic1", "libldap2-dev": "libldap-2.5-0", "libsasl2-dev": "libsasl2-2"} {
		if got, _ := devRuntimeLibs("bookworm", dev); len(got) == 0 || got[0] != lib {
			t.Errorf("devRuntimeLibs(%s) = %v, want %s first", dev, got, lib)
		}
	}
	for _, dev := range []string{"libboost-dev", "", "libpq-de", "libpq-dev2", "zzz"} {
		if libs, ok := devRuntimeLibs("bookworm", dev); ok {
			t.Errorf("devRuntimeLibs(%q) = %v; want none", dev, libs)
		}
	}
	// Each release its own names; a release without a table has none.
	for _, tc := range []struct{ release, dev, lib string }{
		{"trixie", "libssl-dev", "libssl3t64"}, {"trixie", "libpq-dev", "libpq5"},
		{"bullseye", "libssl-dev", "libssl1.1"}, {"bullseye", "libffi-dev", "libffi7"},
	} {
		if got, _ := devRuntimeLibs(tc.release, tc.dev); len(got) == 0 || got[0] != tc.lib {
			t.Errorf("devRuntimeLibs(%s, %s) = %v, want %s first", tc.release, tc.dev, got, tc.lib)
		}
	}
	if libs, ok := devRuntimeLibs("buster", "libpq-dev"); ok {
		t.Errorf("devRuntimeLibs(buster) = %v; want none (no table)", libs)
	}
}

func TestIndexSuite(t *testing.T) {
	for _, c := range []struct{ repo, tag, want string }{
		{"rust", "1", "trixie"}, {"rust", "latest", "trixie"}, {"rust", "1-slim", "trixie"},
		{"rust", "1-bookworm", "bookworm"}, {"rust", "nightly", ""}, {"rust", "1-alpine", ""},
	} {
		if got, ok := indexSuite(c.repo, c.tag); got != c.want || ok != (c.want != "") {
			t.Errorf("indexSuite(%s:%s) = %q %v, want %q", c.repo, c.tag, got, ok, c.want)
		}
	}
	if n := floatingNote("rust", "rust", "latest", "trixie"); !strings.Contains(n, "pin rust:trixie") {
		t.Errorf("floatingNote latest: %s", n)
	}
	if n := floatingNote("rust:1-slim", "rust", "1-slim", "trixie"); !strings.Contains(n, "pin rust:1-slim-trixie") {
		t.Errorf("floatingNote 1-slim: %s", n)
	}
}
