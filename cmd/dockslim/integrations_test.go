package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The file patterns of the pre-commit hooks and of the GitHub Action select
// exactly the names dockslim recognises in folders.
func TestHookPatterns(t *testing.T) {
	hooks, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	action, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	values := func(src []byte, key string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`(?m)^\s*`+key+`: '?(.*?)'?$`).FindAllSubmatch(src, -1) {
			out = append(out, strings.TrimPrefix(string(m[1]), "(?i)"))
		}
		return out
	}
	files, excludes := values(hooks, "files"), values(hooks, "exclude")
	files, excludes = append(files, values(action, "PATTERN")...), append(excludes, values(action, "EXCLUDE")...)
	if len(files) != 3 || len(excludes) != 3 {
		t.Fatalf("found %d files and %d exclude patterns, want 3 each (2 hooks, the action)", len(files), len(excludes))
	}
	names := []string{"Dockerfile", "dockerfile", "DOCKERFILE", "Containerfile", "web.Dockerfile", "api.dockerfile",
		"Dockerfile.prod", "dockerfile.dev", "Containerfile.ci", "x.Containerfile", "Dockerfile.md", "Dockerfile.orig~",
		"Dockerfile~", "Dockerfile.orig", "Dockerfile.bak", "Dockerfile.rej", ".Dockerfile.swp", "Dockerfile.dockerignore",
		"web.Dockerfile.dockerignore", "Dockerfile.tmpl", "Dockerfile.yaml", "README.md", "Dockerfiles", "MyDockerfile",
		"Makefile", "Dockerfile.j2", "Dockerfile.jinja2", "Dockerfile.in", "Dockerfile.sh"}
	for i := range files {
		inc, exc := regexp.MustCompile("(?i)"+files[i]), regexp.MustCompile("(?i)"+excludes[i])
		if files[i] != files[0] || excludes[i] != excludes[0] {
			t.Errorf("pattern %d differs from the first hook's", i)
		}
		for _, n := range names {
			for _, p := range []string{n, "svc/api/" + n} {
				if got := inc.MatchString(p) && !exc.MatchString(p); got != IsDockerfileName(n) {
					t.Errorf("pattern %d on %s: %v, dockslim says %v", i, p, got, IsDockerfileName(n))
				}
			}
		}
	}
}

// dockslim's own Dockerfile (multi-stage, static, distroless) is one that
// dockslim leaves unchanged and finds nothing in, unsafe fixes included.
func TestOwnDockerfile(t *testing.T) {
	path := filepath.Join("..", "..", "Dockerfile")
	for _, args := range [][]string{{"check"}, {"fix", "--check", "--unsafe-fixes"}, {"fix", "--check"}} {
		var out bytes.Buffer
		code := run(append(append([]string{"dockslim"}, args...), path), strings.NewReader(""), &out, &out)
		if code != exitOK {
			t.Errorf("dockslim %v Dockerfile: exit %d\n%s", args, code, out.String())
		}
	}
}
