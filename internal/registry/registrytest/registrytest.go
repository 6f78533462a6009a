// Package registrytest serves official images from go-containerregistry's
// in-process registry and builds the dockslim-registry helper, for tests of
// `--online` that make no network access. Only tests import it.
package registrytest

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// New starts a registry (plain HTTP, on loopback) holding the given
// official tags, "image:tag" → a random image of two layers of that many
// bytes each. It returns the registry's host and each tag's digest.
func New(t testing.TB, tags map[string]int64) (host string, digests map[string]string) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	digests = map[string]string{}
	for ref, size := range tags {
		img, err := random.Image(size, 2)
		if err != nil {
			t.Fatal(err)
		}
		tag, err := name.NewTag(u.Host+"/library/"+ref, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(tag, img); err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		digests[ref] = d.String()
	}
	return u.Host, digests
}

// BuildHelper builds ./cmd/dockslim-registry into dir and returns the
// binary's path.
func BuildHelper(dir string) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out := filepath.Join(dir, "dockslim-registry")
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	cmd := exec.Command(goCmd, "build", "-o", out, "github.com/dockslim/dockslim/cmd/dockslim-registry")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the dockslim-registry helper: %v\n%s", err, b)
	}
	return out, nil
}
