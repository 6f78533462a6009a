// Package gomod reads what dockslim needs of a Go module from its build
// context: go.mod's directives (Parse), whether a source file imports "C"
// (ImportsC), the modules known to need cgo (NeedsCgo), and whether a
// whole context is provably cgo-free (ScanCgo).
package gomod

import (
	"strconv"
	"strings"
)

// File is what dockslim reads of a go.mod.
type File struct {
	Module    string // the module path ("" when there is no module line)
	Go        string // the go directive's version
	Toolchain string // the toolchain directive's name
	// Requires are the required module paths, direct and indirect.
	Requires []string
	// Replaces are the replace directives.
	Replaces []Replace
}

// Replace is one replace directive: Old => New (New is a module path or a
// local folder, "./x", "../x" or "/x").
type Replace struct{ Old, New string }

// Local reports whether the replacement is a folder rather than a module.
func (r Replace) Local() bool {
	return strings.HasPrefix(r.New, ".") || strings.HasPrefix(r.New, "/")
}

// Parse reads go.mod's text: one directive a line, or a verb followed by a
// parenthesised block of lines ("require (", ..., ")"); // comments.
// Lines it does not understand are skipped: go.mod files that the go
// command rejects need no exact reading.
func Parse(text string) File {
	var f File
	block := ""
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		words := strings.Fields(line)
		switch {
		case len(words) == 0:
			continue
		case block != "" && words[0] == ")":
			block = ""
			continue
		case block != "":
			f.directive(block, words)
			continue
		case len(words) == 2 && words[1] == "(":
			block = words[0]
			continue
		}
		f.directive(words[0], words[1:])
	}
	return f
}

// directive records one directive's arguments.
func (f *File) directive(verb string, args []string) {
	if len(args) == 0 {
		return
	}
	switch verb {
	case "module":
		f.Module = unquote(args[0])
	case "go":
		f.Go = args[0]
	case "toolchain":
		f.Toolchain = args[0]
	case "require":
		f.Requires = append(f.Requires, unquote(args[0]))
	case "replace":
		for i, a := range args {
			if a == "=>" && i+1 < len(args) {
				f.Replaces = append(f.Replaces, Replace{Old: unquote(args[0]), New: unquote(args[i+1])})
			}
		}
	}
}

// unquote reads a module path written as a Go string ("x" or `x`).
func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// BinaryName is the name `go build` gives the binary of the module root:
// the last element of the module path, skipping a /vN major-version suffix
// ("" without a module line).
func (f File) BinaryName() string {
	if f.Module == "" {
		return ""
	}
	elems := strings.Split(f.Module, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' {
		if _, err := strconv.Atoi(last[1:]); err == nil {
			return elems[len(elems)-2]
		}
	}
	return last
}

// TagMinor is the Go minor version of a golang image tag ("1.22-alpine" →
// 22, "1.9.2" → 9), or 0 when the tag does not say ("latest", "1").
func TagMinor(tag string) int {
	return minor(strings.Split(tag, "-")[0])
}

// minor is the minor version of a Go version ("1.22.3", "1.21rc1"), or 0.
func minor(v string) int {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || parts[0] != "1" {
		return 0
	}
	n := strings.IndexFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	if n < 0 {
		n = len(parts[1])
	}
	m, _ := strconv.Atoi(parts[1][:n])
	return m
}

// NothingToDownload reports whether `go mod download` without arguments
// has nothing to fetch for go.mod f when the image's Go is 1.<local> (0:
// unknown): f requires no module, and the go command will not switch to
// another toolchain, which it would download (Go 1.21+ does for a
// toolchain line, and for a go line newer than itself). why says what it
// would fetch otherwise.
func NothingToDownload(f File, local int) (ok bool, why string) {
	switch {
	case len(f.Requires) > 0:
		return false, "go.mod requires " + f.Requires[0]
	case f.Toolchain != "":
		return false, "go.mod names toolchain " + f.Toolchain + ", which the go command may download"
	}
	goLine := minor(f.Go)
	switch {
	case goLine < 21, local > 0 && local < 21, local > goLine:
		return true, ""
	case local == goLine && !strings.Contains(strings.TrimPrefix(f.Go, "1."), "."):
		return true, "" // go 1.22 is any 1.22.x
	}
	return false, "go.mod's go " + f.Go + " may be newer than the image's Go, which would then download that toolchain"
}
