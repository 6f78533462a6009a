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

	"github.com/dockslim/dockslim/internal/registry/client"
	"github.com/dockslim/dockslim/internal/registry/registrytest"
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

// helperClient asks the registry at host through a helper process, as
// dockslim does (the client finds the helper itself).
func helperClient(t *testing.T, host string) *client.Client {
	t.Helper()
	c := &client.Client{Host: host, Insecure: true}
	t.Cleanup(func() { c.Close() })
	return c
}

// online is the options of an --online run asking reg.
func online(reg Registry) rewrite.Options {
	return rewrite.Options{UnsafeFixes: true, Online: true, Env: &rewrite.Env{Registry: reg}}
}

// countingRegistry counts calls and passes them on.
type countingRegistry struct {
	inner Registry
	calls atomic.Int32
}

func (c *countingRegistry) Digest(ctx context.Context, image, tag string) (string, error) {
	c.calls.Add(1)
	return c.inner.Digest(ctx, image, tag)
}

func (c *countingRegistry) Size(ctx context.Context, image, tag string) (int64, error) {
	c.calls.Add(1)
	return c.inner.Size(ctx, image, tag)
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
	cl := &client.Client{} // the real client, on the fake helper
	t.Cleanup(func() { cl.Close() })
	reg := &countingRegistry{inner: cl}
	env := &rewrite.Env{Registry: reg}

	dirs, _ := filepath.Glob("../../fixtures/slimbase/*")
	if len(dirs) < 20 {
		t.Fatalf("found %d fixtures", len(dirs))
	}
	for _, dir := range dirs {
		src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
		if err != nil {
			continue
		}
		if _, err := testEngine(t).Run("Dockerfile", src, rewrite.Options{UnsafeFixes: true, ContextDir: dir, Env: env}); err != nil {
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
	if _, err := testEngine(t).Run("Dockerfile", []byte("FROM python:3.12\n"), rewrite.Options{Online: true, Env: env}); err != nil {
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
	opts := online(helperClient(t, host))
	opts.Selector = rewrite.Selector{Select: []string{"DS200"}}
	src := "FROM python:3.12@sha256:0a4c5f8d1b7e9e4d2f7c1c3b5a6e8d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9\nCMD [\"python\"]\n"
	res, err := testEngine(t).Run("Dockerfile", []byte(src), opts)
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
	res, err := testEngine(t).Run("Dockerfile", []byte("FROM python:3.12\n"), online(helperClient(t, host)))
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
	cl := &client.Client{}
	t.Cleanup(func() { cl.Close() })
	opts := online(cl)
	opts.Selector = rewrite.Selector{Select: []string{"DS200"}}
	src := "FROM python:3.12@sha256:0a4c5f8d1b7e9e4d2f7c1c3b5a6e8d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9\nCMD [\"python\"]\n"
	res, err := testEngine(t).Run("Dockerfile", []byte(src), opts)
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

// --online without a registry client in the Env keeps the offline fix and
// says why.
func TestOnlineWithoutRegistrySaysSo(t *testing.T) {
	opts := online(nil)
	opts.Selector = rewrite.Selector{Select: []string{"DS200"}}
	res, err := testEngine(t).Run("Dockerfile", []byte("FROM python:3.12\nCMD [\"python\"]\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 1 || !strings.Contains(res.Applied[0].Message, rewrite.ErrNoRegistry.Error()) {
		t.Fatalf("applied %v", res.Applied)
	}
}

func TestHelperRegistryNotFoundIsErrNotFound(t *testing.T) {
	useRealHelper(t)
	host, _ := registrytest.New(t, map[string]int64{"python:3.12": 1000})
	_, err := helperClient(t, host).Digest(context.Background(), "python", "3.99")
	if !errors.Is(err, errNotFound) {
		t.Errorf("err = %v, want errNotFound", err)
	}
}

// With a registry mirror, --online asks the mirror (the FROM's registry),
// not Docker Hub, for the tag, its digest and the sizes.
func TestOnlineAsksTheMirror(t *testing.T) {
	useRealHelper(t)
	host, digests := registrytest.New(t, map[string]int64{"python:3.12": 4_000_000, "python:3.12-slim": 1_000_000})
	opts := online(helperClient(t, "")) // the client's own registry is Docker Hub
	opts.Selector = rewrite.Selector{Select: []string{"DS200"}}
	opts.Bases.RegistryMirror = host + "/library"
	src := "FROM " + host + "/library/python:3.12@sha256:0a4c5f8d1b7e9e4d2f7c1c3b5a6e8d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9\n"
	res, err := testEngine(t).Run("Dockerfile", []byte(src), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := "FROM " + host + "/library/python:3.12-slim@" + digests["python:3.12-slim"] + "\n"
	if string(res.Output) != want {
		t.Fatalf("output:\n%s\nwant %q", res.Output, want)
	}
	if fd := res.Applied[0]; !strings.Contains(fd.Message, "from the registry") || fd.SavedBytes < 5_500_000 {
		t.Errorf("message %q, saving %d", fd.Message, fd.SavedBytes)
	}
}
