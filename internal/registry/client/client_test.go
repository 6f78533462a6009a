package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockslim/dockslim/internal/registry/protocol"
)

// envFake, when set, makes this test binary a stand-in helper behaving as
// its value says (see fakeHelper).
const envFake = "CLIENT_TEST_FAKE_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(envFake); mode != "" {
		os.Exit(fakeHelper(mode))
	}
	os.Exit(m.Run())
}

// fakeHelper speaks the protocol without a registry:
//   - echo: answers each request after a random delay (so out of order) with
//     a digest that spells what was asked; image "missing" is not found.
//   - die: reads one request, says "boom" on stderr and exits 3.
//   - hang: reads requests and never answers.
//   - garbage: answers with a line that is not JSON.
func fakeHelper(mode string) int {
	sc := bufio.NewScanner(os.Stdin)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for sc.Scan() {
		var req protocol.Request
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			return 4
		}
		switch mode {
		case "die":
			fmt.Fprintln(os.Stderr, "boom: the helper crashed")
			return 3
		case "hang":
			continue
		case "garbage":
			fmt.Println("hello")
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			r := protocol.Response{ID: req.ID}
			if req.Image == "missing" {
				r.NotFound, r.Error = true, "MANIFEST_UNKNOWN"
			} else {
				r.Digest = fmt.Sprintf("sha256:%s %s/%s:%s %v", req.Op, req.Host, req.Image, req.Tag, req.Insecure)
				r.Size = int64(len(req.Image) * 1000)
			}
			b, _ := json.Marshal(r)
			mu.Lock()
			os.Stdout.Write(append(b, '\n'))
			mu.Unlock()
		}()
	}
	wg.Wait()
	return 0
}

// fake returns a client on this test binary acting as helper in mode.
func fake(t *testing.T, mode string) *Client {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envFake, mode)
	c := &Client{Path: exe, Host: "registry.test:5000", Insecure: true}
	t.Cleanup(func() { c.Close() })
	return c
}

// Many goroutines ask at once; answers come back out of order and each
// call gets its own (matched by id), with Host and Insecure sent.
func TestClientMatchesAnswersConcurrently(t *testing.T) {
	c := fake(t, "echo")
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			image, tag := fmt.Sprintf("img%d", i), fmt.Sprintf("t%d", i%5)
			d, err := c.Digest(context.Background(), image, tag)
			if want := fmt.Sprintf("sha256:digest registry.test:5000/%s:%s true", image, tag); err != nil || d != want {
				t.Errorf("Digest(%s, %s) = %q, %v; want %q", image, tag, d, err, want)
			}
			n, err := c.Size(context.Background(), image, tag)
			if want := int64(len(image) * 1000); err != nil || n != want {
				t.Errorf("Size(%s) = %d, %v; want %d", image, n, err, want)
			}
		}()
	}
	wg.Wait()
}

func TestClientNotFound(t *testing.T) {
	c := fake(t, "echo")
	_, err := c.Digest(context.Background(), "missing", "1")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "MANIFEST_UNKNOWN") {
		t.Errorf("err = %v, want ErrNotFound with the registry's words", err)
	}
	if _, err := c.Digest(context.Background(), "python", "3"); err != nil {
		t.Errorf("after a not-found: %v", err)
	}
}

// A helper that dies mid-request fails the call (and later ones) at once,
// with its exit status and what it said; nothing hangs.
func TestClientHelperDies(t *testing.T) {
	c := fake(t, "die")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Digest(ctx, "python", "3")
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the helper's death", err)
	}
	for _, want := range []string{"dockslim-registry helper", "exit status 3", "boom: the helper crashed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	if _, err2 := c.Size(ctx, "python", "3"); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("next call: %v, want the same error", err2)
	}
}

func TestClientGarbageAnswer(t *testing.T) {
	c := fake(t, "garbage")
	_, err := c.Digest(context.Background(), "python", "3")
	if err == nil || !strings.Contains(err.Error(), "unreadable answer") {
		t.Errorf("err = %v", err)
	}
}

// A call gives up with its context; Close ends the calls in flight.
func TestClientContextAndClose(t *testing.T) {
	c := fake(t, "hang")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Digest(ctx, "python", "3"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := c.Digest(context.Background(), "python", "3")
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	select {
	case err := <-errc:
		if err == nil {
			t.Error("a call in flight succeeded after Close")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a call in flight hangs after Close")
	}
	if _, err := c.Digest(context.Background(), "python", "3"); err == nil {
		t.Error("a call after Close succeeded")
	}

	var never Client
	never.Close()
	if _, err := never.Digest(context.Background(), "python", "3"); err == nil {
		t.Error("a call on a client closed before use succeeded")
	}
}

// No helper: the error says what to install, and where dockslim looked.
func TestClientHelperMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere", HelperName)
	t.Setenv(EnvHelper, missing)
	c := &Client{}
	_, err := c.Digest(context.Background(), "python", "3")
	if !errors.Is(err, ErrNoHelper) || !strings.Contains(err.Error(), missing) ||
		!strings.Contains(err.Error(), "--online needs the dockslim-registry helper next to dockslim or on PATH (go install github.com/dockslim/dockslim/cmd/dockslim-registry)") {
		t.Errorf("err = %v", err)
	}

	c = &Client{Path: missing}
	if _, err := c.Size(context.Background(), "python", "3"); !errors.Is(err, ErrNoHelper) {
		t.Errorf("explicit path: err = %v", err)
	}

	t.Setenv(EnvHelper, "")
	t.Setenv("PATH", t.TempDir())
	if _, err := FindHelper(); !errors.Is(err, ErrNoHelper) || strings.Contains(err.Error(), EnvHelper) {
		t.Errorf("nothing anywhere: %v", err)
	}
}

// The helper is found through $DOCKSLIM_REGISTRY_HELPER, then next to the
// running binary, then on PATH.
func TestFindHelperOrder(t *testing.T) {
	onPath := t.TempDir()
	exe := func(dir string) string {
		p := filepath.Join(dir, HelperName)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pathHelper := exe(onPath)
	t.Setenv("PATH", onPath)
	t.Setenv(EnvHelper, "")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(self), HelperName)); err == nil {
		t.Skip("a helper already sits next to the test binary")
	}
	if p, err := FindHelper(); err != nil || p != pathHelper {
		t.Errorf("PATH: %q, %v; want %q", p, err, pathHelper)
	}

	next := exe(filepath.Dir(self))
	t.Cleanup(func() { os.Remove(next) })
	if p, err := FindHelper(); err != nil || p != next {
		t.Errorf("next to the binary: %q, %v; want %q", p, err, next)
	}

	env := exe(t.TempDir())
	t.Setenv(EnvHelper, env)
	if p, err := FindHelper(); err != nil || p != env {
		t.Errorf("$%s: %q, %v; want %q", EnvHelper, p, err, env)
	}
}
