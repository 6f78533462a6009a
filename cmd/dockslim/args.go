package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a command's flags before its paths, so that
// `dockslim fix Dockerfile --diff` means `dockslim fix --diff Dockerfile`
// (urfave/cli, like Go's flag package, stops at the first path). Everything
// after "--" stays a path; "-" (standard input) is a path.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	// The command: the first argument that is not a global flag.
	ci := 1
	for ci < len(args) && strings.HasPrefix(args[ci], "-") && args[ci] != "-" && args[ci] != "--" {
		ci++
	}
	if ci >= len(args) {
		return args
	}
	cmd := app.Command(args[ci])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flags, paths []string
	rest := args[ci+1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			paths = append(paths, rest[i+1:]...)
			i = len(rest)
		case a == "-" || !strings.HasPrefix(a, "-"):
			paths = append(paths, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		}
	}
	out := append(append([]string{}, args[:ci+1]...), flags...)
	for _, p := range paths {
		if p != "-" && strings.HasPrefix(p, "-") {
			return append(append(out, "--"), paths...)
		}
	}
	return append(out, paths...)
}

// suggest names the commands close to an unknown one: a prefix of it, or
// within two edits.
func suggest(app *cli.App, name string) string {
	var close []string
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		if strings.HasPrefix(c.Name, name) || editDistance(c.Name, name) <= 2 {
			close = append(close, c.Name)
		}
	}
	if len(close) == 0 {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", strings.Join(close, " or "))
}

// editDistance is Levenshtein's distance between two short words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
