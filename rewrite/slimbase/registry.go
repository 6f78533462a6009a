package slimbase

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dockslim/dockslim/images"
	"github.com/dockslim/dockslim/registry/client"
)

// Registry is what `--online` asks an image registry. Only the passes'
// online paths call it, and only when rewrite.Options.Online is set: tests
// replace it to prove that nothing else does.
type Registry interface {
	// Digest returns the digest the tag points at (the image index for
	// multi-platform images). The error wraps errNotFound when the registry
	// says the tag does not exist.
	Digest(ctx context.Context, ref images.Ref) (string, error)
	// Size returns the compressed size of the tag's linux/amd64 image: the
	// sum of its layer blobs, what `docker pull` downloads.
	Size(ctx context.Context, ref images.Ref) (int64, error)
}

// errNotFound is wrapped by errors for a tag the registry does not have.
var errNotFound = client.ErrNotFound

var (
	registryMu sync.Mutex
	// newRegistry makes the registry client on first online use.
	newRegistry = func() Registry { return helperRegistry{&client.Client{}} }
	current     Registry
)

// onlineRegistry returns the (cached, shared) registry client.
func onlineRegistry() Registry {
	registryMu.Lock()
	defer registryMu.Unlock()
	if current == nil {
		current = &cachedRegistry{inner: newRegistry(), memo: map[string]cached{}}
	}
	return current
}

// onlineTimeout bounds each registry call.
const onlineTimeout = 15 * time.Second

// helperRegistry asks the registry through the dockslim-registry helper
// process (registry/client): the network code lives there, so that
// dockslim's own start stays fast (see cmd/dockslim-registry).
type helperRegistry struct{ c *client.Client }

func (h helperRegistry) Digest(ctx context.Context, ref images.Ref) (string, error) {
	return h.c.Digest(ctx, ref.Image, ref.Tag)
}

func (h helperRegistry) Size(ctx context.Context, ref images.Ref) (int64, error) {
	return h.c.Size(ctx, ref.Image, ref.Tag)
}

// cachedRegistry remembers answers for the life of the process: fixes run
// several rounds over many files and ask the same questions.
type cachedRegistry struct {
	inner Registry
	mu    sync.Mutex
	memo  map[string]cached
}

type cached struct {
	s   string
	n   int64
	err error
}

func (c *cachedRegistry) get(key string, f func() cached) cached {
	c.mu.Lock()
	v, ok := c.memo[key]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = f()
	c.mu.Lock()
	c.memo[key] = v
	c.mu.Unlock()
	return v
}

func (c *cachedRegistry) Digest(ctx context.Context, ref images.Ref) (string, error) {
	v := c.get("d "+ref.String(), func() cached {
		s, err := c.inner.Digest(ctx, ref)
		return cached{s: s, err: err}
	})
	return v.s, v.err
}

func (c *cachedRegistry) Size(ctx context.Context, ref images.Ref) (int64, error) {
	v := c.get("s "+ref.String(), func() cached {
		n, err := c.inner.Size(ctx, ref)
		return cached{n: n, err: err}
	})
	return v.n, v.err
}

// onlineFacts is what the registry says about a swap from → to.
type onlineFacts struct {
	Missing          bool   // to does not exist
	Digest           string // to's digest ("" unknown)
	FromSize, ToSize int64  // 0 unknown
	Err              error  // the registry could not be asked
}

// errNote says, in a finding, that --online could not ask the registry:
// the fix then stands on dockslim's offline knowledge, as without --online.
func (o onlineFacts) errNote() string {
	return fmt.Sprintf("WARNING: --online could not ask the registry, so the tag, digest and sizes are not checked: %v", o.Err)
}

func askRegistry(from, to images.Ref, wantDigest bool) onlineFacts {
	reg := onlineRegistry()
	ctx, cancel := context.WithTimeout(context.Background(), onlineTimeout)
	defer cancel()
	var o onlineFacts
	d, err := reg.Digest(ctx, to)
	switch {
	case errors.Is(err, errNotFound):
		o.Missing = true
		return o
	case err != nil:
		o.Err = err
		return o
	}
	if wantDigest {
		o.Digest = d
	}
	o.ToSize, _ = reg.Size(ctx, to)
	o.FromSize, _ = reg.Size(ctx, from)
	return o
}
