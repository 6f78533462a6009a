package stagestate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/parser"
)

// AutoRemoval is what `apt-get purge --auto-remove PKGS`, run at a point
// of a RUN, takes besides PKGS, as far as Debian's metadata bounds it, and
// whether anything later in the stage (or in a stage built FROM it) needs
// it.
type AutoRemoval struct {
	// Takes are the packages it may remove besides PKGS: their Depends
	// (and Recommends, when they were installed with them) closure, less
	// minbase and the closure of the packages that stay installed by name
	// or marked manual. An upper bound: the base image may hold some.
	Takes []string
	// Keep are the run-time libraries among what it would take that
	// programs built in the stage may link: those of the -dev packages it
	// removes and the compiler's opt-in run-times (OpenMP, atomics, quad
	// math). They must be marked manual first (apt-mark manual), which keeps
	// them and what they need; Takes is computed with them kept.
	Keep []string
	// Why says why the removal is not provably harmless ("" when it is,
	// once Keep is marked manual).
	Why string
}

// toolchainRuntime are the run-time libraries of the toolchain's own -dev
// packages, which images.DevRuntimeLibs does not list (libgcc-12-dev:
// what gcc links on request: OpenMP, atomics, __float128).
var toolchainRuntime = map[string][]string{
	"libc6-dev": {"libc6"}, "libcrypt-dev": {"libcrypt1"}, "libnsl-dev": {"libnsl2"},
	"libtirpc-dev": {"libtirpc3"}, "linux-libc-dev": nil, "dpkg-dev": nil, "manpages-dev": nil,
	"libgcc-12-dev":      {"libgcc-s1", "libgomp1", "libatomic1", "libquadmath0"},
	"libstdc++-12-dev":   {"libstdc++6"},
	"libgfortran-12-dev": {"libgfortran5"},
	"python3-dev":        {"libpython3.11"}, "python3.11-dev": {"libpython3.11"},
	"libpython3-dev": {"libpython3.11"}, "libpython3.11-dev": {"libpython3.11"},
}

// runtimeOf returns the run-time libraries of a -dev package: from the
// tables, else the libraries it depends on (what a program built against
// it may link).
func runtimeOf(dev string) []string {
	if libs, ok := toolchainRuntime[dev]; ok {
		return libs
	}
	if libs, ok := images.DevRuntimeLibs(dev); ok {
		return libs
	}
	info, _ := images.DebInfo(dev)
	var out []string
	for _, d := range info.Depends {
		if strings.HasPrefix(d, "lib") && !slices.ContainsFunc([]string{"-dev", "-common", "-doc", "-data", "-bin"}, func(x string) bool { return strings.HasSuffix(d, x) }) {
			out = append(out, d)
		}
	}
	return out
}

// AutoRemove analyses `apt-get purge --auto-remove pkgs` run at offset at
// of the RUN in. own: the purge is new (a fix adds it), so what needs pkgs
// themselves later counts too.
func (m *Model) AutoRemove(in *parser.Instruction, at int, pkgs []string, own bool) AutoRemoval {
	r := m.runs[in]
	if r == nil {
		return AutoRemoval{Why: "dockslim does not model this RUN"}
	}
	if why := debianBase(in.Stage); why != "" {
		return AutoRemoval{Why: why}
	}
	s := r.Before.packagesUpTo(r, at)
	if s.Orphans {
		return AutoRemoval{Why: "an earlier remove or purge without --auto-remove left packages nothing needs, which --auto-remove would take too"}
	}
	closure, unknown := images.DebClosure(pkgs, m.withRecommends(in, at, pkgs))
	if len(unknown) > 0 {
		return AutoRemoval{Why: fmt.Sprintf("dockslim does not know what %s depends on (its table has Debian %s's build packages)", strings.Join(unknown, ", "), images.DevLibsRelease)}
	}
	var kept []string
	for _, p := range append(append(slices.Clone(s.Packages), s.Manual...), baseKeeps(in.Stage)...) {
		if !slices.Contains(pkgs, p) && !slices.Contains(kept, p) {
			kept = append(kept, p)
		}
	}
	// The libraries of the purged -dev packages first, then those of the
	// -dev packages they pulled in that keeping the first does not keep.
	var ar AutoRemoval
	ownPython := slices.Contains(ownCommands(in.Stage), "python")
	ar.Takes = takes(closure, pkgs, kept)
	ar.Keep = libsToKeep(pkgs, ar.Takes, ownPython)
	ar.Takes = takes(closure, pkgs, append(slices.Clone(kept), ar.Keep...))
	if more := libsToKeep(ar.Takes, ar.Takes, ownPython); len(more) > 0 {
		ar.Keep = append(ar.Keep, more...)
		ar.Takes = takes(closure, pkgs, append(slices.Clone(kept), ar.Keep...))
	}
	lost := ar.Takes
	if own {
		lost = append(slices.Clone(pkgs), lost...)
	}
	ar.Why = m.laterNeeds(in, at, lost)
	return ar
}

