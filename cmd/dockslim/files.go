package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// skipDirs are never searched for Dockerfiles.
var skipDirs = []string{".git", "node_modules", "vendor"}

// IsDockerfileName reports whether a base name is one dockslim looks for in
// folders: Dockerfile, Containerfile, *.Dockerfile, *.dockerfile,
// Dockerfile.*, Containerfile.*.
func IsDockerfileName(base string) bool {
	switch {
	case base == "Dockerfile", base == "Containerfile":
		return true
	case strings.HasSuffix(base, ".Dockerfile"), strings.HasSuffix(base, ".dockerfile"):
		return true
	case strings.HasPrefix(base, "Dockerfile."), strings.HasPrefix(base, "Containerfile."):
		return true
	}
	return false
}

// discover expands folders into the Dockerfiles below them, sorted; files
// named explicitly are kept whatever their name. "-" stays "-".
func discover(paths []string) ([]string, []error) {
	var out []string
	var errs []error
	for _, p := range paths {
		if p == "-" {
			out = append(out, p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
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
			if d.Type().IsRegular() && IsDockerfileName(d.Name()) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errs
}

// job is one file's outcome.
type job struct {
	path    string // as the user named it ("-" for stdin)
	display string // name for messages and diff headers
	res     *rewrite.Result
	err     error
	info    fs.FileInfo  // the file's, when read from disk
	file    *parser.File // the input, parsed
}

// runAll runs the driver on every path, in parallel on all cores, and
// returns the results in input order.
func runAll(e *rewrite.Engine, paths []string, stdin io.Reader, stdinName string, opts rewrite.Options, contextFlag string) []*job {
	jobs := make([]*job, len(paths))
	for i, p := range paths {
		jobs[i] = &job{path: p, display: displayName(p, stdinName)}
	}
	run := func(j *job) {
		var src []byte
		if j.path == "-" {
			src, j.err = io.ReadAll(stdin)
		} else {
			src, j.info, j.err = readFile(j.path)
		}
		if j.err != nil {
			return
		}
		if j.file, j.err = load(j.display, src); j.err != nil {
			return
		}
		o := opts
		o.ContextDir = contextDir(j.path, stdinName, contextFlag)
		j.res, j.err = e.Run(j.display, src, o)
	}
	if len(jobs) == 1 {
		// The pre-commit case: no goroutine, so no second thread to start.
		run(jobs[0])
		return jobs
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			run(j)
		}()
	}
	wg.Wait()
	return jobs
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
