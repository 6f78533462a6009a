package gomod

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Scan limits: a context larger than this is not read (the answer is "not
// provable"), so that a run on a huge context stays fast.
const (
	maxEntries = 50000
	maxBytes   = 64 << 20
)

// CgoScan is what a build context says about cgo.
type CgoScan struct {
	// Free is true when the context is provably cgo-free: it has a go.mod,
	// no Go file that `go build` compiles imports "C" or a package of a
	// module known to need cgo, and no go.mod or go.sum names such a module.
	Free bool
	// Why says why it is not ("main.go imports \"C\""), for messages.
	Why string
	// Module is go.mod's module path at the context root ("" when there
	// is none).
	Module string
}

var errStop = errors.New("stop")

// ScanCgo reads every go.mod, go.sum and Go source file of a build context
// (fsys, with .dockerignore applied): a superset of what any COPY of it
// brings into a build. Test files and the folders `go build` never
// compiles (testdata, _x, .x) are skipped.
func ScanCgo(fsys fs.FS) CgoScan {
	var res CgoScan
	if data, err := fs.ReadFile(fsys, "go.mod"); err == nil {
		res.Module = Parse(string(data)).Module
	}
	entries, size, goMods := 0, 0, 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			res.Why = fmt.Sprintf("dockslim cannot read %s in the build context", p)
			return errStop
		}
		if entries++; entries > maxEntries {
			res.Why = fmt.Sprintf("the build context has more than %d files, more than dockslim reads", maxEntries)
			return errStop
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (name == "testdata" || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if name != "go.mod" && name != "go.sum" && (!strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go")) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if size += len(data); err != nil || size > maxBytes {
			res.Why = fmt.Sprintf("dockslim cannot read the Go files of the build context (%s)", p)
			return errStop
		}
		if name == "go.mod" {
			goMods++
		}
		if why := cgoIn(p, name, data); why != "" {
			res.Why = why
			return errStop
		}
		return nil
	})
	switch {
	case err != nil && res.Why == "":
		res.Why = "dockslim cannot read the build context"
	case err == nil && goMods == 0:
		res.Why = "the build context has no go.mod, so dockslim cannot tell which modules the build uses"
	case err == nil:
		res.Free = true
	}
	return res
}

// cgoIn says why one file of the context needs cgo ("" when it does not).
func cgoIn(p, name string, data []byte) string {
	switch name {
	case "go.mod":
		for _, r := range Parse(string(data)).Requires {
			if m, ok := NeedsCgo(r); ok {
				return fmt.Sprintf("%s requires %s, which needs cgo", p, m)
			}
		}
	case "go.sum":
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				if m, ok := NeedsCgo(f[0]); ok {
					return fmt.Sprintf("%s lists %s, which needs cgo", p, m)
				}
			}
		}
	default:
		imports, ok := Imports(data)
		if !ok {
			return fmt.Sprintf("%s does not scan as Go", p)
		}
		for _, imp := range imports {
			if imp == "C" {
				return fmt.Sprintf("%s imports \"C\"", p)
			}
			if m, ok := NeedsCgo(imp); ok {
				return fmt.Sprintf("%s imports %s, which needs cgo", p, m)
			}
		}
	}
	return ""
}
