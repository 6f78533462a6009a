// Package pkgcache holds the passes that keep package managers' caches,
// recommended packages and index files out of image layers.
package pkgcache

import (
	"strings"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/shellcmd"
)

// RulePipNoCacheDir is DS101.
var RulePipNoCacheDir = &rewrite.Rule{
	ID:      "DS101",
	Name:    "pip-no-cache-dir",
	Summary: "pip install keeps its download cache in the layer; add --no-cache-dir",
	Explanation: `pip stores every wheel and source archive it downloads under ~/.cache/pip.
In a RUN, that cache is written into the image layer and shipped with the image,
often tens or hundreds of MB, and no later RUN can remove it from that layer.

dockslim adds --no-cache-dir right after "install". It leaves the command alone
when caching is already handled: the command has --no-cache-dir or --cache-dir,
PIP_NO_CACHE_DIR is set by ENV or ARG in the stage (or on the command itself),
or the RUN has a BuildKit cache mount on pip's cache folder.`,
	Before:        "RUN pip install -r requirements.txt",
	After:         "RUN pip install --no-cache-dir -r requirements.txt",
	Applicability: rewrite.Safe,
	Severity:      rewrite.Warning,
	Hadolint:      []string{"DL3042"},
	Parfum:        []string{"pipUseNoCacheDir"},
}

func init() {
	rewrite.Register(&rewrite.Pass{Name: "pip", Rules: []*rewrite.Rule{RulePipNoCacheDir}, Run: runPip})
}

// IsPip reports whether a command name is pip: pip, pip3, pip3.11.
func IsPip(name string) bool {
	rest, ok := strings.CutPrefix(name, "pip")
	return ok && strings.Trim(rest, "0123456789.") == ""
}

// pip's global options that take a value (they may come before "install").
var pipValueOpts = map[string]bool{
	"--log": true, "--proxy": true, "--retries": true, "--timeout": true,
	"--exists-action": true, "--trusted-host": true, "--cert": true,
	"--client-cert": true, "--cache-dir": true, "--python": true,
	"--use-feature": true, "--use-deprecated": true, "--keyring-provider": true,
}

// Subcommand returns the index in cmd.Args of the first word that is not an
// option (nor an option's value) after Args[0], or -1.
func Subcommand(cmd *shellcmd.Command, valueOpts map[string]bool) int {
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok {
			return -1
		}
		if !strings.HasPrefix(a, "-") {
			return i
		}
		if valueOpts[a] && !strings.Contains(a, "=") {
			i++
		}
	}
	return -1
}

func pipCacheHandled(f *parser.File, in *parser.Instruction, cmd *shellcmd.Command) bool {
	if cmd != nil {
		if _, ok := cmd.Assigns["PIP_NO_CACHE_DIR"]; ok {
			return true
		}
		for i := range cmd.Args {
			if a, _ := cmd.Arg(i); a == "--no-cache-dir" || a == "--cache-dir" || strings.HasPrefix(a, "--cache-dir=") {
				return true
			}
		}
	}
	if _, ok := f.EnvBefore(in, "PIP_NO_CACHE_DIR"); ok {
		return true
	}
	return hasCacheMount(f, in, "/root/.cache/pip", "PIP_CACHE_DIR")
}

// hasCacheMount reports whether a cache mount of the RUN covers dir (or the
// folder named by the environment variable envDir, when set).
func hasCacheMount(f *parser.File, in *parser.Instruction, dir, envDir string) bool {
	if v, ok := f.EnvBefore(in, envDir); ok && v != "" {
		dir = v
	}
	for _, t := range in.CacheMountTargets() {
		t = strings.TrimRight(t, "/")
		if t == dir || strings.HasPrefix(dir, t+"/") || t == "" {
			return true
		}
	}
	return false
}

func runPip(c *rewrite.Context) {
	f := c.File
	for _, in := range f.Instructions {
		if !in.Is("run") {
			continue
		}
		if in.JSON {
			pipJSON(c, in)
			continue
		}
		for _, cmd := range shellcmd.All(in) {
			if !IsPip(cmd.Name) {
				continue
			}
			sub := Subcommand(cmd, pipValueOpts)
			if v, _ := cmd.Arg(sub); v != "install" || pipCacheHandled(f, in, cmd) {
				continue
			}
			_, end := cmd.Span(sub)
			c.Fixf(RulePipNoCacheDir, end-len("install"), InsertAt(end, " --no-cache-dir"),
				"%s install: add --no-cache-dir so the download cache stays out of the layer", cmd.Name)
		}
	}
}

// pipJSON handles exec form: RUN ["pip", "install", "x"].
func pipJSON(c *rewrite.Context, in *parser.Instruction) {
	args := in.JSONArgs
	if len(args) < 2 {
		return
	}
	i := 0
	name := args[0].Value[strings.LastIndex(args[0].Value, "/")+1:]
	if strings.HasPrefix(name, "python") && len(args) > 2 && args[1].Value == "-m" {
		i, name = 2, args[2].Value
	}
	if !IsPip(name) || i+1 >= len(args) || args[i+1].Value != "install" {
		return
	}
	for _, a := range args {
		if a.Value == "--no-cache-dir" || strings.HasPrefix(a.Value, "--cache-dir") {
			return
		}
	}
	if pipCacheHandled(c.File, in, nil) {
		return
	}
	c.Fixf(RulePipNoCacheDir, args[i+1].Start, JSONInsertAfter(c.File, in, i+1, "--no-cache-dir"),
		"%s install: add --no-cache-dir so the download cache stays out of the layer", name)
}
