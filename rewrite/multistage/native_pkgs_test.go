package multistage

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// TestNativeRuntimePackageLists: the apt packages a C split's runtime stage
// installs for the libraries it copies, and the tools it leaves behind.
func TestNativeRuntimePackageLists(t *testing.T) {
	for _, c := range []struct{ src, install, dropped string }{
		{"FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential libcurl4-openssl-dev curl\nCOPY . /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n",
			"ca-certificates libcurl4", "curl"},
		{"FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential libssl-dev\nCOPY . /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n",
			"ca-certificates libssl3", ""},
		{"FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential zlib1g-dev wget\nCOPY . /src\nRUN make install PREFIX=/opt/x\nCMD [\"wget\", \"-q\", \"https://example.com\"]\n",
			"ca-certificates wget", ""},
		{"FROM buildpack-deps:bookworm-curl\nRUN apt-get update && apt-get install -y build-essential zlib1g-dev\nCOPY . /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n",
			"", ""},
	} {
		f, err := parser.Load("Dockerfile", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		si := examine(&rewrite.Context{File: f})
		got, d := si.nativeRuntimePackages(nil, debianSlim("bookworm"))
		if d != nil || strings.Join(got.install, " ") != c.install || strings.Join(got.dropped, " ") != c.dropped {
			t.Errorf("%s:\ngot install %v, dropped %v, %v; want %q, %q", c.src, got.install, got.dropped, d, c.install, c.dropped)
		}
	}
}
