// Package synthetic builds realistic Dockerfiles for benchmarks and for the
// scale check (scripts/scale.sh): Dockerfile is one template repeated (the
// micro-benchmarks' input), Varied mixes stages of several ecosystems with
// varying packages, versions and layouts, and Tree writes a monorepo of
// services, each with its Dockerfile and build context.
package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// stage is a typical single-stage build of about 25 lines.
const stage = `# build stage %[1]d
FROM python:3.11 AS app%[1]d
ARG APP_VERSION=1.0
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && \
    apt-get install -y \
      gcc \
      libpq-dev \
      curl \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN pip install . && \
    python -m compileall -q /app
RUN npm ci && npm run build
RUN curl -fsSL -o /tmp/tool.tgz https://example.com/tool.tgz \
    && tar -xzf /tmp/tool.tgz -C /usr/local/bin
EXPOSE 8000
USER nobody
HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]

`

// Dockerfile returns a Dockerfile of about n lines: the same stage repeated.
func Dockerfile(n int) []byte {
	var sb strings.Builder
	sb.WriteString("# syntax=docker/dockerfile:1\n")
	lines, per := 1, strings.Count(stage, "\n")
	for i := 0; lines < n; i++ {
		fmt.Fprintf(&sb, stage, i)
		lines += per
	}
	return []byte(sb.String())
}

// Varied returns a Dockerfile of at least size bytes (and one stage more
// than that at most), the same for the same seed: stages of every
// ecosystem below, with their packages, versions, flags and layout drawn
// from seed, some built FROM earlier stages or copying from them.
func Varied(seed uint64, size int) []byte {
	g := newGen(seed)
	var sb strings.Builder
	sb.WriteString("# syntax=docker/dockerfile:1\n")
	g.globalArgs(&sb)
	for i := 0; sb.Len() < size; i++ {
		g.stage(&sb, i)
	}
	return []byte(sb.String())
}

// Service is one Dockerfile of a generated monorepo and its build context.
type Service struct {
	Dir        string // slash-separated, relative to the repository root
	Dockerfile []byte
	// Context holds the build context's files by path relative to Dir.
	Context map[string]string
}

// Tree returns n services of a monorepo, the same for the same seed: one
// to three stages each, of the ecosystems Varied uses, and the manifests
// their COPY instructions name, sometimes a .dockerignore.
func Tree(seed uint64, n int) []Service {
	g := newGen(seed)
	out := make([]Service, 0, n)
	for i := range n {
		var sb strings.Builder
		g.named, g.args = g.named[:0], false
		if g.r.IntN(4) == 0 {
			sb.WriteString("# syntax=docker/dockerfile:1\n")
		}
		if g.r.IntN(3) == 0 {
			g.globalArgs(&sb)
		}
		stages := 1 + g.r.IntN(3)
		for s := range stages {
			g.stage(&sb, s)
		}
		svc := Service{
			Dir:        fmt.Sprintf("services/%s/svc-%04d", pick(g.r, teams), i),
			Dockerfile: []byte(sb.String()),
			Context: map[string]string{
				"requirements.txt": "flask==3.0.0\ngunicorn==21.2.0\n",
				"package.json":     `{"name":"svc","version":"1.0.0","scripts":{"build":"tsc"}}` + "\n",
				"go.mod":           "module example.com/svc\n\ngo 1.22\n",
				"Gemfile":          "source 'https://rubygems.org'\ngem 'rack'\n",
				"pom.xml":          "<project/>\n",
				"main.go":          "package main\n\nfunc main() {}\n",
			},
		}
		if g.r.IntN(2) == 0 {
			svc.Context[".dockerignore"] = ".git\nnode_modules\n*.log\n"
		}
		out = append(out, svc)
	}
	return out
}

var teams = []string{"billing", "search", "identity", "payments", "catalog", "infra", "data", "web"}

