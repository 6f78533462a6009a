package pkgcache

import (
	"slices"
	"strings"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleGoCacheMount is DS142.
var RuleGoCacheMount = &rewrite.Rule{
	ID:      "DS142",
	Name:    "go-cache-mount",
	Summary: "with --cache-mounts: keep Go's module and build caches in BuildKit cache mounts",
	Explanation: `Only with --cache-mounts. "go build", "go install", "go test", "go run",
"go vet", "go generate", "go get", "go list" and "go mod download|tidy|vendor|verify"
fill the module cache (GOMODCACHE, GOPATH/pkg/mod: /go/pkg/mod on the official
golang images) and the build cache (GOCACHE, ~/.cache/go-build). In a RUN both
land in the layer and are rebuilt from nothing whenever an earlier layer changes.

dockslim adds
  RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build
(only the module cache for "go mod ..."), with the folders taken from GOMODCACHE,
GOPATH, GOCACHE or XDG_CACHE_HOME when the Dockerfile sets them. Mounts go after
the RUN's existing flags; one already covering a folder is not repeated.

The module cache is then no longer in the image. That is what you want in a
builder stage (safe fix); in the final stage, or a stage the final one builds
FROM, a "go run" or "go build" at container run time would have to download the
modules again, so the fix is unsafe there. A non-root USER needs uid=/gid=
options on the mount: reported only.`,
	Before:        "FROM golang:1.23 AS build\nRUN go build -o /app ./cmd/app\nFROM scratch\nCOPY --from=build /app /app",
	After:         "FROM golang:1.23 AS build\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app ./cmd/app\nFROM scratch\nCOPY --from=build /app /app",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Info,
}

// GoCachePass is the gocache pass.
var GoCachePass = &rewrite.Pass{Name: "gocache", Rules: []*rewrite.Rule{RuleGoCacheMount}, Run: runGoCache}

// goCacheNeeds returns which caches a go command fills.
func goCacheNeeds(lc *langCmd) (mod, build bool) {
	if lc.Name != "go" {
		return false, false
	}
	words, _ := lc.Words([]string{"-C"})
	if len(words) == 0 {
		return false, false
	}
	switch words[0] {
	case "build", "install", "test", "run", "vet", "generate", "get", "list":
		return true, true
	case "mod":
		if len(words) > 1 && (words[1] == "download" || words[1] == "tidy" || words[1] == "vendor" || words[1] == "verify") {
			return true, false
		}
	}
	return false, false
}

// goModCache and goBuildCache are the cache folders when known and literal.
func goModCache(f *parser.File, lc *langCmd) string {
	if v, ok := langVar(f, lc, "GOMODCACHE"); ok {
		p, _ := langLiteralPath(v)
		return p
	}
	if v, ok := langVar(f, lc, "GOPATH"); ok {
		first, _, _ := strings.Cut(v, ":")
		if p, ok := langLiteralPath(first); ok {
			return p + "/pkg/mod"
		}
		return ""
	}
	if langOfficial(lc.In.Stage, "golang") {
		return "/go/pkg/mod" // the image sets GOPATH=/go
	}
	return "/root/go/pkg/mod"
}

func goBuildCache(f *parser.File, lc *langCmd) string {
	if p, ok := (langCacheDir{vars: []string{"GOCACHE"}, parent: "XDG_CACHE_HOME", sub: "go-build"}).named(f, lc); ok {
		return p
	}
	return "/root/.cache/go-build"
}

func runGoCache(c *rewrite.Context) {
	if !c.Options.CacheMounts {
		return
	}
	f := c.File
	for _, in := range langRunInstructions(f) {
		var first *langCmd
		var targets []string
		unknown := false
		add := func(dir string) {
			if dir == "" {
				unknown = true
			} else if !langHasMount(in, dir) && !slices.Contains(targets, dir) {
				targets = append(targets, dir)
			}
		}
		for _, lc := range langCommands(in) {
			mod, build := goCacheNeeds(lc)
			if !mod && !build {
				continue
			}
			if first == nil {
				first = lc
			}
			if mod {
				add(goModCache(f, lc))
			}
			if build {
				add(goBuildCache(f, lc))
			}
		}
		if first == nil {
			continue
		}
		if unknown {
			c.Reportf(RuleGoCacheMount, first.Start(), "go: mount Go's module and build caches with RUN --mount=type=cache by hand (GOMODCACHE/GOPATH/GOCACHE are not literal paths here)")
			continue
		}
		if len(targets) == 0 {
			continue
		}
		if langShips(f, in.Stage) {
			langMount(c, RuleGoCacheMount, first, rewrite.Unsafe, targets, "go",
				"unsafe: this stage ships, and a go command run in the container would have to download the modules again")
			continue
		}
		langMount(c, RuleGoCacheMount, first, rewrite.Safe, targets, "go")
	}
}
