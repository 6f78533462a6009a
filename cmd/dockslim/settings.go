package main

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/config"
	"github.com/dockslim/dockslim/rewrite"
)

// configChecks validate a .dockslim.toml's rule names against the engine.
func configChecks(e *rewrite.Engine) config.Checks {
	return config.Checks{
		UnknownSelectors: e.UnknownSelectors,
		IsRule:           func(id string) bool { r := e.LookupRule(id); return r != nil && r.ID == id },
		RuleKeys: func(id string) []string {
			if r := e.LookupRule(id); r != nil {
				return r.ConfigKeys
			}
			return nil
		},
	}
}

// configPath is where a Dockerfile's configuration is looked for from:
// standard input's is --stdin-filename's, else the current folder's.
func configPath(p, stdinName string) string {
	if p != "-" {
		return p
	}
	if stdinName != "" {
		return stdinName
	}
	return "Dockerfile"
}

// settingsFor are the settings of the Dockerfile at path.
func settingsFor(finder *config.Finder, path string) (config.Settings, error) {
	f, err := finder.For(path)
	if err != nil {
		return config.Settings{}, err
	}
	return f.Settings(path), nil
}

// withSettings applies a file's settings to the options of the command
// line: a flag given on the command line wins; a true from either side
// turns unsafe fixes and cache mounts on (check always reports unsafe
// fixes).
func withSettings(c *cli.Context, o rewrite.Options, s config.Settings) rewrite.Options {
	if !c.IsSet("select") {
		o.Selector.Select = s.Select
	}
	if !c.IsSet("ignore") {
		o.Selector.Ignore = s.Ignore
	}
	if !c.IsSet("unsafe-fixes") {
		o.UnsafeFixes = o.UnsafeFixes || s.UnsafeFixes
	}
	if !c.IsSet("cache-mounts") {
		o.CacheMounts = o.CacheMounts || s.CacheMounts
	}
	o.Bases = s.Bases()
	return o
}

func configCommand() *cli.Command {
	return &cli.Command{
		Name:      "config",
		Usage:     "print the settings that apply to a Dockerfile and where each came from",
		ArgsUsage: "[PATH] (a Dockerfile or a folder; default: the current folder)",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "unsafe-fixes", Usage: "as fix --unsafe-fixes"},
		}, commonFlags()...),
		Action: configAction,
	}
}

func configAction(c *cli.Context) error {
	e, ok := newEngine(c)
	if !ok {
		return exitCode(exitError)
	}
	path := c.Args().First()
	if path == "" {
		path = "."
	}
	if st, err := statDir(path); err == nil && st {
		path = filepath.Join(path, "Dockerfile")
	}
	finder := &config.Finder{Explicit: c.String("config"), Checks: configChecks(e)}
	f, err := finder.For(path)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim: %v\n", err)
		return exitCode(exitError)
	}
	s := f.Settings(path)
	for _, flag := range []string{"select", "ignore", "unsafe-fixes", "cache-mounts"} {
		if c.IsSet(flag) {
			s.From[flag] = "--" + flag
		}
	}
	o := withSettings(c, rewrite.Options{UnsafeFixes: c.Bool("unsafe-fixes"), CacheMounts: c.Bool("cache-mounts"),
		Selector: rewrite.Selector{Select: splitComma(c.String("select")), Ignore: splitComma(c.String("ignore"))}}, s)
	printSettings(c.App.Writer, filepath.ToSlash(path), f, o, s)
	return nil
}

// printSettings writes the effective settings as TOML, each with where it
// came from.
func printSettings(w io.Writer, path string, f *config.File, o rewrite.Options, s config.Settings) {
	fmt.Fprintf(w, "# settings for %s\n", path)
	if f != nil {
		fmt.Fprintf(w, "# configuration file: %s\n", f.Path)
	} else {
		fmt.Fprintf(w, "# configuration file: none (no %s in its folder or above)\n", config.FileName)
	}
	line := func(key, value string) { fmt.Fprintf(w, "%-32s # %s\n", key+" = "+value, s.From[key]) }
	line("select", tomlList(o.Selector.Select))
	line("ignore", tomlList(o.Selector.Ignore))
	line("unsafe-fixes", fmt.Sprint(o.UnsafeFixes))
	line("cache-mounts", fmt.Sprint(o.CacheMounts))
	line("alpine", fmt.Sprint(s.Alpine))
	line("registry-mirror", fmt.Sprintf("%q", s.RegistryMirror))
	ids := slices.Sorted(maps.Keys(s.Severity))
	for id := range s.RuntimeBase {
		if _, ok := s.Severity[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "\n[rules.%s]\n", id)
		for _, kv := range [][2]string{{"severity", s.Severity[id]}, {"runtime-base", s.RuntimeBase[id]}} {
			if kv[1] != "" {
				line := fmt.Sprintf("%s = %q", kv[0], kv[1])
				fmt.Fprintf(w, "%-32s # %s\n", line, s.From["rules."+id+"."+kv[0]])
			}
		}
	}
}

func tomlList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
