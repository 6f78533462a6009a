package multistage

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/textedit"
)

// goStage is the final stage of src with its build context files (nil:
// none), and its go builds.
func goStage(t *testing.T, src string, files map[string]string) (*stageInfo, []goBuild) {
	t.Helper()
	si := stageOf(t, src, files)
	var builds []goBuild
	for _, c := range si.runCommands(nil) {
		if c.name() == "go" && c.arg(1) == "build" {
			b, _ := parseGoBuild(c, si.f.Src)
			builds = append(builds, b)
		}
	}
	return si, builds
}

// lastRun applies edits to the source and returns its last RUN line.
func lastRun(t *testing.T, si *stageInfo, edits []textedit.Edit) string {
	t.Helper()
	out, err := textedit.Apply(si.f.Src, edits)
	if err != nil {
		t.Fatal(err)
	}
	run := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "RUN ") {
			run = l
		}
	}
	return run
}

func TestStripEdits(t *testing.T) {
	for _, c := range []struct{ run, want string }{
		{`go build -o /app .`, `go build -trimpath -ldflags="-s -w" -o /app .`},
		{`go build -ldflags "-X main.v=1" -o /app .`, `go build -trimpath -ldflags "-s -w -X main.v=1" -o /app .`},
		{`go build -ldflags='-X main.v=$V' .`, `go build -trimpath -ldflags='-s -w -X main.v=$V' .`},
		{`go build -ldflags "-w -X main.v=${V}" .`, `go build -trimpath -ldflags "-s -w -X main.v=${V}" .`},
		{`go build -ldflags=-w .`, `go build -trimpath -ldflags="-s -w" .`},
		{`go build -ldflags -s .`, `go build -trimpath -ldflags "-w -s" .`},
		// Nothing to add.
		{`go build -trimpath -ldflags="-s -w" .`, `go build -trimpath -ldflags="-s -w" .`},
		{`go build -trimpath=false -ldflags '-w -s' .`, `go build -trimpath=false -ldflags '-w -s' .`},
		// Left alone: a package pattern, GOFLAGS that set them, exec form, an sh -c string.
		{`go build -ldflags="all=-X main.v=1" .`, `go build -trimpath -ldflags="all=-X main.v=1" .`},
		{`GOFLAGS="-ldflags=-X=main.v=1 -trimpath" go build .`, `GOFLAGS="-ldflags=-X=main.v=1 -trimpath" go build .`},
		{`["go", "build", "-o", "/app", "."]`, `["go", "build", "-o", "/app", "."]`},
		{`sh -c 'go build -o /app .'`, `sh -c 'go build -o /app .'`},
	} {
		si, builds := goStage(t, "FROM golang:1.22\nRUN "+c.run+"\nCMD [\"/app\"]\n", nil)
		var edits []textedit.Edit
		for _, b := range builds {
			edits = append(edits, si.stripEdits(b)...)
		}
		if got := lastRun(t, si, edits); got != "RUN "+c.want {
			t.Errorf("%s:\n got %s\nwant RUN %s", c.run, got, c.want)
		}
	}
}

func TestCgoOffEdit(t *testing.T) {
	for _, c := range []struct{ run, want, why string }{
		{`go build -o /app .`, `CGO_ENABLED=0 go build -o /app .`, ""},
		{`GOOS=linux go build -o /app .`, `GOOS=linux CGO_ENABLED=0 go build -o /app .`, ""},
		{`env GOOS=linux go build -o /app .`, `env GOOS=linux CGO_ENABLED=0 go build -o /app .`, ""},
		{`nice go build -o /app .`, "", "behind nice"},
		{`["go", "build", "-o", "/app", "."]`, "", "exec form"},
	} {
		si, builds := goStage(t, "FROM golang:1.22\nRUN "+c.run+"\nCMD [\"/app\"]\n", nil)
		e, why := si.cgoOffEdit(builds[0])
		if !strings.Contains(why, c.why) || (c.why == "") != (why == "") {
			t.Errorf("%s: why %q, want %q", c.run, why, c.why)
			continue
		}
		if c.why == "" {
			if got := lastRun(t, si, []textedit.Edit{e}); got != "RUN "+c.want {
				t.Errorf("%s:\n got %s\nwant RUN %s", c.run, got, c.want)
			}
		}
	}
}

