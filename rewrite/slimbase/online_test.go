package slimbase

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dockslim/dockslim/images"
	"github.com/dockslim/dockslim/rewrite"
)

// useRegistry installs r as the registry client for the test.
func useRegistry(t *testing.T, r Registry) {
	t.Helper()
	registryMu.Lock()
	oldNew, oldCur := newRegistry, current
	newRegistry, current = func() Registry { return r }, nil
	registryMu.Unlock()
	t.Cleanup(func() {
		registryMu.Lock()
		newRegistry, current = oldNew, oldCur
		registryMu.Unlock()
	})
}

// countingRegistry fails every call and counts them.
type countingRegistry struct{ calls atomic.Int32 }

func (c *countingRegistry) Digest(context.Context, images.Ref) (string, error) {
	c.calls.Add(1)
	return "", errors.New("network access")
}

func (c *countingRegistry) Size(context.Context, images.Ref) (int64, error) {
	c.calls.Add(1)
	return 0, errors.New("network access")
}

type failTransport struct{ calls *atomic.Int32 }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return nil, errors.New("network access to " + r.URL.String())
}

// Without --online, no fixture makes a registry call or any HTTP request.
func TestOfflineMakesNoNetworkAccess(t *testing.T) {
	reg := &countingRegistry{}
	useRegistry(t, reg)
	var httpCalls atomic.Int32
	old := http.DefaultTransport
	http.DefaultTransport = failTransport{&httpCalls}
	t.Cleanup(func() { http.DefaultTransport = old })

	dirs, _ := filepath.Glob("../../fixtures/slimbase/*")
	if len(dirs) < 20 {
		t.Fatalf("found %d fixtures", len(dirs))
	}
	for _, dir := range dirs {
		src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
		if err != nil {
			continue
		}
		if _, err := rewrite.Run("Dockerfile", src, rewrite.Options{UnsafeFixes: true, ContextDir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	if n := reg.calls.Load(); n != 0 {
		t.Errorf("%d registry calls without --online", n)
	}
	if n := httpCalls.Load(); n != 0 {
		t.Errorf("%d HTTP requests without --online", n)
	}
}

// newTestRegistry starts go-containerregistry's in-process registry with
// the given official tags (image:tag → random image of that many bytes).
func newTestRegistry(t *testing.T, tags map[string]int64) (*ggcrRegistry, map[string]string) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	digests := map[string]string{}
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
	return &ggcrRegistry{Host: u.Host, Insecure: true}, digests
}

func TestOnlineResolvesDigestAndSizes(t *testing.T) {
	reg, digests := newTestRegistry(t, map[string]int64{"python:3.12": 4_000_000, "python:3.12-slim": 1_000_000})
	useRegistry(t, reg)
	src := "FROM python:3.12@sha256:0a4c5f8d1b7e9e4d2f7c1c3b5a6e8d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9\nCMD [\"python\"]\n"
	res, err := rewrite.Run("Dockerfile", []byte(src), rewrite.Options{UnsafeFixes: true, Online: true, Selector: rewrite.Selector{Select: []string{"DS200"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "FROM python:3.12-slim@" + digests["python:3.12-slim"] + "\n"
	if !strings.HasPrefix(string(res.Output), want) {
		t.Fatalf("output:\n%s\nwant first line %q", res.Output, want)
	}
	if len(res.Applied) != 1 {
		t.Fatalf("applied %d fixes", len(res.Applied))
	}
	fd := res.Applied[0]
	if !strings.Contains(fd.Message, "from the registry") || !strings.Contains(fd.Message, "replaced by python:3.12-slim's current one") {
		t.Errorf("message: %s", fd.Message)
	}
	if fd.SavedBytes < 5_500_000 || fd.SavedBytes > 6_500_000 {
		t.Errorf("SavedBytes = %d, want about 6 MB (two layers of 4 MB vs 1 MB)", fd.SavedBytes)
	}
}

func TestOnlineMissingTagDeclines(t *testing.T) {
	reg, _ := newTestRegistry(t, map[string]int64{"python:3.12": 1000})
	useRegistry(t, reg)
	res, err := rewrite.Run("Dockerfile", []byte("FROM python:3.12\n"), rewrite.Options{UnsafeFixes: true, Online: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Output) != "FROM python:3.12\n" {
		t.Errorf("changed:\n%s", res.Output)
	}
	found := false
	for _, fd := range res.Findings {
		found = found || fd.Rule == RuleSlimDeclined && strings.Contains(fd.Message, "the registry has no tag python:3.12-slim")
	}
	if !found {
		t.Errorf("no DS202 decline: %v", res.Findings)
	}
}
