package layerorder

import (
	"path"
	"strings"
)

func describeGo(c *command) *toolRun {
	pos, _ := c.positional(goValueOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "go"}
	}
	if c.has("-C") {
		return &toolRun{eco: "go", kind: kindBuild, tree: true, runsScripts: true, why: "go -C"}
	}
	goStep := &stepSpec{argv: []string{"go", "mod", "download"}, files: files("go.mod", "go.sum?+")}
	switch pos[0] {
	case "mod":
		if len(pos) > 1 && pos[1] == "download" {
			return &toolRun{eco: "go", kind: kindInstall, files: files("go.mod", "go.sum?+")}
		}
		return &toolRun{eco: "go", kind: kindBuild, tree: true, why: "`" + strings.Join(append([]string{"go"}, pos[:min(len(pos), 2)]...), " ") + "` works on the source"}
	case "install":
		remote := len(pos) > 1
		for _, p := range pos[1:] {
			remote = remote && strings.Contains(p, "@")
		}
		if remote {
			return &toolRun{eco: "go"}
		}
		fallthrough
	case "build", "test", "vet", "generate", "run", "list":
		t := &toolRun{eco: "go", kind: kindBuild, tree: true, step: goStep, why: "`go " + pos[0] + "` compiles the source"}
		t.outputs = c.optValues("-o")
		if pos[0] == "run" || pos[0] == "generate" || pos[0] == "test" {
			t.runsScripts = true
		}
		return t
	case "env", "version", "clean", "telemetry":
		return &toolRun{eco: "go"}
	}
	return &toolRun{eco: "go", kind: kindBuild, tree: true, runsScripts: true, why: "`go " + pos[0] + "` works on the source"}
}

// goModCheck says why go mod download needs the source ("" when it does
// not): local replacements, vendoring, a workspace.
func (a *analysis) goModCheck(lines []string, ctxRel string) string {
	for _, l := range lines {
		if _, target, ok := strings.Cut(l, "=>"); ok {
			if t := strings.TrimSpace(target); strings.HasPrefix(t, ".") || strings.HasPrefix(t, "/") {
				return "go.mod replaces a module with a local folder (" + strings.TrimSpace(l) + "), which needs the source"
			}
		}
	}
	dir := path.Dir(ctxRel)
	if a.ctx.file(path.Join(dir, "vendor/modules.txt")) {
		return "the Go modules are vendored (vendor/modules.txt): the build downloads nothing"
	}
	if a.ctx.file(path.Join(dir, "go.work")) {
		return "go.work makes this a Go workspace; the download needs every module's go.mod"
	}
	return ""
}
