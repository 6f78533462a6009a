package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/rewrite"
)

// skipDirs are never searched for Dockerfiles.
var skipDirs = []string{".git", "node_modules", "vendor"}

// notDockerfileExts are the suffixes of Dockerfile.<suffix> names that are
// not Dockerfiles: documentation, data, scripts, templates (which seldom
// parse), patches, signatures, and BuildKit's per-Dockerfile ignore file.
var notDockerfileExts = []string{
	"md", "markdown", "rst", "txt", "adoc", "html", "json", "yaml", "yml", "toml", "sh", "ps1", "bat",
	"dockerignore", "patch", "diff", "log", "j2", "jinja", "jinja2", "tmpl", "tpl", "template", "erb", "in", "m4",
	"sig", "asc", "sha256",
}

// backupSuffixes end the names of editors' and tools' copies of a file.
var backupSuffixes = []string{"~", ".orig", ".bak", ".rej", ".swp", ".swo", ".tmp", ".old", ".save"}

// IsDockerfileName reports whether a base name is one dockslim looks for in
// folders, in any case: Dockerfile, Containerfile, *.Dockerfile,
// *.Containerfile, and Dockerfile.<suffix> or Containerfile.<suffix> except
// documentation, data, templates and the like (Dockerfile.md,
// Dockerfile.dockerignore); never a hidden file or a backup (Dockerfile~,
// Dockerfile.orig, Dockerfile.bak, Dockerfile.rej, .Dockerfile.swp).
func IsDockerfileName(base string) bool {
	lower := strings.ToLower(base)
	if strings.HasPrefix(lower, ".") {
		return false
	}
	for _, suf := range backupSuffixes {
		if strings.HasSuffix(lower, suf) {
			return false
		}
	}
	for _, name := range []string{"dockerfile", "containerfile"} {
		switch {
		case lower == name, strings.HasSuffix(lower, "."+name):
			return true
		case strings.HasPrefix(lower, name+"."):
			ext := lower[strings.LastIndexByte(lower, '.')+1:]
			return !slices.Contains(notDockerfileExts, ext)
		}
	}
	return false
}

// discover expands folders into the Dockerfiles below them, sorted, and
// follows symlinks to Dockerfiles (not to folders: no loops); files named
// explicitly are kept whatever their name. "-" stays "-". A file named
// twice, or reached through two names, is processed once. A folder without
// a Dockerfile is an error: a CI job pointed at the wrong folder must not
// pass in silence.
func discover(paths []string) ([]string, []error) {
	var out []string
	var errs []error
	seen := map[string]bool{}
	keep := func(p string) {
		key := p
		if p != "-" {
			if real, err := filepath.EvalSymlinks(p); err == nil {
				key = real
			}
			key = filepath.Clean(key)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if p == "-" || err != nil || !st.IsDir() {
			keep(p) // reading it says what is wrong, if anything
			continue
		}
		found := 0
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			if d.IsDir() {
				if path != p && slices.Contains(skipDirs, d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if !IsDockerfileName(d.Name()) {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
					return nil
				}
			} else if !d.Type().IsRegular() {
				return nil // a FIFO or a device is never a Dockerfile
			}
			found++
			keep(path)
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
		if found == 0 {
			errs = append(errs, fmt.Errorf("no Dockerfile found in %s (looked for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*, in any case)", p))
		}
	}
	return out, errs
}

// job is one file's outcome.
type job struct {
	path    string // as the user named it ("-" for stdin)
	display string // name for messages and diff headers
	opts    rewrite.Options
	// severity overrides rules' severities in reports (.dockslim.toml).
	severity map[string]string
	res      *rewrite.Result
	err      error
	info     fs.FileInfo // the file's, when read from disk
}

func displayName(p, stdinName string) string {
	if p == "-" {
		if stdinName != "" {
			return filepath.ToSlash(filepath.Clean(stdinName))
		}
		return "<stdin>"
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// contextDir is the build context: --context, else the Dockerfile's folder.
// Standard input has none unless --context or --stdin-filename says where.
func contextDir(path, stdinName, flag string) string {
	if flag != "" {
		return flag
	}
	if path == "-" {
		if stdinName == "" {
			return ""
		}
		path = stdinName
	}
	return filepath.Dir(path)
}
