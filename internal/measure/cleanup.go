package measure

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// cleanupTimeout bounds the removals, which run after Ctrl-C too.
const cleanupTimeout = 2 * time.Minute

// created is what a measurement made in the builder's image store: the
// tags it built and the intermediate images its builds committed (buildah
// and podman store one per step; docker's build cache is buildkit's, not
// images, and stays for `docker builder prune`).
type created struct {
	tags []string
	ids  []string // in the order the builds committed them
}

// add records one build: its tag when it built, and the images its log
// says it committed rather than took from the cache (a cached step prints
// "--> Using cache FULLID" and then "--> SHORTID" of the same image).
func (c *created) add(tag, log string, built bool) {
	if built && !slices.Contains(c.tags, tag) {
		c.tags = append(c.tags, tag)
	}
	var reused []string
	for _, m := range ociCached().FindAllStringSubmatch(log, -1) {
		reused = append(reused, m[1])
	}
	for _, m := range ociCommitted().FindAllStringSubmatch(log, -1) {
		id := m[1]
		if !slices.ContainsFunc(reused, func(r string) bool { return strings.HasPrefix(r, id) }) && !slices.Contains(c.ids, id) {
			c.ids = append(c.ids, id)
		}
	}
}

var ociCommitted = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^--> ([0-9a-f]{8,64})\s*$`) })

// remove deletes the tags, then the intermediate images, newest first (a
// child before its parent). It uses a context of its own: it runs after
// the measurement's was cancelled. Errors are ignored: an image another
// build still uses stays, and the final image's id is gone with its tag.
func (c *created) remove(ctx context.Context, b Builder) {
	r, ok := b.(Remover)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for _, names := range [][]string{c.tags, c.ids} {
		for i := len(names) - 1; i >= 0; i-- {
			r.Remove(ctx, names[i])
		}
	}
}
