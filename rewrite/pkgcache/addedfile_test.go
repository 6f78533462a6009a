package pkgcache

import (
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/rewrite"
)

// TestDownloader: the tool a stage has for the RUN that fetches an ADDed
// URL, and why none.
func TestDownloader(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"FROM buildpack-deps:bookworm\n", "curl"},
		{"FROM python:3.12\n", "curl"},
		{"FROM alpine:3.19\n", "wget"},
		{"FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y wget ca-certificates\n", "wget"},
		{"FROM debian:bookworm-slim\nRUN curl -V\n", "curl"},
		{"FROM debian:bookworm-slim\n", ""},
		{"FROM example.com/base:1\n", ""},
		{"FROM debian:bookworm-slim\nRUN if false; then curl -V; fi\n", ""},
	} {
		f := parsertest.Load(t, tc.src+"RUN true\n")
		got, why := downloader(f, f.Instructions[len(f.Instructions)-1], true)
		if got != tc.want || (got == "") == (why == "") {
			t.Errorf("%q: got %q (%s), want %q", tc.src, got, why, tc.want)
		}
	}
}

// TestAddedOf: which ADD and COPY instructions bring one file DS134 can
// follow.
func TestAddedOf(t *testing.T) {
	for _, tc := range []struct {
		line, file string
		ok         bool
	}{
		{"ADD https://e.com/a.tgz /tmp/", "/tmp/a.tgz", true},
		{"ADD https://e.com/a.tgz /opt/a.tgz", "", true}, // the RUN tells whether /opt/a.tgz is a folder
		{"ADD a.tgz /opt/", "", false},                   // a local tar: ADD unpacks it
		{"ADD a.deb /tmp/", "", false},                   // no build context: not known to be a file
		{"ADD https://e.com/r.git /src", "", false},
		{"COPY a.deb b.deb /tmp/", "", false},
		{"COPY --exclude=x a.deb /tmp/a.deb", "", false},
		{"COPY a.deb tmp/", "", false}, // relative
		{"COPY $F /tmp/", "", false},
		{"COPY --from=build /out/app.deb /tmp/app.deb", "", true},
	} {
		f := parsertest.Load(t, "FROM debian:bookworm\n"+tc.line+"\n")
		a, ok := addedOf(&rewrite.Context{File: f}, f.Instructions[1])
		if ok != tc.ok || ok && a.file != tc.file {
			t.Errorf("%s: got %q %v, want %q %v", tc.line, a.file, ok, tc.file, tc.ok)
		}
	}
}
