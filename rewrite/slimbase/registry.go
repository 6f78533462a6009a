package slimbase

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/dockslim/dockslim/images"
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

var errNotFound = errors.New("not found")

var (
	registryMu sync.Mutex
	// newRegistry makes the registry client on first online use.
	newRegistry = func() Registry { return &ggcrRegistry{} }
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

// ggcrRegistry talks to Docker Hub (or, in tests, to Host) with
// go-containerregistry, anonymously: official images need no login.
type ggcrRegistry struct {
	Host      string // "" for Docker Hub
	Insecure  bool   // plain HTTP (tests)
	Transport http.RoundTripper
}

func (g *ggcrRegistry) tag(ref images.Ref) (name.Tag, error) {
	host := g.Host
	if host == "" {
		host = name.DefaultRegistry
	}
	tag := ref.Tag
	if tag == "" {
		tag = "latest"
	}
	var opts []name.Option
	if g.Insecure {
		opts = append(opts, name.Insecure)
	}
	return name.NewTag(host+"/library/"+ref.Image+":"+tag, opts...)
}

func (g *ggcrRegistry) options(ctx context.Context) []remote.Option {
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(authn.Anonymous)}
	if g.Transport != nil {
		opts = append(opts, remote.WithTransport(g.Transport))
	}
	return opts
}

func (g *ggcrRegistry) Digest(ctx context.Context, ref images.Ref) (string, error) {
	t, err := g.tag(ref)
	if err != nil {
		return "", err
	}
	d, err := remote.Head(t, g.options(ctx)...)
	if err != nil {
		return "", notFound(err)
	}
	return d.Digest.String(), nil
}

func (g *ggcrRegistry) Size(ctx context.Context, ref images.Ref) (int64, error) {
	t, err := g.tag(ref)
	if err != nil {
		return 0, err
	}
	opts := append(g.options(ctx), remote.WithPlatform(v1.Platform{OS: "linux", Architecture: "amd64"}))
	img, err := remote.Image(t, opts...)
	if err != nil {
		return 0, notFound(err)
	}
	m, err := img.Manifest()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, l := range m.Layers {
		n += l.Size
	}
	return n, nil
}

func notFound(err error) error {
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w: %v", errNotFound, err)
	}
	return err
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
