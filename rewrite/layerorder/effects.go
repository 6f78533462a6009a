package layerorder

import (
	"path"
	"slices"
	"strings"
)

// Paths is a set of file-system locations; a path stands for itself and
// everything below it. Paths are absolute ("/app/x") or below a working
// folder dockslim does not know ("$W0/x": the WORKDIR a base image sets).
// All means any location.
type Paths struct {
	List []string
	All  bool
}

// Add adds paths; "" (an unresolvable path) makes the set All.
func (p *Paths) Add(ps ...string) {
	for _, x := range ps {
		if x == "" {
			p.All = true
			continue
		}
		if !slices.Contains(p.List, x) {
			p.List = append(p.List, x)
		}
	}
}

// Merge adds every path of q.
func (p *Paths) Merge(q Paths) {
	p.All = p.All || q.All
	p.Add(q.List...)
}

// Empty reports whether the set names no location.
func (p Paths) Empty() bool { return !p.All && len(p.List) == 0 }

// Overlaps reports whether a location may be in both sets.
func (p Paths) Overlaps(q Paths) bool {
	if p.Empty() || q.Empty() {
		return false
	}
	if p.All || q.All {
		return true
	}
	for _, a := range p.List {
		for _, b := range q.List {
			if overlapPath(a, b) {
				return true
			}
		}
	}
	return false
}

// Within returns the paths of p at or below dir, and whether p may hold
// others there that it cannot name (All).
func (p Paths) Within(dir string) (in []string, unknown bool) {
	if p.All {
		return nil, true
	}
	for _, a := range p.List {
		switch {
		case within(a, dir):
			in = append(in, a)
		case within(dir, a) || rootOf(a) != rootOf(dir):
			return in, true // reads dir as a whole, or an unrelated root
		}
	}
	return in, false
}

func rootOf(p string) string {
	if strings.HasPrefix(p, "$") {
		if i := strings.IndexByte(p, '/'); i >= 0 {
			return p[:i]
		}
		return p
	}
	return ""
}

// within reports whether p is dir or below it (same root). A "*" segment
// in either path matches any one segment ("/home/*/.cache").
func within(p, dir string) bool {
	if rootOf(p) != rootOf(dir) {
		return false
	}
	if dir == "/" || p == dir {
		return true
	}
	// Compare segment by segment without splitting (this runs for every
	// pair of paths the passes compare): every segment of dir must match
	// the segment of p at the same depth.
	d := strings.TrimSuffix(dir, "/")
	for {
		dseg, drest, dmore := strings.Cut(d, "/")
		pseg, prest, pmore := strings.Cut(p, "/")
		if dseg != pseg && dseg != "*" && pseg != "*" {
			return false
		}
		if !dmore {
			return true
		}
		if !pmore {
			return false // dir is deeper than p
		}
		d, p = drest, prest
	}
}

func overlapPath(a, b string) bool {
	if rootOf(a) != rootOf(b) {
		return true // unrelated roots: dockslim cannot tell
	}
	return within(a, b) || within(b, a)
}

// resolve turns p into a location, relative to cwd; "" when it cannot
// (unknown cwd, or a relative path that climbs out of a symbolic root).
func resolve(cwd, p string) string {
	if strings.HasPrefix(p, "~") {
		return "" // depends on the user's home; callers add homeDirs
	}
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	if cwd == "" {
		return ""
	}
	out := path.Join(cwd, p)
	if rootOf(out) != rootOf(cwd) || (rootOf(cwd) != "" && !strings.HasPrefix(out, rootOf(cwd))) {
		return ""
	}
	return out
}

// Effects is what an instruction reads and writes: file-system locations,
// and build state (variables named "workdir", "user", "shell", "env:NAME",
// "env:*" for every variable, "meta:KIND" for image metadata). A barrier
// never changes places with anything.
type Effects struct {
	Reads, Writes       Paths
	ReadVars, WriteVars []string
	Barrier             bool
}

func (e *Effects) readVar(v ...string) { e.ReadVars = appendNew(e.ReadVars, v...) }

func (e *Effects) writeVar(v ...string) { e.WriteVars = appendNew(e.WriteVars, v...) }

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// Merge adds o's effects to e.
func (e *Effects) Merge(o Effects) {
	e.Reads.Merge(o.Reads)
	e.Writes.Merge(o.Writes)
	e.readVar(o.ReadVars...)
	e.writeVar(o.WriteVars...)
	e.Barrier = e.Barrier || o.Barrier
}

func varsOverlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y || x == "env:*" && strings.HasPrefix(y, "env:") || y == "env:*" && strings.HasPrefix(x, "env:") {
				return true
			}
		}
	}
	return false
}

// Commute reports whether two instructions can run in either order with
// the same result: neither writes what the other reads or writes.
func Commute(a, b Effects) bool {
	if a.Barrier || b.Barrier {
		return false
	}
	if varsOverlap(a.WriteVars, b.ReadVars) || varsOverlap(b.WriteVars, a.ReadVars) || varsOverlap(a.WriteVars, b.WriteVars) {
		return false
	}
	return !a.Writes.Overlaps(b.Reads) && !b.Writes.Overlaps(a.Reads) && !a.Writes.Overlaps(b.Writes)
}

// Conflict explains why two instructions do not commute ("" when they do).
func Conflict(a, b Effects) string {
	switch {
	case a.Barrier || b.Barrier:
		return "VOLUME or another barrier between them"
	case varsOverlap(a.WriteVars, b.ReadVars) || varsOverlap(b.WriteVars, a.ReadVars) || varsOverlap(a.WriteVars, b.WriteVars):
		return "it depends on the build state (WORKDIR, ENV, ARG, USER or SHELL) the other sets"
	case a.Writes.Overlaps(b.Reads) || b.Writes.Overlaps(a.Reads):
		return "it reads files the other writes"
	case a.Writes.Overlaps(b.Writes):
		return "both write the same files"
	}
	return ""
}
