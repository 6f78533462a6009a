package multistage

import "testing"

var goMod = map[string]string{"go.mod": "module example.com/acme/server/v2\n\ngo 1.22\n", "main.go": "package main\n"}

func TestRecogniseGo(t *testing.T) {
	runRecCases(t, recogniseGo, []recCase{
		{name: "static", want: "split: the binary /app/server",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\nCMD [\"/app/server\"]\n"},
		{name: "static via ENV, -o=", want: "split: the binary /out/api",
			src: "FROM golang:1.22-bookworm\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY . .\nRUN go build -ldflags '-s -w' -o=/out/api ./cmd/api\nCMD [\"/out/api\"]\n"},
		{name: "cgo on debian", want: "split: the binary /app/server",
			src: "FROM golang:1.22-bookworm\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"/app/server\"]\n"},
		{name: "two binaries", want: "split: the binaries /app/a, /app/b",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o a ./cmd/a && CGO_ENABLED=0 go build -o b ./cmd/b\nCMD [\"/app/a\"]\n"},
		{name: "module name from go.mod, /vN skipped", files: goMod, want: "split: the binary /app/server",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build\nCMD [\"/app/server\"]\n"},
		{name: "package path names the binary", want: "split: the binary /app/worker",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build ./cmd/worker\nCMD [\"./worker\"]\n"},
		{name: "a .go file names the binary", want: "split: the binary /app/main",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build main.go\nCMD [\"/app/main\"]\n"},
		{name: "alpine without a compiler is static", want: "split: the binary /app/server",
			src: "FROM golang:1.22-alpine3.19\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"/app/server\"]\n"},

		{name: "a variable in the -ldflags value", want: "split: the binary /app/server",
			src: "FROM golang:1.22\nARG VERSION=dev\nWORKDIR /app\nCOPY . .\nRUN go build -ldflags \"-X main.version=$VERSION\" -o server .\nCMD [\"/app/server\"]\n"},
		{name: "provably cgo-free", files: goMod, want: "split: the binary /app/server",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"/app/server\"]\n"},

		// Not Go, or nothing to split.
		{name: "not golang", want: "none",
			src: "FROM debian:bookworm\nRUN go build -o /server .\nCMD [\"/server\"]\n"},
		{name: "golang without a build", want: "none",
			src: "FROM golang:1.22\nCOPY server /server\nCMD [\"/server\"]\n"},
		{name: "go run at runtime", want: "decline: go run",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nCMD [\"go\", \"run\", \".\"]\n"},

		// Tricky: what the recogniser cannot follow.
		{name: "variable in the build", want: "decline: uses variables",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o $OUT .\nCMD [\"/app/server\"]\n"},
		{name: "cd before the build", want: "decline: changes directory",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN cd cmd && CGO_ENABLED=0 go build -o /server .\nCMD [\"/server\"]\n"},
		{name: "go build -C", want: "decline: -C changes directory",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -C cmd -o /server .\nCMD [\"/server\"]\n"},
		{name: "-o into a directory", want: "decline: writes into a directory",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o bin/ ./...\nCMD [\"/app/bin/server\"]\n"},
		{name: "./... without -o", want: "decline: builds several packages",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build ./...\nCMD [\"/app/server\"]\n"},
		{name: "several packages without -o", want: "decline: writes no binary",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build ./a ./b\nCMD [\"/app/a\"]\n"},
		{name: "module root without a context", want: "decline: build context is not available",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build\nCMD [\"/app/app\"]\n"},
		{name: "go.mod without a module line", files: map[string]string{"go.mod": "go 1.22\n"}, want: "decline: no module line",
			src: "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build\nCMD [\"/app/app\"]\n"},
		{name: "CGO_ENABLED from a variable", want: "decline: CGO_ENABLED is set from a variable",
			src: "FROM golang:1.22\nARG CGO\nENV CGO_ENABLED=$CGO\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"/app/server\"]\n"},
		{name: "cgo on an unknown Debian release", want: "decline: does not know the Debian release",
			src: "FROM golang:latest\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"/app/server\"]\n"},
		{name: "cgo on alpine with musl-dev", want: "split: the binary /app/server",
			src: "FROM golang:1.22-alpine3.19\nRUN apk add --no-cache gcc musl-dev sqlite-dev\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"/app/server\"]\n"},
		{name: "cgo on alpine, release from the index", want: "split: the binary /app/server",
			src: "FROM golang:1.22-alpine\nRUN apk add --no-cache gcc musl-dev sqlite-dev\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"/app/server\"]\n"},
		{name: "cgo on alpine as another USER", want: "decline: switches USER",
			src: "FROM golang:1.22-alpine3.19\nRUN apk add --no-cache gcc musl-dev sqlite-dev\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nUSER nobody\nCMD [\"/app/server\"]\n"},
	})
}
