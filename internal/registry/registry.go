// Package registry is the heavy side of `dockslim --online`: it asks an
// image registry (Docker Hub, anonymously) with go-containerregistry, and
// Serve answers registry/protocol requests for the dockslim-registry
// helper. dockslim itself never imports this package: go-containerregistry
// brings net/http, crypto/tls and Docker's config code, whose size and init
// cost every run would pay (see cmd/dockslim-registry).
package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/dockslim/dockslim/internal/registry/protocol"
)

// ErrNotFound is protocol.ErrNotFound: a tag the registry does not have.
var ErrNotFound = protocol.ErrNotFound

// Registry talks to Docker Hub (or Host, or the registry an image names)
// anonymously: official images need no login.
type Registry struct {
	Host      string // "" for Docker Hub
	Insecure  bool   // plain HTTP (tests)
	Transport http.RoundTripper
}

// tag is image:tag on Host, where image is an official image's name
// ("python"); an image with a slash is a whole repository, its registry
// first ("mirror.example.com/library/python": a registry mirror).
func (g *Registry) tag(image, tag string) (name.Tag, error) {
	host := g.Host
	if host == "" {
		host = name.DefaultRegistry
	}
	if tag == "" {
		tag = "latest"
	}
	var opts []name.Option
	if g.Insecure {
		opts = append(opts, name.Insecure)
	}
	repo := host + "/library/" + image
	if strings.Contains(image, "/") {
		repo = image
	}
	return name.NewTag(repo+":"+tag, opts...)
}

func (g *Registry) options(ctx context.Context) []remote.Option {
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(authn.Anonymous)}
	if g.Transport != nil {
		opts = append(opts, remote.WithTransport(g.Transport))
	}
	return opts
}

// Digest returns the digest the tag points at (the image index for
// multi-platform images). The error wraps ErrNotFound when the registry
// says the tag does not exist.
func (g *Registry) Digest(ctx context.Context, image, tag string) (string, error) {
	t, err := g.tag(image, tag)
	if err != nil {
		return "", err
	}
	d, err := remote.Head(t, g.options(ctx)...)
	if err != nil {
		return "", notFound(err)
	}
	return d.Digest.String(), nil
}

// Size returns the compressed size of the tag's linux/amd64 image: the sum
// of its layer blobs, what `docker pull` downloads.
func (g *Registry) Size(ctx context.Context, image, tag string) (int64, error) {
	t, err := g.tag(image, tag)
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
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return err
}