// pythonDev reports Debian's python -dev packages (python3-dev,
// libpython3.11-dev...).
func pythonDev(d string) bool {
	return strings.HasPrefix(d, "python3") || strings.HasPrefix(d, "libpython3")
}

// baseKeeps are the packages the stage's root image installed by name, as
// far as dockslim knows (a slim official image's run-time packages).
func baseKeeps(st *parser.Stage) []string {
	b := rootBase(st)
	im, ok := images.Normalize(b.Repository)
	if !ok || b.FromArg || !slices.Contains(strings.Split(b.Tag, "-"), "slim") {
		return nil
	}
	return images.SlimKeeps(im)
}

// rootBase is the FROM of the stage chain's first stage.
func rootBase(st *parser.Stage) parser.ImageRef {
	for st.Base.StageRef != nil {
		st = st.Base.StageRef
	}
	return st.Base
}

// BuildpackBase reports a stage whose root image is built on buildpack-deps
// (python:3.12-bookworm, node:22): it already has compilers and -dev
// packages, which an apt install there does not install again.
func BuildpackBase(st *parser.Stage) bool {
	b := rootBase(st)
	im, ok := images.Normalize(b.Repository)
	_, full := images.FullLayer(im, b.Tag)
	return ok && !b.FromArg && full
}

// debianBase says why the stage's root image is not one whose packages
// dockslim can bound: not a known official Debian bookworm image, or a
// buildpack-deps based one (which installed build packages by name).
func debianBase(st *parser.Stage) string {
	b := rootBase(st)
	im, ok := images.Normalize(b.Repository)
	if !ok || b.FromArg || b.Scratch {
		return "the base image " + b.Raw + " is not one dockslim knows: it may hold packages nothing needs, which --auto-remove would take too"
	}
	if fam, code := images.Distro(im, b.Tag); fam != images.Debian || code != images.DevLibsRelease {
		return fmt.Sprintf("%s is not Debian %s, whose package metadata dockslim has (use a -%s tag)", b.Raw, images.DevLibsRelease, images.DevLibsRelease)
	}
	if _, full := images.FullLayer(im, b.Tag); full {
		return b.Raw + " is built on buildpack-deps, which installs build packages itself"
	}
	return ""
}

// withRecommends reports whether one of pkgs was installed with its
// Recommends in the stage chain before offset at of in.
func (m *Model) withRecommends(in *parser.Instruction, at int, pkgs []string) bool {
	for _, r := range m.chainRuns(in) {
		for _, ins := range r.Installs {
			if r.In == in && ins.Start >= at {
				continue
			}
			for _, p := range ins.Packages {
				if slices.Contains(pkgs, p) && !ins.NoRecommends {
					return true
				}
			}
		}
	}
	return false
}

// chainRuns are the RUNs of the stage chain up to in (included).
func (m *Model) chainRuns(in *parser.Instruction) []*Run {
	var out []*Run
	for st, limit := in.Stage, in.Index; st != nil; st, limit = st.Base.StageRef, len(m.f.Instructions) {
		for _, x := range st.Instructions {
			if r := m.runs[x]; r != nil && x.Index <= limit && x.Sub == "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// takes is closure less pkgs, minbase and what kept needs.
func takes(closure, pkgs, kept []string) []string {
	keptClosure, _ := images.DebClosure(kept, false)
	var out []string
	for _, p := range closure {
		if slices.Contains(pkgs, p) || slices.Contains(keptClosure, p) {
			continue
		}
		if info, _ := images.DebInfo(p); info.Required {
			continue
		}
		out = append(out, p)
	}
	return out
}

// libsToKeep are the run-time libraries of the -dev packages of gone that
// taken holds. ownPython: the image has its own python (/usr/local), whose
// headers and library builds use, not Debian's python3-dev.
func libsToKeep(gone, taken []string, ownPython bool) []string {
	var keep []string
	for _, d := range gone {
		if !strings.HasSuffix(d, "-dev") || ownPython && pythonDev(d) {
			continue
		}
		for _, l := range runtimeOf(d) {
			if slices.Contains(taken, l) && !slices.Contains(keep, l) {
				keep = append(keep, l)
			}
		}
	}
	return keep
}