func TestGoCgoFree(t *testing.T) {
	mod := "module example.com/app\n\ngo 1.22\n"
	free := map[string]string{"go.mod": mod, "main.go": "package main\n\nfunc main() {}\n"}
	const head = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
	for _, c := range []struct {
		name  string
		src   string
		files map[string]string
		why   string // "" when provably cgo-free
	}{
		{"free", head + "RUN go build -o /app .\n", free, ""},
		{"housekeeping and go mod", "FROM golang:1.22\nRUN apt-get update && apt-get install -y git\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download && go mod verify\nCOPY . .\nRUN mkdir -p /out && go vet ./... && go build -o /out/app .\n", free, ""},
		{"no context", head + "RUN go build -o /app .\n", nil, "build context is not available"},
		{"import C", head + "RUN go build -o /app .\n", map[string]string{"go.mod": mod, "main.go": "package main\n\nimport \"C\"\n"}, `main.go imports "C"`},
		{"cgo module", head + "RUN go build -o /app .\n", map[string]string{"go.mod": mod + "require github.com/mattn/go-sqlite3 v1.14.22\n"}, "needs cgo"},
		{"CGO_ENABLED=1", "FROM golang:1.22\nENV CGO_ENABLED=1\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n", free, "sets CGO_ENABLED=1"},
		{"GOPATH mode", "FROM golang:1.22\nENV GO111MODULE=off\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n", free, "GOPATH mode"},
		{"-race", head + "RUN go build -race -o /app .\n", free, "uses -race"},
		{"c-shared", head + "RUN go build -buildmode=c-shared -o /app.so .\n", free, "-buildmode=c-shared"},
		{"external linking", head + "RUN go build -ldflags '-linkmode external -extldflags -static' -o /app .\n", free, "external linking"},
		{"pie is fine", head + "RUN go build -buildmode=pie -o /app .\n", free, ""},
		{"COPY --from", "FROM golang:1.22 AS gen\nRUN true\nFROM golang:1.22\nWORKDIR /src\nCOPY . .\nCOPY --from=gen /x ./x\nRUN go build -o /app .\n", free, "COPY --from=gen at line 6"},
		{"ADD archive", "FROM golang:1.22\nWORKDIR /src\nADD vendor.tar.gz .\nCOPY . .\nRUN go build -o /app .\n", free, "ADD vendor.tar.gz"},
		{"go generate", head + "RUN go generate ./... && go build -o /app .\n", free, "runs go generate"},
		{"git clone", "FROM golang:1.22\nWORKDIR /src\nRUN git clone https://example.com/x.git .\nRUN go build -o /app .\n", free, "runs git"},
		{"-dev package", "FROM golang:1.22\nRUN apt-get update && apt-get install -y libsqlite3-dev\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n", free, "installs libsqlite3-dev"},
		{"go get of a cgo module", head + "RUN go get github.com/mattn/go-sqlite3@v1.14.22 && go build -o /app .\n", free, "gets github.com/mattn/go-sqlite3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			si, builds := goStage(t, c.src+"CMD [\"/app\"]\n", c.files)
			if got := si.goCgoFree(builds); (got == "") != (c.why == "") || !strings.Contains(got, c.why) {
				t.Errorf("goCgoFree = %q, want %q", got, c.why)
			}
		})
	}
}

func TestStaticRuntime(t *testing.T) {
	const head = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app/server .\n"
	for _, c := range []struct{ tail, ref, why string }{
		{"EXPOSE 8080\nCMD [\"/app/server\"]\n", distrolessNonroot.ref, ""},
		{"ENV TZ=Europe/Paris GOPATH=/go\nCMD [\"/app/server\", \"-tmp\", \"/tmp/x\", \"-self\", \"/app/server\"]\n", distrolessNonroot.ref, ""},
		{"USER nobody\nCMD [\"/app/server\"]\n", distrolessStatic.ref, ""},
		{"EXPOSE 80/tcp\nCMD [\"/app/server\"]\n", distrolessStatic.ref, "exposes port 80"},
		{"EXPOSE $PORT\nCMD [\"/app/server\"]\n", distrolessStatic.ref, "a port dockslim cannot read"},
		{"VOLUME /data\nCMD [\"/app/server\"]\n", distrolessStatic.ref, "declares a volume"},
		{"ENV DB=sqlite:/var/lib/app/db\nCMD [\"/app/server\"]\n", distrolessStatic.ref, "sets DB to /var/lib/app/db"},
		{"CMD [\"/app/server\", \"--log=/var/log/app.log\"]\n", distrolessStatic.ref, "names /var/log/app.log"},
		{"CMD [\"/app/server\", \"--upstream\", \"http://example.com/x\"]\n", distrolessNonroot.ref, ""},
	} {
		si, _ := goStage(t, head+c.tail, nil)
		p := &plan{}
		p.addBinaries([]string{"/app/server"})
		rt, why := si.staticRuntime(p)
		if rt.ref != c.ref || (why == "") != (c.why == "") || !strings.Contains(why, c.why) {
			t.Errorf("%q: got %s (%s), want %s (%s)", c.tail, rt.ref, why, c.ref, c.why)
		}
	}
}

func TestRuntimeUsesWorkdir(t *testing.T) {
	const head = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /src/bin/server .\n"
	for tail, want := range map[string]bool{
		"CMD [\"/src/bin/server\"]\n":                             false,
		"CMD [\"server\", \"--port\", \"8080\"]\n":                false,
		"COPY config.yaml /etc/app/\nCMD [\"/src/bin/server\"]\n": false,
		"WORKDIR /data\nCOPY x .\nCMD [\"/src/bin/server\"]\n":    false,
		"CMD [\"./bin/server\"]\n":                                true,
		"CMD [\"bin/server\"]\n":                                  true,
		"COPY config.yaml .\nCMD [\"/src/bin/server\"]\n":         true,
		"RUN mkdir /data\nCMD [\"/src/bin/server\"]\n":            true,
		"WORKDIR data\nCMD [\"/src/bin/server\"]\n":               true,
	} {
		si, builds := goStage(t, head+tail, nil)
		p := &plan{build: builds[0].c.in}
		p.addBinaries([]string{"/src/bin/server"})
		if got := si.runtimeUsesWorkdir(p.build, p); got != want {
			t.Errorf("%q: runtimeUsesWorkdir = %v, want %v", tail, got, want)
		}
	}
}
