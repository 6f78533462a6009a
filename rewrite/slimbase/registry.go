package slimbase

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/registry/client"
	"github.com/dockslim/dockslim/rewrite"
)

// Registry is what `--online` asks an image registry: rewrite.Registry,
// which the caller injects in rewrite.Options.Env (registry/client's Client
// in the CLI; tests give fakes to prove that only the online paths call it).
type Registry = rewrite.Registry

// errNotFound is wrapped by errors for a tag the registry does not have.
var errNotFound = client.ErrNotFound

// registryKey keys the run's cached registry in rewrite.Env.
type registryKey struct{}

// onlineRegistry returns the run's registry client, cached for the run.
func onlineRegistry(c *rewrite.Context) Registry {
	env := c.Options.Env
	return env.Memo(registryKey{}, func() any {
		var inner Registry = noRegistry{}
		if env != nil && env.Registry != nil {
			inner = env.Registry
		}
		return &cachedRegistry{inner: inner, memo: map[string]cached{}}
	}).(*cachedRegistry)
}

// noRegistry answers every question with rewrite.ErrNoRegistry.
type noRegistry struct{}

func (noRegistry) Digest(context.Context, string, string) (string, error) {
	return "", rewrite.ErrNoRegistry
}

func (noRegistry) Size(context.Context, string, string) (int64, error) {
	return 0, rewrite.ErrNoRegistry
}

// onlineTimeout bounds each registry call.
const onlineTimeout = 15 * time.Second

// cachedRegistry remembers answers for the run (it lives in rewrite.Env):
// fixes run several rounds over many files and ask the same questions.
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

func (c *cachedRegistry) Digest(ctx context.Context, image, tag string) (string, error) {
	v := c.get("d "+image+":"+tag, func() cached {
		s, err := c.inner.Digest(ctx, image, tag)
		return cached{s: s, err: err}
	})
	return v.s, v.err
}

func (c *cachedRegistry) Size(ctx context.Context, image, tag string) (int64, error) {
	v := c.get("s "+image+":"+tag, func() cached {
		n, err := c.inner.Size(ctx, image, tag)
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

// askRegistry asks the registry the FROM b names: Docker Hub, or the
// registry mirror its reference goes through.
func askRegistry(c *rewrite.Context, b baseImage, to images.Ref, wantDigest bool) onlineFacts {
	reg := onlineRegistry(c)
	ctx, cancel := context.WithTimeout(context.Background(), onlineTimeout)
	defer cancel()
	from, via := b.Ref, c.File.SplitImageRef(b.Resolved)
	var o onlineFacts
	d, err := reg.Digest(ctx, via.Mirrored(to.Image), to.Tag)
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
	o.ToSize, _ = reg.Size(ctx, via.Mirrored(to.Image), to.Tag)
	o.FromSize, _ = reg.Size(ctx, via.Mirrored(from.Image), from.Tag)
	return o
}
