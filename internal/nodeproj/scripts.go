package nodeproj

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// maxDepth bounds how deep scripts that run other scripts are followed.
const maxDepth = 4

// Leaves calls leaf with every command that argv runs once the package
// manager's scripts are expanded: "npm start" is package.json's start
// script (npm's default "node server.js" without one) with its prestart
// and poststart, "npm run build" the build script, "yarn build" and "pnpm
// build" the build script too, each script split into its commands, and
// those followed in turn (cross-env and VAR=value words dropped). It
// returns the first non-empty answer of leaf, or why a script cannot be
// followed.
func (m *Manifest) Leaves(argv []string, leaf func(argv []string) string) string {
	return m.leaves(argv, leaf, 0)
}

func (m *Manifest) leaves(argv []string, leaf func(argv []string) string, depth int) string {
	argv = stripEnv(argv)
	if len(argv) == 0 {
		return ""
	}
	names, runs := m.ScriptsRun(argv)
	if !runs {
		return leaf(argv)
	}
	if depth >= maxDepth {
		return "runs " + strings.Join(argv, " ") + ", whose scripts nest too deep to follow"
	}
	if len(names) == 0 {
		return "runs " + strings.Join(argv, " ") + ", which dockslim cannot follow"
	}
	for _, name := range names {
		text, ok := m.Scripts[name]
		switch {
		case !ok && name == "start":
			text = "node server.js" // npm's default
		case !ok:
			return "runs " + strings.Join(argv, " ") + ", but package.json has no " + name + " script"
		}
		s := parser.ParseShell(text, 0)
		if s.Err != nil {
			return "runs the " + name + " script (" + text + "), which does not parse as shell"
		}
		for _, c := range shellcmd.Commands(s) {
			args, lit := c.Lits(), true
			for i := range c.Args {
				_, ok := c.Arg(i)
				lit = lit && ok
			}
			if !lit {
				return "runs the " + name + " script (" + text + "), whose words are not all literal"
			}
			if why := m.leaves(args, leaf, depth+1); why != "" {
				return why
			}
		}
	}
	return ""
}

// stripEnv drops what only sets variables: cross-env and VAR=value words.
func stripEnv(argv []string) []string {
	for len(argv) > 0 && (path.Base(argv[0]) == "cross-env" || strings.Contains(argv[0], "=") && !strings.HasPrefix(argv[0], "-")) {
		argv = argv[1:]
	}
	return argv
}

// ScriptsRun says whether argv runs package.json scripts through npm,
// yarn or pnpm, and which ones, in order (pre and post scripts around
// each). runs is true with no names when it runs scripts dockslim cannot
// name (a variable, npm exec).
func (m *Manifest) ScriptsRun(argv []string) (names []string, runs bool) {
	t := shellcmd.ToolOf(argv[0])
	if t != shellcmd.Npm && t != shellcmd.Yarn && t != shellcmd.Pnpm {
		return nil, false
	}
	lit := make([]bool, len(argv))
	for i := range lit {
		lit[i] = true
	}
	inv := t.Parse(argv, lit)
	name := ""
	switch v := inv.Verb; {
	case v == "start" || v == "test" || v == "stop" || v == "restart":
		name = v
	case v == "t" || v == "tst":
		name = "test"
	case v == "run" || v == "run-script" || v == "rum" || v == "urn":
		if len(inv.Operands) == 0 {
			return nil, true
		}
		name = argv[inv.Operands[0]]
	case t != shellcmd.Npm && v != "":
		// yarn NAME and pnpm NAME run a script of that name, else a binary.
		if _, ok := m.Scripts[v]; !ok {
			return nil, false
		}
		name = v
	default:
		return nil, false
	}
	for _, n := range []string{"pre" + name, name, "post" + name} {
		if _, ok := m.Scripts[n]; ok || n == name {
			names = append(names, n)
		}
	}
	return names, true
}

// binaries maps the programs of common development tools to the packages
// that provide them, where the two names differ.
var binaries = []string{
	"tsc", "typescript", "tsserver", "typescript", "babel", "@babel/cli", "babel-node", "@babel/node",
	"ncc", "@vercel/ncc", "swc", "@swc/cli", "nest", "@nestjs/cli", "webpack-cli", "webpack-cli",
	"vue-cli-service", "@vue/cli-service", "ng", "@angular/cli", "tsc-alias", "tsc-alias",
	"ts-node-dev", "ts-node-dev", "tsnd", "ts-node-dev", "ts-node", "ts-node", "ts-node-esm", "ts-node",
	"rimraf", "rimraf", "nyc", "nyc", "c8", "c8", "run-s", "npm-run-all", "run-p", "npm-run-all",
}

// PackageOf is the dependency that provides a program run from
// node_modules/.bin: the package of that name, or the package the table of
// common tools names; dev says whether it is a devDependency only, known
// whether package.json lists it at all.
func (m *Manifest) PackageOf(program string) (pkg string, dev, known bool) {
	program = path.Base(program)
	cands := []string{program}
	for i := 0; i+1 < len(binaries); i += 2 {
		if binaries[i] == program {
			cands = append(cands, binaries[i+1])
		}
	}
	for _, c := range cands {
		_, prod := m.Deps[c]
		_, opt := m.OptionalDeps[c]
		if prod || opt {
			return c, false, true
		}
		if slices.Contains(m.DevNames(), c) {
			return c, true, true
		}
	}
	return "", false, false
}
