package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dockslim/dockslim/rewrite"
)

// Settings are the effective settings of one Dockerfile.
type Settings struct {
	Select, Ignore           []string
	UnsafeFixes, CacheMounts bool
	Alpine                   bool              // switches to Alpine allowed (default true)
	RegistryMirror           string            // "" for none
	Severity                 map[string]string // rule id → severity
	RuntimeBase              map[string]string // rule id → image
	// From says where each setting came from ("default", a file, a file's
	// override), by key: select, ignore, unsafe-fixes, cache-mounts,
	// alpine, registry-mirror, rules.ID.severity, rules.ID.runtime-base.
	From map[string]string
}

// Bases are the settings about base images, as the engine takes them.
func (s Settings) Bases() rewrite.Bases {
	return rewrite.Bases{RuntimeBase: s.RuntimeBase, NoAlpine: !s.Alpine, RegistryMirror: s.RegistryMirror}
}

// Settings of the Dockerfile at path (f may be nil: no file).
func (f *File) Settings(path string) Settings {
	s := Settings{Alpine: true, Severity: map[string]string{}, RuntimeBase: map[string]string{}, From: map[string]string{
		"select": "default", "ignore": "default", "unsafe-fixes": "default", "cache-mounts": "default",
		"alpine": "default", "registry-mirror": "default",
	}}
	if f == nil {
		return s
	}
	s.apply(&f.Layer, f.Path)
	rel := relTo(filepath.Dir(f.Path), path)
	for i := range f.Overrides {
		o := &f.Overrides[i]
		for _, re := range o.globs {
			if re.MatchString(rel) {
				s.apply(&o.Layer, fmt.Sprintf("%s [[overrides]] #%d (%s)", f.Path, i+1, o.Paths[0]))
				break
			}
		}
	}
	return s
}

func (s *Settings) apply(l *Layer, from string) {
	set(&s.Select, l.Select, s.From, "select", from)
	set(&s.Ignore, l.Ignore, s.From, "ignore", from)
	set(&s.UnsafeFixes, l.UnsafeFixes, s.From, "unsafe-fixes", from)
	set(&s.CacheMounts, l.CacheMounts, s.From, "cache-mounts", from)
	set(&s.Alpine, l.Alpine, s.From, "alpine", from)
	set(&s.RegistryMirror, l.RegistryMirror, s.From, "registry-mirror", from)
	for id, ro := range l.Rules {
		if ro.Severity != "" {
			s.Severity[id] = ro.Severity
			s.From["rules."+id+".severity"] = from
		}
		if ro.RuntimeBase != nil {
			s.RuntimeBase[id] = *ro.RuntimeBase
			s.From["rules."+id+".runtime-base"] = from
		}
	}
}

// set takes a layer's value of key, when the layer sets it, and notes where
// it came from.
func set[T any](dst *T, v *T, origin map[string]string, key, from string) {
	if v != nil {
		*dst, origin[key] = *v, from
	}
}

// relTo is path relative to dir, with slashes ("" when it is outside).
func relTo(dir, path string) string {
	ad, err1 := filepath.Abs(dir)
	ap, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(ad, ap)
	if err != nil {
		return ""
	}
	return filepath.ToSlash(rel)
}

// Finder finds the file of each Dockerfile, reading each file once.
type Finder struct {
	// Explicit is --config: the file of every Dockerfile.
	Explicit string
	Checks   Checks
	byDir    map[string]*File // nil: no file in or above the folder
	byPath   map[string]*File
}

// For returns the file that applies to the Dockerfile at path (nil when
// none does): --config, else the nearest .dockslim.toml in its folder or
// above.
func (fd *Finder) For(path string) (*File, error) {
	if fd.byDir == nil {
		fd.byDir, fd.byPath = map[string]*File{}, map[string]*File{}
	}
	if fd.Explicit != "" {
		return fd.load(fd.Explicit)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	var walked []string
	var found *File
	for {
		if f, ok := fd.byDir[dir]; ok {
			found = f
			break
		}
		walked = append(walked, dir)
		p := filepath.Join(dir, FileName)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			if found, err = fd.load(p); err != nil {
				return nil, err
			}
			break
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	for _, d := range walked {
		fd.byDir[d] = found
	}
	return found, nil
}

func (fd *Finder) load(p string) (*File, error) {
	if f, ok := fd.byPath[p]; ok {
		return f, nil
	}
	f, err := Load(p, fd.Checks)
	if err != nil {
		return nil, err
	}
	fd.byPath[p] = f
	return f, nil
}
