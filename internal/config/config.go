// Package config reads .dockslim.toml, dockslim's configuration file: the
// rules to select and ignore, unsafe fixes and cache mounts, per-rule
// options, and overrides for paths that match globs. The file of a
// Dockerfile is the nearest one in its folder or a folder above it (no
// merging of several); --config names one for every file.
//
// TOML, not YAML: a typed, unambiguous format (no "no" that means false, no
// indentation to get wrong), what Go and Python tools (ruff, tally, cargo)
// use, and a decoder that names the line of an unknown key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// FileName is the name looked for in each folder.
const FileName = ".dockslim.toml"

// Layer is a set of settings: the file's top level or one override. A nil
// field is not set there.
type Layer struct {
	Select      *[]string `toml:"select"`
	Ignore      *[]string `toml:"ignore"`
	UnsafeFixes *bool     `toml:"unsafe-fixes"`
	CacheMounts *bool     `toml:"cache-mounts"`
	// Alpine false stops every switch to an Alpine (musl) base image.
	Alpine *bool `toml:"alpine"`
	// RegistryMirror is the prefix under which the Dockerfiles pull Docker
	// Hub's images ("mirror.example.com/library").
	RegistryMirror *string                `toml:"registry-mirror"`
	Rules          map[string]RuleOptions `toml:"rules"`
}

// RuleOptions are the options of one rule, under [rules.DSxxx].
type RuleOptions struct {
	// Severity overrides the rule's severity in reports: error, warning
	// or info.
	Severity string `toml:"severity"`
	// RuntimeBase is the image a multi-stage rule's runtime stage is built
	// FROM instead of the rule's default (the rules whose Checks.RuleKeys
	// list runtime-base).
	RuntimeBase *string `toml:"runtime-base"`
}

// Override is a [[overrides]] table: settings for the Dockerfiles whose
// path, relative to the file's folder, matches one of Paths.
type Override struct {
	Paths []string `toml:"paths"`
	Layer
	globs []*regexp.Regexp
}

// File is a parsed .dockslim.toml.
type File struct {
	Path string // as found (absolute when found by walking up)
	Layer
	Overrides []Override `toml:"overrides"`
	src       []byte
}

// Checks validate names a file gives: the selectors no rule answers to,
// and whether a rule id exists.
type Checks struct {
	UnknownSelectors func([]string) []string
	IsRule           func(string) bool
	// RuleKeys are the options a rule reads besides severity
	// (runtime-base); nil: none is checked.
	RuleKeys func(id string) []string
}

// Parse reads a .dockslim.toml. Its errors are "PATH:LINE: what is wrong":
// a syntax error, an unknown key, a value of the wrong type, an unknown
// rule or severity.
func Parse(path string, src []byte, chk Checks) (*File, error) {
	f := &File{Path: path, src: src}
	dec := toml.NewDecoder(bytes.NewReader(src)).DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, f.decodeError(err)
	}
	if err := f.validate(&f.Layer, chk); err != nil {
		return nil, err
	}
	for i := range f.Overrides {
		o := &f.Overrides[i]
		if len(o.Paths) == 0 {
			return nil, fmt.Errorf("%s:%d: [[overrides]] without paths", path, f.lineOf("[[overrides]]", i))
		}
		for _, p := range o.Paths {
			re, err := globRegexp(p)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: bad path pattern %q: %v", path, f.lineOf(p, 0), p, err)
			}
			o.globs = append(o.globs, re)
		}
		if err := f.validate(&o.Layer, chk); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (f *File) decodeError(err error) error {
	var sm *toml.StrictMissingError
	if errors.As(err, &sm) && len(sm.Errors) > 0 {
		var msgs []string
		for _, de := range sm.Errors {
			row, _ := de.Position()
			key := de.Key()
			name := ""
			if len(key) > 0 {
				name = key[len(key)-1]
			}
			msgs = append(msgs, fmt.Sprintf("%s:%d: unknown key %q", f.Path, row, name))
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		return fmt.Errorf("%s:%d: %s", f.Path, row, strings.TrimPrefix(de.Error(), "toml: "))
	}
	return fmt.Errorf("%s: %v", f.Path, err)
}

func (f *File) validate(l *Layer, chk Checks) error {
	for _, list := range []*[]string{l.Select, l.Ignore} {
		if list == nil || chk.UnknownSelectors == nil {
			continue
		}
		if bad := chk.UnknownSelectors(*list); len(bad) > 0 {
			return fmt.Errorf("%s:%d: unknown rule %q (see 'dockslim rules')", f.Path, f.lineOf(bad[0], 0), bad[0])
		}
	}
	for id, ro := range l.Rules {
		if chk.IsRule != nil && !chk.IsRule(id) {
			return fmt.Errorf("%s:%d: [rules.%s]: no such rule (see 'dockslim rules')", f.Path, f.lineOf(id, 0), id)
		}
		switch ro.Severity {
		case "", "error", "warning", "info":
		default:
			return fmt.Errorf("%s:%d: [rules.%s] severity %q: error, warning or info", f.Path, f.lineOf(ro.Severity, 0), id, ro.Severity)
		}
		if err := f.validateRuntimeBase(id, ro.RuntimeBase, chk); err != nil {
			return err
		}
	}
	if m := l.RegistryMirror; m != nil && !mirrorRe.MatchString(*m) {
		return fmt.Errorf("%s:%d: registry-mirror %q: a registry host and optional path, without scheme, tag or trailing slash (mirror.example.com/library)",
			f.Path, f.lineOf("registry-mirror", 0), *m)
	}
	return nil
}

func (f *File) validateRuntimeBase(id string, rb *string, chk Checks) error {
	if rb == nil {
		return nil
	}
	if chk.RuleKeys != nil && !slices.Contains(chk.RuleKeys(id), "runtime-base") {
		return fmt.Errorf("%s:%d: [rules.%s] runtime-base: %s chooses no runtime base (DS401–DS406 do)", f.Path, f.lineOf("runtime-base", 0), id, id)
	}
	if !imageRe.MatchString(*rb) {
		return fmt.Errorf("%s:%d: [rules.%s] runtime-base %q is not an image reference (name[:tag][@digest], no spaces or variables)",
			f.Path, f.lineOf("runtime-base", 0), id, *rb)
	}
	return nil
}

// The grammar of image references (distribution's, without its length
// limits) and of a mirror prefix: a host, then optional path components.
var (
	component = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	host      = `(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?`
	imageRe   = regexp.MustCompile(`^(?:` + host + `/)?` + component + `(?:/` + component + `)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`)
	mirrorRe  = regexp.MustCompile(`^` + host + `(?:/` + component + `)*$`)
)

// lineOf is the line of the nth occurrence of text in the file (1 when it
// is not found): where a value the decoder accepted is wrong.
func (f *File) lineOf(text string, nth int) int {
	off := 0
	for i := 0; ; i++ {
		j := bytes.Index(f.src[off:], []byte(text))
		if j < 0 {
			return 1
		}
		if i == nth {
			return 1 + bytes.Count(f.src[:off+j], []byte("\n"))
		}
		off += j + len(text)
	}
}

// Load reads and parses the file at path.
func Load(path string, chk Checks) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src, chk)
}

// globRegexp compiles a path pattern: * and ? within a folder name, ** for
// any number of folders; a pattern without / matches a base name anywhere.
func globRegexp(p string) (*regexp.Regexp, error) {
	p = strings.TrimPrefix(filepath.ToSlash(p), "./")
	if !strings.Contains(p, "/") {
		p = "**/" + p
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case p[i] == '*':
			b.WriteString("[^/]*")
		case p[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}
