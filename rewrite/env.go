package rewrite

import (
	"context"
	"errors"
	"sync"
)

// Env is what the passes share across the files and fix rounds of one run:
// the services the caller injects (the registry client) and the passes'
// caches. The caller makes one per run (the CLI, one per command) and sets
// it in Options.Env; Run makes a fresh one for a file when it is nil. A
// zero Env works: offline, empty caches. It is safe for concurrent use.
type Env struct {
	// Registry answers --online's questions (the CLI gives the
	// registry/client helper client); nil: there is none, and a pass that
	// asks gets an error (ErrNoRegistry) it reports as a warning.
	Registry Registry

	mu   sync.Mutex
	memo map[any]any
}

// Registry is what `--online` asks an image registry; registry/client's
// Client is one. Only passes' online paths call it, and only when
// Options.Online is set.
type Registry interface {
	// Digest returns the digest image:tag points at (the image index for
	// multi-platform images); the error wraps the registry's "not found"
	// (client.ErrNotFound) when the tag does not exist.
	Digest(ctx context.Context, image, tag string) (string, error)
	// Size returns the compressed size of the tag's linux/amd64 image.
	Size(ctx context.Context, image, tag string) (int64, error)
}

// ErrNoRegistry is the error of a registry question when Env.Registry is
// nil.
var ErrNoRegistry = errors.New("no registry client was given to the engine")

// Memo returns the value a pass keeps under key for the whole run (a cache
// that outlives one file), making it with build on first use. Keys are of a
// type private to the pass's package, like context.Context keys; the value
// must be safe for concurrent use, since files run in parallel. On a nil
// Env it just builds the value.
func (e *Env) Memo(key any, build func() any) any {
	if e == nil {
		return build()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.memo[key]; ok {
		return v
	}
	if e.memo == nil {
		e.memo = map[any]any{}
	}
	v := build()
	e.memo[key] = v
	return v
}
