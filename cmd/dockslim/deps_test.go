package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// dockslim must not link the network stack: go-containerregistry, net/http
// and crypto/tls (with Docker's config code) made every run start ~3.5 ms
// slower and the binary 7 MB larger, and a pre-commit hook starts dockslim
// once per commit for a flag (--online) most runs do not use. The registry
// code lives in the dockslim-registry helper (cmd/dockslim-registry), which
// --online starts through registry/client.
func TestNoNetworkStackLinked(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-tags", "urfave_cli_no_docs", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed %d packages:\n%s", len(deps), out)
	}
	found := false
	for _, p := range deps {
		found = found || p == "github.com/dockslim/dockslim/internal/registry/client"
		if p == "net/http" || p == "crypto/tls" || strings.HasPrefix(p, "github.com/google/go-containerregistry/") ||
			p == "github.com/dockslim/dockslim/internal/registry" {
			t.Errorf("dockslim links %s", p)
		}
	}
	if !found {
		t.Errorf("registry/client is not among the dependencies: the list is not dockslim's")
	}
}
