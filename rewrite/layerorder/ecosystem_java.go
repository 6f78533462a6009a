package layerorder

import (
	"path"
	"slices"
)

var mavenDepGoals = []string{"dependency:go-offline", "dependency:resolve", "dependency:resolve-plugins",
	"de.qaware.maven:go-offline-maven-plugin:resolve-dependencies"}

func describeMaven(c *command) *toolRun {
	pos, _ := c.positional(mvnValueOpts)
	argv0 := "mvn"
	wrapper := []string{}
	if c.name == "mvnw" {
		argv0 = "./mvnw"
		if c.sh != nil {
			if v, ok := c.sh.Arg(0); ok {
				argv0 = v
			}
		}
		wrapper = []string{path.Clean(argv0), ".mvn/"}
	}
	pom := "pom.xml"
	if f := c.optValues("-f", "--file"); len(f) > 0 {
		pom = f[0]
	}
	deps := len(pos) > 0
	for _, g := range pos {
		deps = deps && slices.Contains(mavenDepGoals, g)
	}
	if deps {
		return &toolRun{eco: "maven", kind: kindInstall, files: files(append([]string{pom}, wrapper...)...)}
	}
	argv := []string{argv0}
	for _, a := range c.args {
		if a.v == "-B" || a.v == "--batch-mode" || a.v == "-q" || a.v == "--quiet" || a.v == "-ntp" || a.v == "--no-transfer-progress" {
			argv = append(argv, a.v)
		}
	}
	if pom != "pom.xml" {
		argv = append(argv, "-f", pom)
	}
	argv = append(argv, "dependency:go-offline")
	return &toolRun{eco: "maven", kind: kindBuild, tree: true, runsScripts: true, outputs: []string{"target"},
		why:  "Maven builds the project from the source",
		step: &stepSpec{argv: argv, files: files(append([]string{pom}, wrapper...)...)}}
}
