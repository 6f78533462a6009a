// Package client is dockslim's side of `--online`: it runs the
// dockslim-registry helper and asks it about tags over a pipe
// (registry/protocol). It deliberately imports neither net/http nor
// go-containerregistry, so that dockslim, which every pre-commit run starts,
// stays small and fast to start; the helper carries the network code.
package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dockslim/dockslim/internal/registry/protocol"
)

// HelperName is the helper binary's name.
const HelperName = "dockslim-registry"

// EnvHelper names an environment variable holding the helper's path; it
// overrides the search.
const EnvHelper = "DOCKSLIM_REGISTRY_HELPER"

// ErrNotFound is protocol.ErrNotFound: a tag the registry does not have.
var ErrNotFound = protocol.ErrNotFound

// ErrNoHelper is wrapped by the error for a helper that cannot be found.
var ErrNoHelper = errors.New("--online needs the " + HelperName + " helper next to dockslim or on PATH (go install github.com/dockslim/dockslim/cmd/" + HelperName + ")")

// FindHelper returns the helper's path: $DOCKSLIM_REGISTRY_HELPER when set,
// else dockslim-registry in the directory of the running executable, else
// on PATH. The error wraps ErrNoHelper.
func FindHelper() (string, error) {
	if p := os.Getenv(EnvHelper); p != "" {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			return "", fmt.Errorf("%w; %s=%s is not a file", ErrNoHelper, EnvHelper, p)
		}
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), HelperName)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
		if fi, err := os.Stat(p + ".exe"); err == nil && !fi.IsDir() {
			return p + ".exe", nil
		}
	}
	if p, err := exec.LookPath(HelperName); err == nil {
		return p, nil
	}
	return "", ErrNoHelper
}

// Client asks the registry through the helper, which it starts on the first
// call. It is safe for concurrent use; answers are matched to calls by id.
// Once the helper cannot be started, or exits, every later call fails with
// the same error (no restart: the cause is rarely transient).
type Client struct {
	Host     string // "" for Docker Hub; sent with every request
	Insecure bool   // plain HTTP (tests); sent with every request
	Path     string // the helper; "" for FindHelper

	startOnce sync.Once
	startErr  error
	cmd       *exec.Cmd
	writeMu   sync.Mutex
	stdin     io.WriteCloser
	stderr    headBuffer
	dead      chan struct{} // closed when the helper's output ends
	deadErr   error         // why, set before dead is closed

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan protocol.Response
	closed  bool
}

// Digest returns the digest image:tag points at. The error wraps
// ErrNotFound when the registry says the tag does not exist.
func (c *Client) Digest(ctx context.Context, image, tag string) (string, error) {
	r, err := c.call(ctx, protocol.OpDigest, image, tag)
	return r.Digest, err
}

// Size returns the compressed size of image:tag's linux/amd64 image.
func (c *Client) Size(ctx context.Context, image, tag string) (int64, error) {
	r, err := c.call(ctx, protocol.OpSize, image, tag)
	return r.Size, err
}

// Close stops the helper, if it was started. Calls in flight fail.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.startOnce.Do(func() { c.startErr = errors.New("registry client closed") })
	if c.cmd == nil {
		return nil
	}
	c.writeMu.Lock()
	c.stdin.Close() // the helper exits at the end of its input
	c.writeMu.Unlock()
	c.cmd.Process.Kill() // and now, rather than after the calls in flight
	<-c.dead
	return nil
}

func (c *Client) start() error {
	c.startOnce.Do(func() {
		path := c.Path
		if path == "" {
			p, err := FindHelper()
			if err != nil {
				c.startErr = err
				return
			}
			path = p
		}
		cmd := exec.Command(path)
		cmd.Stderr = &c.stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			c.startErr = err
			return
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			c.startErr = err
			return
		}
		if err := cmd.Start(); err != nil {
			c.startErr = fmt.Errorf("%w; starting %s: %v", ErrNoHelper, path, err)
			return
		}
		c.cmd, c.stdin = cmd, stdin
		c.pending = map[int64]chan protocol.Response{}
		c.dead = make(chan struct{})
		go c.read(stdout, path)
	})
	return c.startErr
}

// read dispatches the helper's responses until its output ends.
func (c *Client) read(stdout io.Reader, path string) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var bad error
	for sc.Scan() {
		var r protocol.Response
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			bad = fmt.Errorf("unreadable answer %.80q: %v", sc.Text(), err)
			break
		}
		c.mu.Lock()
		ch := c.pending[r.ID]
		delete(c.pending, r.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- r // buffered
		}
	}
	if bad != nil {
		c.cmd.Process.Kill()
		io.Copy(io.Discard, stdout)
	}
	werr := c.cmd.Wait()
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	switch {
	case closed:
		c.deadErr = errors.New("registry client closed")
	case bad != nil:
		c.deadErr = fmt.Errorf("%s: %v", filepath.Base(path), bad)
	default:
		msg := "exited"
		if werr != nil {
			msg = "failed: " + werr.Error()
		}
		if tail := c.stderr.String(); tail != "" {
			msg += ": " + tail
		}
		c.deadErr = fmt.Errorf("the %s helper (%s) %s", HelperName, path, msg)
	}
	close(c.dead)
}

func (c *Client) call(ctx context.Context, op, image, tag string) (protocol.Response, error) {
	if err := c.start(); err != nil {
		return protocol.Response{}, err
	}
	ch := make(chan protocol.Response, 1)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return protocol.Response{}, errors.New("registry client closed")
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}

	b, _ := json.Marshal(protocol.Request{ID: id, Op: op, Image: image, Tag: tag, Host: c.Host, Insecure: c.Insecure})
	c.writeMu.Lock()
	_, err := c.stdin.Write(append(b, '\n'))
	c.writeMu.Unlock()
	if err != nil {
		forget()
		select {
		case <-c.dead: // the helper is gone: say why
			return protocol.Response{}, c.deadErr
		default:
			return protocol.Response{}, fmt.Errorf("writing to the %s helper: %v", HelperName, err)
		}
	}

	select {
	case r := <-ch:
		return result(r)
	case <-c.dead:
		select {
		case r := <-ch: // answered just before the end
			return result(r)
		default:
		}
		forget()
		return protocol.Response{}, c.deadErr
	case <-ctx.Done():
		forget()
		return protocol.Response{}, ctx.Err()
	}
}

func result(r protocol.Response) (protocol.Response, error) {
	switch {
	case r.NotFound:
		return r, fmt.Errorf("%w: %s", ErrNotFound, r.Error)
	case r.Error != "":
		return r, errors.New(r.Error)
	}
	return r, nil
}

// headBuffer keeps the first bytes written to it: the helper's stderr,
// for the error when it dies (a panic's first line says the most).
type headBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const headMax = 512

func (h *headBuffer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := headMax - len(h.buf); n > 0 {
		h.buf = append(h.buf, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func (h *headBuffer) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(strings.Fields(string(h.buf)), " ")
}
