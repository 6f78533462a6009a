GO ?= go
GOFILES = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')

.PHONY: all build test fmt-check vet unit fuzz fuzz-fix bench e2e docs install corpus

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

## bench: load+render and the whole driver (50/500 lines, the example), and a whole process
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./parser ./rewrite/all
	$(GO) test -run '^$$' -bench Process -benchtime 30x ./cmd/dockslim

## e2e: real builds of every sample app before/after fix (needs root; see e2e/README.md)
e2e:
	bash e2e/run.sh

## docs: regenerate the rules table in README.md
docs:
	$(GO) run ./cmd/dockslim rules --format markdown > .rules.md.tmp
	awk 'BEGIN{t=0} /<!-- rules:begin -->/{print; while((getline l < ".rules.md.tmp")>0) print l; t=1; next} /<!-- rules:end -->/{t=0} !t{print}' README.md > README.md.tmp && mv README.md.tmp README.md && rm -f .rules.md.tmp

## corpus: run the engine over the real-world and official-image Dockerfile
## corpus (fixtures/corpus/README.md); CORPUS=DIR to point elsewhere
CORPUS ?=
corpus:
	$(GO) run ./cmd/corpusreport $(CORPUS)
