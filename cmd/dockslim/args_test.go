package main

import (
	"strings"
	"testing"
)

func TestInterspersed(t *testing.T) {
	app := newApp(strings.NewReader(""), nil, nil)
	for in, want := range map[string]string{
		"dockslim fix Dockerfile --diff":                "dockslim fix --diff Dockerfile",
		"dockslim check a --format json b -q":           "dockslim check --format json -q a b",
		"dockslim check a --format=json":                "dockslim check --format=json a",
		"dockslim fix - --stdin-filename x/Dockerfile":  "dockslim fix --stdin-filename x/Dockerfile -",
		"dockslim fix --check -- -odd --diff":           "dockslim fix --check -- -odd --diff",
		"dockslim --version":                            "dockslim --version",
		"dockslim nosuch a --b":                         "dockslim nosuch a --b",
		"dockslim fix --write --unsafe-fixes a --check": "dockslim fix --write --unsafe-fixes --check a",
	} {
		if got := strings.Join(interspersed(app, strings.Fields(in)), " "); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestIsDockerfileName(t *testing.T) {
	yes := []string{"Dockerfile", "dockerfile", "DOCKERFILE", "Containerfile", "web.Dockerfile", "api.dockerfile",
		"Dockerfile.prod", "dockerfile.dev", "Containerfile.ci", "x.Containerfile"}
	no := []string{"Dockerfile.md", "Dockerfile.orig~", "Dockerfile~", "Dockerfile.orig", "Dockerfile.bak", "Dockerfile.rej",
		".Dockerfile.swp", "Dockerfile.dockerignore", "web.Dockerfile.dockerignore", "Dockerfile.tmpl", "README.md",
		".Dockerfile.dockslim-123", "Dockerfiles", "MyDockerfile"}
	for _, n := range yes {
		if !IsDockerfileName(n) {
			t.Errorf("%s is a Dockerfile", n)
		}
	}
	for _, n := range no {
		if IsDockerfileName(n) {
			t.Errorf("%s is not a Dockerfile", n)
		}
	}
}

func TestSuggest(t *testing.T) {
	app := newApp(strings.NewReader(""), nil, nil)
	for in, want := range map[string]string{"chek": "check", "fx": "fix", "rule": "rules", "comp": "completion"} {
		if got := suggest(app, in); !strings.Contains(got, want) {
			t.Errorf("suggest(%s) = %q, want %s", in, got, want)
		}
	}
	if got := suggest(app, "zzzzzzz"); got != "" {
		t.Errorf("suggest(zzzzzzz) = %q", got)
	}
}
