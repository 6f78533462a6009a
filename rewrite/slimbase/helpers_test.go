package slimbase

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

func TestRetarget(t *testing.T) {
	for _, tc := range []struct{ src, tag, want, why string }{
		{"FROM python:3.11\n", "3.11-slim", "FROM python:3.11-slim\n", ""},
		{"FROM python\n", "slim", "FROM python:slim\n", ""},
		{"FROM docker.io/library/python:3.11 AS app\n", "3.11-slim", "FROM docker.io/library/python:3.11-slim AS app\n", ""},
		{"FROM python:3.11@sha256:abc\n", "3.11-slim", "FROM python:3.11-slim\n", ""},
		{"ARG V=3.11\nFROM python:${V}\n", "3.11-slim", "ARG V=3.11\nFROM python:${V}-slim\n", ""},
		{"ARG V=3.11\nFROM python:$V-bookworm\n", "3.11-slim-bookworm", "ARG V=3.11\nFROM python:$V-slim-bookworm\n", ""},
		{"ARG T=3.11-bookworm\nFROM python:${T}\n", "3.11-slim-bookworm", "ARG T=3.11-slim-bookworm\nFROM python:${T}\n", ""},
		{"ARG T=3.11-bookworm X=1\nFROM python:${T}\n", "3.11-slim-bookworm", "ARG T=3.11-slim-bookworm X=1\nFROM python:${T}\n", ""},
		{"ARG T=3.11-bookworm\nFROM python:${T}\nARG T\n", "3.11-slim-bookworm", "", "ARG T is used elsewhere too; changing its default would change those uses"},
		{"ARG IMG=python:3.11\nFROM ${IMG}\n", "3.11-slim", "ARG IMG=python:3.11\nFROM ${IMG}-slim\n", ""},
	} {
		f, err := parser.Load("Dockerfile", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		st := f.Stages[0]
		b, ok := resolveBase(f, st)
		if !ok {
			t.Errorf("%q: not resolved", tc.src)
			continue
		}
		edits, _, why := b.retarget(f, b.withTag(tc.tag, ""))
		if why != tc.why {
			t.Errorf("%q: why = %q, want %q", tc.src, why, tc.why)
			continue
		}
		if why != "" {
			continue
		}
		out, err := textedit.Apply(f.Src, edits)
		if err != nil || string(out) != tc.want {
			t.Errorf("%q → %q (%v), want %q", tc.src, out, err, tc.want)
		}
	}
}

func TestResolveBaseDeclines(t *testing.T) {
	for _, src := range []string{
		"FROM scratch\n",
		"ARG V\nFROM python:${V}\n",
		"FROM python:${V:-3.11}\n",
		"FROM python:3.11 AS a\nFROM a\n",
	} {
		f, err := parser.Load("Dockerfile", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := resolveBase(f, f.Stages[len(f.Stages)-1]); ok {
			t.Errorf("%q resolved to %+v", src, b)
		}
	}
}

func TestTarFilters(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"tar", "-xJf", "a.tar"}, []string{"xz"}},
		{[]string{"tar", "xjf", "a.tar"}, []string{"bzip2"}},
		{[]string{"tar", "-xf", "a.tar.xz"}, []string{"xz"}},
		{[]string{"tar", "--bzip2", "-xf", "a"}, []string{"bzip2"}},
		{[]string{"tar", "-xzf", "a.tgz"}, nil},
		{[]string{"tar", "-C", "/opt/J", "-xf", "a.tar"}, nil},
		{[]string{"gzip", "-J"}, nil},
	} {
		if got := tarFilters(tc.args); !slices.Equal(got, tc.want) {
			t.Errorf("%v → %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestRequirementName(t *testing.T) {
	for in, want := range map[string]string{
		"psycopg2==2.9.9": "psycopg2", "Foo_Bar[extra]>=1": "foo-bar", "mod_wsgi": "mod-wsgi",
		"./local": "", "git+https://x/y": "", "uWSGI ; python_version>'3'": "uwsgi",
	} {
		if got := requirementName(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func TestBookwormTwin(t *testing.T) {
	for in, want := range map[images.Ref]string{
		{Image: "python", Tag: "3.11"}:      "3.11-bookworm",
		{Image: "python", Tag: "3.11-slim"}: "3.11-slim-bookworm",
		{Image: "python", Tag: ""}:          "bookworm",
		{Image: "ruby", Tag: "3.3"}:         "3.3-bookworm",
	} {
		got, ok := bookwormTwin(in, "trixie")
		if !ok || got.Tag != want {
			t.Errorf("%v → %v %v, want %s", in, got, ok, want)
		}
	}
	for in, want := range map[images.Ref]string{
		{Image: "python", Tag: "3.11-bullseye"}:      "3.11-bookworm",
		{Image: "python", Tag: "3.11-slim-bullseye"}: "3.11-slim-bookworm",
		{Image: "node", Tag: "20-bullseye-slim"}:     "20-bookworm-slim",
	} {
		if got, ok := bookwormTwin(in, "bullseye"); !ok || got.Tag != want {
			t.Errorf("%v → %v %v, want %s", in, got, ok, want)
		}
	}
}

// TestCheckCommandReleases: trixie and bullseye pairs are answered through
// their bookworm twins, for packages of the same name in that release.
func TestCheckCommandReleases(t *testing.T) {
	trixie := [2]images.Ref{{Image: "python", Tag: "3.11"}, {Image: "python", Tag: "3.11-slim"}}
	bullseye := [2]images.Ref{{Image: "python", Tag: "3.11-bullseye"}, {Image: "python", Tag: "3.11-slim-bullseye"}}
	for _, tc := range []struct {
		pair [2]images.Ref
		cmd  string
		want images.Presence
	}{
		{trixie, "git", images.Missing}, {trixie, "pip", images.Unaffected}, {trixie, "tar", images.Unaffected},
		{trixie, "convert", images.Unknown},
		{bullseye, "git", images.Missing}, {bullseye, "apt-get", images.Unaffected},
		{bullseye, "pkg-config", images.Unknown}, {bullseye, "convert", images.Unknown},
	} {
		if got := checkCommand(tc.pair[0], tc.pair[1], tc.cmd); got.Presence != tc.want {
			t.Errorf("%v %s: %v, want %v", tc.pair[0], tc.cmd, got, tc.want)
		}
	}
}

func TestNativePath(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/local/bin": "native", "/usr/local": "native", "/usr/local/lib/python3.8/site-packages": "native",
		"/app/node_modules": "node", "/app/.venv": "native", "/wheels": "", "/out/app": "", "/usr/localx": "",
	} {
		if got := nativePath(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func TestAptInstalls(t *testing.T) {
	f, err := parser.Load("Dockerfile", []byte(`FROM debian:bookworm
RUN apt-get update && apt-get install -y curl=7.88* libc6:amd64
RUN apt-get -o Dpkg::Options::=--force-confold -y install git
RUN apt-get update
RUN apk add git
RUN ["apt-get", "install", "-y", "make"]
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ai := range aptInstalls(f, f.Stages) {
		got = append(got, fmt.Sprintf("%d:%s", line(f, ai.Off), strings.Join(ai.Pkgs, ",")))
	}
	want := []string{"2:curl,libc6", "3:git", "6:make"}
	if !slices.Equal(got, want) {
		t.Errorf("aptInstalls = %v, want %v", got, want)
	}
}
