package slimbase

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dockslim/dockslim/images"
	"github.com/dockslim/dockslim/registry/client"
	"github.com/dockslim/dockslim/registry/registrytest"
	"github.com/dockslim/dockslim/rewrite"
)

// envFakeHelper, when set, makes this test binary a stand-in helper that
// only leaves a file at that path, to prove that it was started.
const envFakeHelper = "SLIMBASE_TEST_FAKE_HELPER"

var helperDir string

func TestMain(m *testing.M) {
	if p := os.Getenv(envFakeHelper); p != "" {
		os.WriteFile(p, []byte("started\n"), 0o644)
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "slimbase-helper-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	helperDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	helperOnce sync.Once
	helperPath string
	helperErr  error
)

// useRealHelper builds the dockslim-registry helper (once per test binary)
// and makes the registry client find it through DOCKSLIM_REGISTRY_HELPER.
func useRealHelper(t *testing.T) {
	t.Helper()
	helperOnce.Do(func() { helperPath, helperErr = registrytest.BuildHelper(helperDir) })
	if helperErr != nil {
		t.Fatal(helperErr)
	}
	t.Setenv(client.EnvHelper, helperPath)
}

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

// useHelperRegistry makes --online ask the registry at host through a
// helper process, as dockslim does (the client finds the helper itself).
func useHelperRegistry(t *testing.T, host string) {
	t.Helper()
	c := &client.Client{Host: host, Insecure: true}
	t.Cleanup(func() { c.Close() })
	useRegistry(t, helperRegistry{c})
}

// countingRegistry counts calls and passes them on.
type countingRegistry struct {
	inner Registry
	calls atomic.Int32
}

func (c *countingRegistry) Digest(ctx context.Context, ref images.Ref) (string, error) {
	c.calls.Add(1)
	return c.inner.Digest(ctx, ref)
}

func (c *countingRegistry) Size(ctx context.Context, ref images.Ref) (int64, error) {
	c.calls.Add(1)
	return c.inner.Size(ctx, ref)
}

// Without --online, no fixture makes a registry call or starts the helper
// process. The helper here is this test binary, which only leaves a marker
// file; the end of the test checks that --online does start it.
func TestOfflineMakesNoNetworkAccess(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "started")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(client.EnvHelper, exe)
	t.Setenv(envFakeHelper, marker)
	reg := &countingRegistry{inner: newRegistry()} // the real client, on the fake helper
	useRegistry(t, reg)
	t.Cleanup(func() { reg.inner.(helperRegistry).c.Close() })

	dirs, _ := filepath.Glob("../../fixtures/slimbase/*")
	if len(dirs) < 20 {
		t.Fatalf("found %d fixtures", len(dirs))
	}
	for _, dir := range dirs {
		src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
		if err != nil {
			continue
		}
		if _, err := testEngine(t).Run("Dockerfile", src, rewrite.Options{UnsafeFixes: true, ContextDir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	if n := reg.calls.Load(); n != 0 {
		t.Errorf("%d registry calls without --online", n)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the registry helper was started without --online")
	}

	// The same with --online asks, through the helper: the checks above can fail.
	if _, err := testEngine(t).Run("Dockerfile", []byte("FROM python:3.12\n"), rewrite.Options{Online: true}); err != nil {
		t.Fatal(err)
	}
	if reg.calls.Load() == 0 {
		t.Errorf("no registry call with --online")
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the helper was not started with --online: %v", err)
	}
}

func TestOnlineResolvesDigestAndSizes(t *testing.T) {
	useRealHelper(t)
	host, digests := registrytest.New(t, map[string]int64{"python:3.12": 4_000_000, "python:3.12-slim": 1_000_000})
	useHelperRegistry(t, host)
	src := "FROM python:3.12@sha256:0a4c5f8d1b7e9e4d2f7c1c3b5a6e8d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9\nCMD [\"python\"]\n"
	res, err := testEngine(t).Run("Dockerfile", []byte(src), rewrite.Options{UnsafeFixes: true, Online: true, Selector: rewrite.Selector{Select: []string{"DS200"}}})
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
	useRealHelper(t)
	host, _ := registrytest.New(t, map[string]int64{"python:3.12": 1000})
	useHelperRegistry(t, host)
	res, err := testEngine(t).Run("Dockerfile", []byte("FROM python:3.12\n"), rewrite.Options{UnsafeFixes: true, Online: true})
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

// A registry that cannot be asked (here: no helper) leaves the fix as it is
// offline, and the finding says why, with what to install.
func TestOnlineWithoutHelperSaysSo(t *testing.T) {
	t.Setenv(client.EnvHelper, filepath.Join(t.TempDir(), "no-such-helper"))
	useRegistry(t, newRegistry())
	src := "FROM python:3.12@sha256:0a4c5f8d1b7e9e4d2f7c1c3b5a6e8d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9\nCMD [\"python\"]\n"
	res, err := testEngine(t).Run("Dockerfile", []byte(src), rewrite.Options{UnsafeFixes: true, Online: true, Selector: rewrite.Selector{Select: []string{"DS200"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(res.Output), "FROM python:3.12-slim\n") {
		t.Fatalf("output (want the offline fix):\n%s", res.Output)
	}
	if len(res.Applied) != 1 {
		t.Fatalf("applied %d fixes", len(res.Applied))
	}
	msg := res.Applied[0].Message
	for _, want := range []string{
		"--online could not ask the registry",
		"needs the dockslim-registry helper next to dockslim or on PATH (go install github.com/dockslim/dockslim/cmd/dockslim-registry)",
		"no-such-helper",
		"WARNING: the digest",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestHelperRegistryNotFoundIsErrNotFound(t *testing.T) {
	useRealHelper(t)
	host, _ := registrytest.New(t, map[string]int64{"python:3.12": 1000})
	c := &client.Client{Host: host, Insecure: true}
	defer c.Close()
	_, err := helperRegistry{c}.Digest(context.Background(), images.Ref{Image: "python", Tag: "3.99"})
	if !errors.Is(err, errNotFound) {
		t.Errorf("err = %v, want errNotFound", err)
	}
}
