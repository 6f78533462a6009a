package layerorder

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

func TestBareGoModDownload(t *testing.T) {
	for run, want := range map[string]bool{
		"go mod download":    true,
		"go mod download -x": true,
		"--mount=type=cache,target=/go/pkg/mod go mod download": true,
		"go mod download golang.org/x/text@v0.22.0":             false,
		"go mod download && go mod verify":                      false,
		"go mod download || true":                               false,
		"GOFLAGS=-mod=mod go mod download":                      false,
		"sudo go mod download":                                  false,
		"go mod download $MODULES":                              false,
		`["go", "mod", "download"]`:                             false,
		"go mod tidy":                                           false,
	} {
		f, err := parser.Load("Dockerfile", []byte("FROM golang:1.22\nRUN "+run+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := bareGoModDownload(f.Stages[0].Instructions[1]); got != want {
			t.Errorf("bareGoModDownload(%q) = %v, want %v", run, got, want)
		}
	}
}

func TestContextSource(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"go.mod", "svc/go.mod", "svc/main.go"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte("module m\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ body, want string }{
		{"WORKDIR /src\nCOPY go.mod ./\n", "go.mod"},
		{"WORKDIR /src\nCOPY go.mod /src/go.mod\n", "go.mod"},
		{"WORKDIR /src\nCOPY . .\n", "go.mod"},
		{"WORKDIR /src\nCOPY svc/ .\n", "svc/go.mod"},
		{"WORKDIR /src\nCOPY svc/go.mod go.mod ./\n", "go.mod"}, // the last source wins
		{"WORKDIR /src\nCOPY go.mod svc/go.mod ./\n", "svc/go.mod"},
		{"WORKDIR /src\nCOPY go.mod ./\nCOPY --from=other /x/go.mod ./\n", ""},
		{"WORKDIR /src\nCOPY go.mod ./\nRUN go mod init example.com/x\n", ""},
		{"WORKDIR /src\nCOPY go.mod ./\nADD deps.tar.gz .\n", ""},
		{"WORKDIR /src\nCOPY *.mod ./\n", ""},
		{"WORKDIR /src\nCOPY go.mod ./\nCOPY svc/main.go ./\n", "go.mod"},
		{"WORKDIR /other\nCOPY go.mod ./\nWORKDIR /src\n", ""},
	} {
		f, err := parser.Load("Dockerfile", []byte("FROM golang:1.22\n"+c.body+"RUN go mod download\n"))
		if err != nil {
			t.Fatal(err)
		}
		view, raw := rewrite.OpenBuildContext(dir)
		a := &analysis{f: f, ctx: loadContext(dir, view, raw), models: models(f)}
		st := f.Stages[0]
		i := len(st.Instructions) - 1
		m := a.models[st]
		got, _ := a.contextSource(m, st, i, filepath.ToSlash(filepath.Join(m.wd[st.Instructions[i]], "go.mod")))
		if got != c.want {
			t.Errorf("%q: source %q, want %q", c.body, got, c.want)
		}
	}
}
