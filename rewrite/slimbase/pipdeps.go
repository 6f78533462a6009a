package slimbase

import (
	"io/fs"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/pyproject"
	"github.com/dockslim/dockslim/rewrite"
)

// PipBuildDeps reads a pip install argv (literal requirements, and -r files
// found in the build context ctx, .dockerignore applied) and returns the projects it
// installs that pip compiles from source (pipNative), each with the Debian
// -dev packages it builds against. unread lists the -r files dockslim could
// not read (no context, missing, or a variable), whose projects it cannot
// tell. local says why a local project it installs compiles (C extensions),
// or is "" when none does. The multi-stage split uses it to give its
// runtime stage the libraries those projects link.
func PipBuildDeps(args []string, ctx fs.FS) (deps map[string][]string, unread []string, local string) {
	deps = map[string][]string{}
	for _, p := range pipInstallPackages(args, ctx) {
		if d, ok := pipNative[p]; ok {
			deps[p] = d
		}
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		name, req := "", true
		switch {
		case a == "-r" || a == "--requirement":
			if i+1 < len(args) {
				name = args[i+1] // "" when not literal
				i++
			}
		case strings.HasPrefix(a, "--requirement="):
			name = strings.TrimPrefix(a, "--requirement=")
		case strings.HasPrefix(a, "-r") && len(a) > 2:
			name = a[2:]
		default:
			req = false
		}
		if req && !requirementsReadable(ctx, name) {
			if name == "" {
				name = "a file named by a variable"
			}
			unread = append(unread, name)
		}
	}
	for _, dir := range pipLocalProjects(args) {
		if why := localProjectCompiles(ctx, dir); why != "" && local == "" {
			local = why
		}
	}
	return deps, unread, local
}

// requirementsReadable reports whether requirementsFile finds name.
func requirementsReadable(ctx fs.FS, name string) bool {
	if ctx == nil || name == "" || strings.Contains(name, "$") {
		return false
	}
	for _, p := range requirementsCandidates(name) {
		if st, err := fs.Stat(ctx, p); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// requirementsCandidates are the context paths a requirements file named
// in a RUN may be at: the path as written (relative to the context), then
// its base name.
func requirementsCandidates(name string) []string {
	var out []string
	if p, ok := rewrite.ContextPath(name); ok {
		out = append(out, p)
	}
	return append(out, path.Base(name))
}

// LocalLinks says what the C extensions of the local projects a pip
// install argv builds link besides the C library and Python ("" when
// provably nothing: pyproject.ExtensionLinks), for a runtime stage that
// gets only the slim image's libraries.
func LocalLinks(args []string, ctx fs.FS) string {
	for _, dir := range pipLocalProjects(args) {
		if localProjectCompiles(ctx, dir) == "" {
			continue
		}
		root, in := rewrite.ContextPath(dir)
		if ctx == nil || strings.HasPrefix(dir, "/") || !in {
			return dir + " is not read from the build context"
		}
		if why := pyproject.ExtensionLinks(ctx, root); why != "" {
			return why
		}
	}
	return ""
}
