package slimbase

import (
	"os"
	"path"
	"path/filepath"
	"strings"
)

// PipBuildDeps reads a pip install argv (literal requirements, and -r files
// found in the build context contextDir) and returns the projects it
// installs that pip compiles from source (pipNative), each with the Debian
// -dev packages it builds against. unread lists the -r files dockslim could
// not read (no context, missing, or a variable), whose projects it cannot
// tell. local says why a local project it installs compiles (C extensions),
// or is "" when none does. The multi-stage split uses it to give its
// runtime stage the libraries those projects link.
func PipBuildDeps(args []string, contextDir string) (deps map[string][]string, unread []string, local string) {
	deps = map[string][]string{}
	for _, p := range pipInstallPackages(args, contextDir) {
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
		if req && !requirementsReadable(contextDir, name) {
			if name == "" {
				name = "a file named by a variable"
			}
			unread = append(unread, name)
		}
	}
	for _, dir := range pipLocalProjects(args) {
		if why := localProjectCompiles(contextDir, dir); why != "" && local == "" {
			local = why
		}
	}
	return deps, unread, local
}

// requirementsReadable reports whether requirementsFile finds name.
func requirementsReadable(contextDir, name string) bool {
	if contextDir == "" || name == "" || strings.Contains(name, "$") {
		return false
	}
	for _, p := range []string{filepath.Join(contextDir, filepath.FromSlash(strings.TrimPrefix(name, "/"))), filepath.Join(contextDir, path.Base(name))} {
		if !strings.HasPrefix(filepath.Clean(p), filepath.Clean(contextDir)) {
			continue
		}
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}
