package layerorder

import (
	"strings"
)

func describeCargo(c *command) *toolRun {
	pos, _ := c.positional(cargoValOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "rust"}
	}
	switch pos[0] {
	case "install":
		if !c.has("--path") && len(pos) > 1 {
			return &toolRun{eco: "rust"}
		}
	case "--version", "version":
		return &toolRun{eco: "rust"}
	}
	return &toolRun{eco: "rust", kind: kindBuild, tree: true, runsScripts: true, outputs: []string{"target"},
		why:    "Cargo compiles the project from the source",
		report: "Cargo downloads and compiles every dependency while it builds the crate; dockslim does not split this (the dummy-main trick can ship a stale binary): use cargo-chef, or BuildKit cache mounts on /usr/local/cargo/registry and target"}
}

func describeDotnet(c *command) *toolRun {
	pos, _ := c.positional(dotValueOpts)
	if len(pos) == 0 {
		return &toolRun{eco: "dotnet"}
	}
	proj := files("*.csproj", "NuGet.config?", "nuget.config?", "global.json?", "Directory.Build.props?", "Directory.Packages.props?", "Directory.Build.targets?")
	projArg := ""
	if len(pos) > 1 && (strings.HasSuffix(pos[1], "proj") || strings.HasSuffix(pos[1], ".sln")) {
		projArg = pos[1]
		proj[0] = manifest{rel: projArg}
	}
	switch pos[0] {
	case "restore":
		return &toolRun{eco: "dotnet", kind: kindInstall, files: proj, outputs: []string{"obj"}}
	case "build", "publish", "test", "pack", "run":
		argv := []string{"dotnet", "restore"}
		if projArg != "" {
			argv = append(argv, projArg)
		}
		t := &toolRun{eco: "dotnet", kind: kindBuild, tree: true, outputs: append([]string{"obj", "bin"}, c.optValues("-o", "--output")...),
			why:  "`dotnet " + pos[0] + "` compiles the source",
			step: &stepSpec{argv: argv, files: proj}}
		if pos[0] == "run" || pos[0] == "test" {
			t.runsScripts = true
		}
		return t
	case "tool", "nuget", "--info", "--version", "new", "dev-certs", "workload":
		if pos[0] != "new" {
			return &toolRun{eco: "dotnet"}
		}
	}
	return &toolRun{eco: "dotnet", kind: kindBuild, tree: true, runsScripts: true, why: "`dotnet " + pos[0] + "` works on the project"}
}
