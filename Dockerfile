# dockslim in a container: a static binary on a distroless base.
#   docker build -t dockslim .
#   docker run --rm -v "$PWD:/work" dockslim check .
# dockslim leaves this file unchanged (TestOwnDockerfile checks it).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -ldflags "-s -w -X main.version=${VERSION}" -o /out/dockslim ./cmd/dockslim && \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/dockslim-registry ./cmd/dockslim-registry

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
WORKDIR /work
ENTRYPOINT ["dockslim"]
CMD ["--help"]
