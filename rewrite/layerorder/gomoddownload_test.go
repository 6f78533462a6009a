package layerorder

import (
	"path/filepath"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/internal/testfs"
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
		f := parsertest.Load(t, "FROM golang:1.22\nRUN "+run+"\n")
		if got := bareGoModDownload(f.Stages[0].Instructions[1]); got != want {
			t.Errorf("bareGoModDownload(%q) = %v, want %v", run, got, want)
		}
	}
}

func TestContextSource(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, map[string]string{"go.mod": "module m\n", "svc/go.mod": "module m\n", "svc/main.go": "module m\n"})
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
		a := testAnalysis(t, "FROM golang:1.22\n"+c.body+"RUN go mod download\n", dir)
		st := a.f.Stages[0]
		i := len(st.Instructions) - 1
		m := a.models[st]
		got, _ := a.contextSource(m, st, i, filepath.ToSlash(filepath.Join(m.wd[st.Instructions[i]], "go.mod")))
		if got != c.want {
			t.Errorf("%q: source %q, want %q", c.body, got, c.want)
		}
	}
}
