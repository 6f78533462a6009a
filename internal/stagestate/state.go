// Package stagestate follows each stage of a Dockerfile instruction by
// instruction and says what it holds before and after each RUN: whether
// apt's package lists are there, which packages apt installed and whether
// their recommended packages came with them, whether CA certificates are
// installed. A stage built FROM another starts with that stage's end state.
//
// It is the one model the passes read to prove that a fix leaves every
// later instruction what it needs (a cleanup must not strand a later
// install; --no-install-recommends must not lose the certificates that an
// https client needs).
package stagestate

import (
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// State is what a stage holds at one point.
type State struct {
	// Lists is set while apt's package lists are present.
	Lists bool
	// Packages are the packages apt installed in the stage chain, by name.
	Packages []string
	// CACerts is set when ca-certificates is installed: shipped by the base
	// image, installed by name, or brought as a recommended package.
	CACerts bool
	// CAKnown is false when the base image is not known to dockslim and no
	// instruction installed ca-certificates: CACerts is a guess (false).
	CAKnown bool
	// LibcDev is set when libc6-dev is installed (what gcc needs to compile
	// C): shipped by the base, installed by name, brought by a dependency
	// (build-essential, g++) or by a recommends install of gcc.
	LibcDev bool
	// Manual are the packages apt-mark manual marked (and not purged since).
	Manual []string
	// Orphans is set once a remove or purge without --auto-remove ran in
	// the stage chain: what it left unneeded stays, marked auto-installed,
	// and a later --auto-remove takes it too.
	Orphans bool
}

// Has reports whether apt installed pkg in the stage chain.
func (s State) Has(pkg string) bool { return slices.Contains(s.Packages, pkg) }

// Run is the model of one RUN instruction.
type Run struct {
	In *parser.Instruction
	// Ops are the commands that touch the package lists, in order.
	Ops []AptOp
	// Installs are the apt installs, in order.
	Installs []Install
	// Purges are the apt removes, purges and autoremoves, and Marks the
	// apt-mark manual/auto commands, in order.
	Purges []Purge
	Marks  []Mark
	// Mounted is set when a --mount covers the lists: the RUN's effect on
	// them stays out of the layer.
	Mounted bool
	// Before and After are the stage's state around the RUN.
	Before, After State
}

// FirstListsOp is the kind of the RUN's first command that touches the
// lists, or 0.
func (r *Run) FirstListsOp() OpKind {
	if len(r.Ops) == 0 {
		return 0
	}
	return r.Ops[0].Kind
}

// Model is the state of every stage of a file.
type Model struct {
	f        *parser.File
	runs     map[*parser.Instruction]*Run
	end      map[*parser.Stage]State
	children map[*parser.Stage][]*parser.Stage // the stages built FROM each, in order
	shipped  map[*parser.Stage]bool            // by Shipped, once
	// By Readers, once: the stages that copy or mount from each, and those
	// that do it from a stage they name with a variable.
	readers  map[*parser.Stage][]*parser.Stage
	readsAll []*parser.Stage
}

type memoKey struct{}

// Of returns the model of f, computed once per file.
func Of(f *parser.File) *Model {
	return f.Memo(memoKey{}, func() any { return build(f) }).(*Model)
}

// Run returns the model of a RUN instruction, or nil.
func (m *Model) Run(in *parser.Instruction) *Run { return m.runs[in] }

// End returns a stage's state after its last instruction.
func (m *Model) End(st *parser.Stage) State { return m.end[st] }

func build(f *parser.File) *Model {
	m := &Model{f: f, runs: map[*parser.Instruction]*Run{}, end: map[*parser.Stage]State{}, children: childStages(f)}
	for _, st := range f.Stages {
		s := m.start(st)
		noRec := false
		for _, in := range st.Instructions {
			if !in.Is("run") {
				continue
			}
			if in.Sub != "" {
				// ONBUILD RUN runs in the builds FROM the image, not here:
				// its own commands are modelled, the stage is not changed.
				v := m.readApt(in, noRec)
				m.runs[in] = &Run{In: in, Ops: v.ops, Installs: v.installs, Purges: v.purges, Marks: v.marks, Mounted: v.mounted, Before: s, After: s}
				continue
			}
			noRec = noRec || configuresNoRecommends(in)
			v := m.readApt(in, noRec)
			r := &Run{In: in, Ops: v.ops, Installs: v.installs, Purges: v.purges, Marks: v.marks, Mounted: v.mounted, Before: s}
			s = step(s, r)
			r.After = s
			m.runs[in] = r
		}
		m.end[st] = s
	}
	return m
}

// start is a stage's state before its first RUN.
func (m *Model) start(st *parser.Stage) State {
	if ref := st.Base.StageRef; ref != nil {
		if s, ok := m.end[ref]; ok {
			s.Packages = slices.Clone(s.Packages)
			s.Manual = slices.Clone(s.Manual)
			return s
		}
	}
	// Official images ship without package lists.
	s := State{}
	if st.Base.Scratch {
		s.CAKnown = true
		return s
	}
	if im, ok := images.Normalize(st.Base.Repository); ok && !st.Base.FromArg {
		s.CACerts, s.CAKnown = images.ShipsCACerts(im, st.Base.Tag)
		s.LibcDev, _ = images.ShipsLibcDev(im, st.Base.Tag)
	}
	return s
}

// step applies a RUN to the state.
func step(s State, r *Run) State {
	s = s.packagesUpTo(r, -1)
	lists := s.Lists
	for _, op := range r.Ops {
		switch op.Kind {
		case Update:
			lists = true
		case Removes:
			lists = false
		}
	}
	if !r.Mounted {
		s.Lists = lists
	}
	for _, ins := range r.Installs {
		for _, p := range ins.Packages {
			switch {
			case p == "ca-certificates" || images.BringsCACerts(p):
				s.CACerts, s.CAKnown = true, true
			case !ins.NoRecommends && images.LosesCACerts(p):
				// a recommends install of an https client brings them
				s.CACerts, s.CAKnown = true, true
			}
			if p == "libc6-dev" || images.BringsLibcDev(p) || !ins.NoRecommends && images.LosesLibcDev(p) {
				s.LibcDev = true
			}
		}
	}
	return s
}

// configuresNoRecommends reports whether a RUN writes apt configuration
// that turns recommends off (echo 'APT::Install-Recommends "false";' > …).
func configuresNoRecommends(in *parser.Instruction) bool {
	for _, c := range shellcmd.Calls(in) {
		for i, l := range c.Lits {
			if c.Lit[i] && strings.Contains(strings.ToLower(l), "apt::install-recommends") &&
				(strings.Contains(l, `"0"`) || strings.Contains(strings.ToLower(l), `"false"`) || strings.Contains(l, "0;") || strings.Contains(strings.ToLower(l), "false;")) {
				return true
			}
		}
	}
	return false
}

// ListsReaders returns the RUNs that would read the package lists that in
// leaves: the next RUN of in's stage that touches the lists, if it reads
// them before any update of its own; when no later RUN of the stage
// touches them, the same for each stage built FROM in's stage. The fix that
// removes the lists at the end of in must give each of these an update.
func (m *Model) ListsReaders(in *parser.Instruction) []*Run {
	var out []*Run
	var visit func(st *parser.Stage, after int, seen map[*parser.Stage]bool)
	visit = func(st *parser.Stage, after int, seen map[*parser.Stage]bool) {
		if seen[st] {
			return
		}
		seen[st] = true
		for _, p := range st.Instructions {
			if p.Index <= after {
				continue
			}
			r := m.runs[p]
			if r == nil || p.Sub != "" || r.Mounted || r.FirstListsOp() == 0 {
				continue
			}
			if r.FirstListsOp() == Reads {
				out = append(out, r)
			}
			return
		}
		for _, child := range m.children[st] {
			visit(child, -1, seen)
		}
	}
	visit(in.Stage, in.Index, map[*parser.Stage]bool{})
	return out
}

// Shipped reports whether a stage may be part of an image the file
// builds: the last stage, a stage some shipped stage is built FROM, or a
// stage nothing uses (a possible --target). A stage that other stages only
// COPY --from (or build FROM, for such stages) is a build stage: what its
// layers keep (package lists, caches, recommends) never reaches an image.
func (m *Model) Shipped(st *parser.Stage) bool {
	if st == nil || len(m.f.Stages) == 0 {
		return true
	}
	if m.shipped == nil {
		m.shipped = m.shippedStages()
	}
	return m.shipped[st]
}

func (m *Model) shippedStages() map[*parser.Stage]bool {
	f := m.f
	used := map[*parser.Stage]bool{}
	for _, in := range f.Instructions {
		for _, src := range copiesFrom(f, in) {
			used[src] = true
		}
	}
	for _, st := range f.Stages {
		if st.Base.StageRef != nil {
			used[st.Base.StageRef] = true
		}
	}
	shipped := map[*parser.Stage]bool{}
	// Later stages first: a stage is shipped when a shipped stage is built
	// FROM it, so its children are decided before it.
	for i := len(f.Stages) - 1; i >= 0; i-- {
		st := f.Stages[i]
		if i == len(f.Stages)-1 || !used[st] {
			shipped[st] = true
			continue
		}
		for _, child := range m.children[st] {
			shipped[st] = shipped[st] || shipped[child]
		}
	}
	return shipped
}

// copiesFrom returns the other stages an instruction copies (COPY, ADD
// --from) or mounts (RUN --mount from=) from.
func copiesFrom(f *parser.File, in *parser.Instruction) []*parser.Stage {
	if in.Stage == nil {
		return nil
	}
	var out []*parser.Stage
	if fl, ok := in.Flag("from"); ok && (in.Is("copy") || in.Is("add")) {
		if src := f.StageByName(fl.Value); src != nil && src != in.Stage {
			out = append(out, src)
		}
	}
	for _, mt := range in.Mounts() {
		if src := f.StageByName(mt.From); mt.From != "" && src != nil && src != in.Stage {
			out = append(out, src)
		}
	}
	return out
}

func childStages(f *parser.File) map[*parser.Stage][]*parser.Stage {
	out := map[*parser.Stage][]*parser.Stage{}
	for _, st := range f.Stages {
		if st.Base.StageRef != nil {
			out[st.Base.StageRef] = append(out[st.Base.StageRef], st)
		}
	}
	return out
}

// Readers returns the stages whose instructions can read what st's layers
// hold: st, the stages built FROM it, and the stages that copy or mount
// from any of those, and so on, in file order. A --from that dockslim
// cannot resolve (a variable) may name any stage: its stage reads them all.
func (m *Model) Readers(st *parser.Stage) []*parser.Stage {
	if m.readers == nil {
		m.readers, m.readsAll = map[*parser.Stage][]*parser.Stage{}, nil
		for _, x := range m.f.Instructions {
			for _, src := range copiesFrom(m.f, x) {
				m.readers[src] = append(m.readers[src], x.Stage)
			}
			if x.Stage != nil && unresolvedFrom(x) {
				m.readsAll = append(m.readsAll, x.Stage)
			}
		}
	}
	seen := map[*parser.Stage]bool{}
	var visit func(s *parser.Stage)
	visit = func(s *parser.Stage) {
		if seen[s] {
			return
		}
		seen[s] = true
		for _, r := range m.children[s] {
			visit(r)
		}
		for _, r := range m.readers[s] {
			visit(r)
		}
	}
	visit(st)
	for _, r := range m.readsAll {
		visit(r)
	}
	var out []*parser.Stage
	for _, s := range m.f.Stages {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out
}

// unresolvedFrom reports a --from (or mount from=) written with a variable.
func unresolvedFrom(in *parser.Instruction) bool {
	if fl, ok := in.Flag("from"); ok && strings.Contains(fl.Value, "$") {
		return true
	}
	for _, mt := range in.Mounts() {
		if strings.Contains(mt.From, "$") {
			return true
		}
	}
	return false
}

// Recommended is a package apt installs only as a Recommends of another,
// which later use needs: --no-install-recommends must name it, and a swap
// to a slim image that lacks it must install it. Debian's metadata says
// which packages lose it without their recommends (Loses) or bring it as
// a dependency (Brings); images says which bases ship it; Has reads the
// stage's state.
type Recommended struct {
	Pkg string
	// For says what it is needed for ("for https"); Swap how a slim swap's
	// finding explains adding it.
	For, Swap     string
	Loses, Brings func(pkg string) bool
	Ships         func(image, tag string) (ships, known bool)
	Has           func(State) bool
}

// NeededRecommends are the recommended packages the passes keep.
var NeededRecommends = []Recommended{
	{Pkg: "ca-certificates", For: "for https",
		Swap:  "https clients whose CA certificates are only a recommended package, which the full image had",
		Loses: images.LosesCACerts, Brings: images.BringsCACerts, Ships: images.ShipsCACerts,
		Has: func(s State) bool { return s.CACerts }},
	{Pkg: "libc6-dev", For: "to compile C (headers, crt1.o)",
		Swap:  "compilers whose libc6-dev is only a recommended package, which the full image had",
		Loses: images.LosesLibcDev, Brings: images.BringsLibcDev, Ships: images.ShipsLibcDev,
		Has: func(s State) bool { return s.LibcDev }},
}

// packagesUpTo applies the RUN's installs, purges and apt-marks that start
// before offset end (all of them when end < 0), in order, to the packages
// installed by name, the manual marks and the orphans of s.
func (s State) packagesUpTo(r *Run, end int) State {
	s.Packages, s.Manual = slices.Clone(s.Packages), slices.Clone(s.Manual)
	type op struct {
		start int
		apply func()
	}
	var ops []op
	for _, ins := range r.Installs {
		ops = append(ops, op{ins.Start, func() { s.Packages = addPackages(s.Packages, ins.Packages) }})
	}
	for _, p := range r.Purges {
		ops = append(ops, op{p.Start, func() {
			gone := func(x string) bool { return slices.Contains(p.Packages, x) }
			s.Packages = slices.DeleteFunc(s.Packages, gone)
			s.Manual = slices.DeleteFunc(s.Manual, gone)
			if gone("ca-certificates") {
				s.CACerts = false
			}
			s.Orphans = !p.AutoRemove && (s.Orphans || len(p.Packages) > 0 || p.Unknown > 0)
		}})
	}
	for _, mk := range r.Marks {
		ops = append(ops, op{mk.Start, func() {
			for _, x := range mk.Packages {
				if mk.Manual && !slices.Contains(s.Manual, x) {
					s.Manual = append(s.Manual, x)
				}
				if !mk.Manual {
					// a pattern ('.*') marks every package it matches: all, as far as we know
					pattern := strings.ContainsAny(x, "*?[^$")
					s.Manual = slices.DeleteFunc(s.Manual, func(y string) bool { return y == x || pattern })
					s.Packages = slices.DeleteFunc(s.Packages, func(y string) bool { return y == x || pattern })
				}
			}
			// packages marked auto that nothing needs are orphans
			s.Orphans = s.Orphans || !mk.Manual
		}})
	}
	slices.SortStableFunc(ops, func(a, b op) int { return a.start - b.start })
	for _, o := range ops {
		if end >= 0 && o.start >= end {
			break
		}
		o.apply()
	}
	return s
}

// addPackages appends the packages that have does not hold yet, in order.
// A stage of a large image installs thousands: above a few, a set finds
// them (a scan of have for each was quadratic).
func addPackages(have, pkgs []string) []string {
	if len(have)*len(pkgs) < 1024 {
		for _, p := range pkgs {
			if !slices.Contains(have, p) {
				have = append(have, p)
			}
		}
		return have
	}
	seen := make(map[string]bool, len(have)+len(pkgs))
	for _, p := range have {
		seen[p] = true
	}
	for _, p := range pkgs {
		if !seen[p] {
			seen[p] = true
			have = append(have, p)
		}
	}
	return have
}