// gen draws the variable parts of stages.
type gen struct {
	r *rand.Rand
	// named are the AS names of the current file's stages so far; args is
	// set when the file declares the global ARGs (FROM $IMG may be used).
	named []string
	args  bool
}

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// some returns between 1 and max distinct elements of xs, in xs's order.
func some(r *rand.Rand, xs []string, max int) []string {
	n := 1 + r.IntN(max)
	var out []string
	for _, i := range r.Perm(len(xs))[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

func (g *gen) globalArgs(sb *strings.Builder) {
	fmt.Fprintf(sb, "ARG REGISTRY=%s\n", pick(g.r, []string{"docker.io", "ghcr.io/acme", "registry.example.com:5000"}))
	fmt.Fprintf(sb, "ARG PY_VERSION=3.%d\n", 9+g.r.IntN(4))
	sb.WriteString("ARG BASE=python\nARG IMG=${BASE}:${PY_VERSION}\n\n")
	g.args = true
}

// stage writes stage i of the current file, of a random kind.
func (g *gen) stage(sb *strings.Builder, i int) {
	name := fmt.Sprintf("%s%d", pick(g.r, []string{"build", "app", "deps", "svc", "worker", "base"}), i)
	kinds := []func(*strings.Builder, string){g.debianApt, g.python, g.node, g.golang, g.alpine, g.ruby, g.java, g.fromEarlier}
	pick(g.r, kinds)(sb, name)
	g.named = append(g.named, name)
	sb.WriteString("\n")
}

var debPkgs = []string{"curl", "ca-certificates", "git", "gcc", "make", "libpq-dev", "libssl-dev", "jq", "unzip",
	"wget", "gnupg", "build-essential", "pkg-config", "libffi-dev", "zlib1g-dev", "vim", "procps", "openssh-client"}

// aptRun is one apt-get install RUN in one of the layouts people write.
func (g *gen) aptRun(sb *strings.Builder) {
	pkgs := some(g.r, debPkgs, 6)
	switch g.r.IntN(4) {
	case 0:
		fmt.Fprintf(sb, "RUN apt-get update && apt-get install -y %s\n", strings.Join(pkgs, " "))
	case 1:
		sb.WriteString("RUN apt-get update && \\\n    apt-get install -y --no-install-recommends \\\n")
		for _, p := range pkgs {
			fmt.Fprintf(sb, "      %s \\\n", p)
		}
		sb.WriteString("    && rm -rf /var/lib/apt/lists/*\n")
	case 2:
		fmt.Fprintf(sb, "RUN apt-get update\nRUN apt-get install -y %s\n", strings.Join(pkgs, " "))
	default:
		fmt.Fprintf(sb, "ENV PKGS=\"%s\"\nRUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y $PKGS; \\\n    apt-get clean\n",
			strings.Join(pkgs, " "))
	}
}

func (g *gen) debianApt(sb *strings.Builder, name string) {
	fmt.Fprintf(sb, "FROM %s AS %s\n", pick(g.r, []string{"debian:bookworm", "ubuntu:22.04", "debian:bullseye-slim", "buildpack-deps:bookworm"}), name)
	fmt.Fprintf(sb, "LABEL org.opencontainers.image.title=%q\n", name)
	g.aptRun(sb)
	fmt.Fprintf(sb, "COPY scripts/ /opt/%s/\n", name)
	fmt.Fprintf(sb, "RUN chmod +x /opt/%[1]s/*.sh && /opt/%[1]s/setup.sh\n", name)
	fmt.Fprintf(sb, "CMD [\"/opt/%s/run.sh\"]\n", name)
}

func (g *gen) python(sb *strings.Builder, name string) {
	from := fmt.Sprintf("python:3.%d%s", 9+g.r.IntN(4), pick(g.r, []string{"", "-slim", "-bookworm"}))
	if g.args && g.r.IntN(4) == 0 {
		from = "$IMG"
	}
	fmt.Fprintf(sb, "# %s: the API server\nFROM %s AS %s\n", name, from, name)
	sb.WriteString("ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1\nWORKDIR /app\n")
	if g.r.IntN(2) == 0 {
		g.aptRun(sb)
	}
	if g.r.IntN(2) == 0 {
		sb.WriteString("COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n")
	} else {
		sb.WriteString("COPY . .\nRUN pip install --upgrade pip && \\\n    pip install -r requirements.txt\n")
	}
	fmt.Fprintf(sb, "EXPOSE %d\nUSER nobody\n", 8000+g.r.IntN(100))
	fmt.Fprintf(sb, "CMD [\"gunicorn\", \"-w\", \"%d\", \"app:app\"]\n", 1+g.r.IntN(8))
}

func (g *gen) node(sb *strings.Builder, name string) {
	fmt.Fprintf(sb, "FROM node:%d%s AS %s\n", 16+2*g.r.IntN(4), pick(g.r, []string{"", "-alpine", "-bookworm-slim"}), name)
	sb.WriteString("WORKDIR /usr/src/app\n")
	if g.r.IntN(2) == 0 {
		sb.WriteString("COPY package*.json ./\nRUN npm ci\nCOPY . .\n")
	} else {
		sb.WriteString("COPY . .\nRUN npm install\n")
	}
	fmt.Fprintf(sb, "RUN npm run build && npm prune --production\nENV NODE_ENV=production PORT=%d\n", 3000+g.r.IntN(100))
	sb.WriteString("CMD [\"node\", \"dist/index.js\"]\n")
}

func (g *gen) golang(sb *strings.Builder, name string) {
	fmt.Fprintf(sb, "FROM golang:1.%d AS %s\nWORKDIR /src\n", 19+g.r.IntN(4), name)
	if g.r.IntN(2) == 0 {
		sb.WriteString("COPY go.mod go.sum ./\nRUN go mod download\n")
	}
	fmt.Fprintf(sb, "COPY . .\nRUN CGO_ENABLED=0 go build -trimpath -o /out/%s ./cmd/%s\n", name, name)
	if g.r.IntN(2) == 0 {
		fmt.Fprintf(sb, "\nFROM gcr.io/distroless/static-debian12\nCOPY --from=%[1]s /out/%[1]s /%[1]s\nENTRYPOINT [\"/%[1]s\"]\n", name)
	} else {
		fmt.Fprintf(sb, "CMD [\"/out/%s\"]\n", name)
	}
}

func (g *gen) alpine(sb *strings.Builder, name string) {
	fmt.Fprintf(sb, "FROM alpine:3.%d AS %s\n", 16+g.r.IntN(4), name)
	pkgs := strings.Join(some(g.r, []string{"curl", "bash", "ca-certificates", "tzdata", "git", "openssl", "jq"}, 4), " ")
	if g.r.IntN(2) == 0 {
		fmt.Fprintf(sb, "RUN apk update && apk add %s\n", pkgs)
	} else {
		fmt.Fprintf(sb, "RUN apk add --no-cache %s\n", pkgs)
	}
	fmt.Fprintf(sb, "COPY entrypoint.sh /usr/local/bin/\nENTRYPOINT [\"entrypoint.sh\"]\n")
}

func (g *gen) ruby(sb *strings.Builder, name string) {
	fmt.Fprintf(sb, "FROM ruby:3.%d AS %s\nWORKDIR /app\n", g.r.IntN(4), name)
	sb.WriteString("COPY Gemfile Gemfile.lock ./\nRUN bundle config set without 'development test' && \\\n    bundle install --jobs 4\n")
	sb.WriteString("COPY . .\nRUN gem install foreman\nCMD [\"foreman\", \"start\"]\n")
}

func (g *gen) java(sb *strings.Builder, name string) {
	v := pick(g.r, []string{"11", "17", "21"})
	fmt.Fprintf(sb, "FROM maven:3-eclipse-temurin-%s AS %s\nWORKDIR /build\n", v, name)
	sb.WriteString("COPY pom.xml .\nRUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n")
	fmt.Fprintf(sb, "\nFROM eclipse-temurin:%s-jre\nCOPY --from=%s /build/target/app.jar /app.jar\n", v, name)
	sb.WriteString("CMD [\"java\", \"-jar\", \"/app.jar\"]\n")
}

// fromEarlier is a stage built FROM, or copying from, an earlier stage.
func (g *gen) fromEarlier(sb *strings.Builder, name string) {
	if len(g.named) == 0 {
		g.debianApt(sb, name)
		return
	}
	// One of the last few: a build's stages refer to their neighbours.
	prev := g.named[max(0, len(g.named)-1-g.r.IntN(4))]
	if g.r.IntN(2) == 0 {
		fmt.Fprintf(sb, "FROM %s AS %s\nRUN apt-get update && apt-get install -y %s\n", prev, name, strings.Join(some(g.r, debPkgs, 3), " "))
		fmt.Fprintf(sb, "RUN make test\n")
		return
	}
	fmt.Fprintf(sb, "FROM debian:bookworm-slim AS %s\nCOPY --from=%s /usr/local/ /usr/local/\n", name, prev)
	sb.WriteString("RUN ldconfig\nCMD [\"/usr/local/bin/app\"]\n")
}

// Toolchain returns a Dockerfile of at least size bytes shaped like the
// largest real ones: CI and toolchain images of a few stages whose bulk is
// long RUN scripts (package lists over continuation lines, download, verify
// and unpack blocks, set -eux scripts with conditionals and loops) and ENV
// and LABEL blocks, the same for the same seed.
func Toolchain(seed uint64, size int) []byte {
	g := newGen(seed)
	var sb strings.Builder
	sb.WriteString("# syntax=docker/dockerfile:1\n# CI toolchain image (generated)\nARG DEBIAN=bookworm\n\n")
	for i := 0; sb.Len() < size; i++ {
		fmt.Fprintf(&sb, "FROM debian:${DEBIAN} AS tools%d\n", i)
		blocks := 20 + g.r.IntN(40)
		for b := 0; b < blocks && sb.Len() < size; b++ {
			g.toolchainBlock(&sb, i, b)
		}
		sb.WriteString("\n")
	}
	fmt.Fprintf(&sb, "FROM debian:${DEBIAN}-slim\nCOPY --from=tools0 /opt/ /opt/\nCMD [\"bash\"]\n")
	return []byte(sb.String())
}

func (g *gen) toolchainBlock(sb *strings.Builder, stage, b int) {
	switch g.r.IntN(5) {
	case 0: // a long apt-get install list
		sb.WriteString("RUN apt-get update && \\\n    apt-get install -y --no-install-recommends \\\n")
		var all []string
		for _, p := range debPkgs {
			for _, suf := range []string{"", "-doc", "-dbg", "-common", "-utils", "2", "3", "-tools"} {
				all = append(all, p+suf)
			}
		}
		for _, p := range some(g.r, all, 120) {
			fmt.Fprintf(sb, "      %s \\\n", p)
		}
		sb.WriteString("    && rm -rf /var/lib/apt/lists/*\n")
	case 1: // download, verify, unpack
		tool := fmt.Sprintf("%s-%d-%d", pick(g.r, []string{"kubectl", "helm", "terraform", "protoc", "node", "go", "cmake"}), stage, b)
		fmt.Fprintf(sb, "ENV %s_VERSION=%d.%d.%d\n", strings.ToUpper(strings.ReplaceAll(tool, "-", "_")), g.r.IntN(3), g.r.IntN(30), g.r.IntN(10))
		fmt.Fprintf(sb, "RUN set -eux; \\\n    arch=\"$(dpkg --print-architecture)\"; \\\n    case \"$arch\" in \\\n"+
			"      amd64) sha=%016x ;; \\\n      arm64) sha=%016x ;; \\\n      *) echo >&2 \"unsupported: $arch\"; exit 1 ;; \\\n    esac; \\\n"+
			"    curl -fsSL -o /tmp/%[3]s.tgz \"https://example.com/%[3]s/${arch}.tgz\"; \\\n    echo \"$sha  /tmp/%[3]s.tgz\" | sha256sum -c -; \\\n"+
			"    mkdir -p /opt/%[3]s; \\\n    tar -xzf /tmp/%[3]s.tgz -C /opt/%[3]s --strip-components=1; \\\n    rm /tmp/%[3]s.tgz; \\\n"+
			"    /opt/%[3]s/bin/%[3]s --version\n", g.r.Uint64(), g.r.Uint64(), tool)
	case 2: // a script with loops and conditionals
		sb.WriteString("RUN set -eux; \\\n")
		for k := range 10 + g.r.IntN(30) {
			fmt.Fprintf(sb, "    for d in /opt/%d/%d/*; do \\\n      if [ -d \"$d/bin\" ]; then ln -sf \"$d\"/bin/* /usr/local/bin/; fi; \\\n    done; \\\n", b, k)
		}
		sb.WriteString("    ldconfig\n")
	case 3: // ENV and LABEL blocks
		sb.WriteString("ENV")
		for k := range 5 + g.r.IntN(20) {
			fmt.Fprintf(sb, " \\\n    TOOL_%d_%d_HOME=/opt/tool-%d-%d", b, k, b, k)
		}
		sb.WriteString("\nLABEL")
		for k := range 3 + g.r.IntN(8) {
			fmt.Fprintf(sb, " \\\n    org.example.tool%d.%d=\"%d.%d\"", b, k, g.r.IntN(10), g.r.IntN(100))
		}
		sb.WriteString("\n")
	default: // language packages
		fmt.Fprintf(sb, "RUN pip install %s && \\\n    npm install -g %s\n",
			strings.Join(some(g.r, []string{"ansible", "awscli", "black", "pytest", "tox", "poetry", "httpie", "yq"}, 5), " "),
			strings.Join(some(g.r, []string{"typescript", "eslint", "prettier", "yarn", "pnpm", "@angular/cli"}, 4), " "))
	}
}
