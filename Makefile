GO ?= go
GOFILES = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')

.PHONY: all build test fmt-check vet unit fuzz fuzz-fix bench scale e2e docs install corpus dist

all: build

# urfave_cli_no_docs drops urfave/cli's man/markdown generation (and its
# blackfriday dependency, whose init costs every run); the CLI uses neither.
BUILDTAGS ?= urfave_cli_no_docs

# dockslim-registry is the helper that `dockslim --online` runs to ask the
# image registry; it keeps the network code out of dockslim's start-up.
build:
	CGO_ENABLED=0 $(GO) build -tags '$(BUILDTAGS)' -o dockslim ./cmd/dockslim
	CGO_ENABLED=0 $(GO) build -tags '$(BUILDTAGS)' -o dockslim-registry ./cmd/dockslim-registry

install:
	CGO_ENABLED=0 $(GO) install -tags '$(BUILDTAGS)' ./cmd/dockslim ./cmd/dockslim-registry

## dist: static release binaries of dockslim and dockslim-registry for
## linux, darwin and windows on amd64 and arm64, with dist/SHA256SUMS
## (VERSION=v1.2.3 to name them; default: git describe)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
DIST_PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
SHA256SUM ?= $(shell command -v sha256sum >/dev/null 2>&1 && echo sha256sum || echo 'shasum -a 256')
dist:
	rm -rf dist && mkdir -p dist
	set -e; for p in $(DIST_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  for cmd in dockslim dockslim-registry; do \
	    echo "dist/$${cmd}_$(VERSION)_$${os}_$${arch}$$ext"; \
	    CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -tags '$(BUILDTAGS)' \
	      -ldflags "-s -w -X main.version=$(VERSION)" -o dist/$${cmd}_$(VERSION)_$${os}_$${arch}$$ext ./cmd/$$cmd; \
	  done; \
	done
	cd dist && $(SHA256SUM) * > SHA256SUMS

## test: formatting, vet, and every test with the race detector
test: fmt-check vet unit

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race ./...

## fuzz: load→render identity and no panics (FUZZTIME=5m for a long run)
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./parser -run '^$$' -fuzz FuzzLoad -fuzztime $(FUZZTIME)

## fuzz-fix: the whole driver (safe and --unsafe-fixes) on arbitrary bytes, seeded
## with every fixture: no panic, output loads, stable, its diff applies
## (FUZZFIXTIME=5m for a long run)
FUZZFIXTIME ?= 20s
fuzz-fix:
	$(GO) test ./fixtures -run '^$$' -fuzz '^FuzzFix$$' -fuzztime $(FUZZFIXTIME)

## bench: load+render, Edit and the whole driver (50/500 lines, 1 MB, the
## example), and a whole process
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./parser ./rewrite/all
	$(GO) test -run '^$$' -bench Process -benchtime 30x ./cmd/dockslim

## scale: wall time and peak memory of whole runs on a 10 MB Dockerfile and
## on 3,000 files, medians of SCALE_RUNS (3); SCALE_ALL=1 adds 10 MB of
## small stages
SCALE_RUNS ?= 3
scale:
	bash scripts/scale.sh $(SCALE_RUNS)

## e2e: real builds of every sample app before/after fix and of its expert.Dockerfile
## (needs root; see e2e/README.md); E2E_FLAGS=-strict fails on a gap to the expert
E2E_FLAGS ?=
e2e:
	bash e2e/run.sh $(E2E_FLAGS)

## docs: regenerate the rules table in README.md
docs:
	$(GO) run ./cmd/dockslim rules --format markdown > .rules.md.tmp
	awk 'BEGIN{t=0} /<!-- rules:begin -->/{print; while((getline l < ".rules.md.tmp")>0) print l; t=1; next} /<!-- rules:end -->/{t=0} !t{print}' README.md > README.md.tmp && mv README.md.tmp README.md && rm -f .rules.md.tmp

## corpus: run the engine over the real-world and official-image Dockerfile
## corpus (fixtures/corpus/README.md); CORPUS=DIR to point elsewhere
CORPUS ?=
corpus:
	$(GO) run ./cmd/corpusreport $(CORPUS)
