package layerorder

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// planKind says how a RUN after the broad copy is handled.
type planKind int

const (
	planInstall planKind = iota + 1 // installs from manifests: move
	planProject                     // installs the project too: add a dependency-only run
	planStep                        // builds: add a download step
	planReport                      // only report
)

// toolAt is a language tool's command in a RUN, with its folder.
type toolAt struct {
	t   *toolRun
	cmd *shellcmd.Command
	cwd string
}

// ctxFile is a manifest to copy: where it lands and where it comes from.
type ctxFile struct {
	abs     string // in the image
	relDest string // relative to the broad copy's destination
	ctxRel  string // in the build context
	dir     bool
}

// plan is how one RUN after the broad copy can get its manifests first.
type plan struct {
	run     *parser.Instruction
	kind    planKind
	tools   []toolAt
	files   []ctxFile
	allowed map[string]bool // manifest locations it may read (present or not)
	unsafe  []string
	decline string
	effects Effects // of the RUN (or the inserted step) as it runs before the copy
	step    *toolAt // planStep: the build command
	// writes are what the install writes into the copied folder besides
	// its tool's outputs (pip's in-tree build folders).
	writes []string
	// pointless: the install has nothing to cache (pip install . of a
	// project without dependencies): no plan.
	pointless bool
}

func (p *plan) why(format string, args ...any) *plan {
	if p.decline == "" {
		p.decline = fmt.Sprintf(format, args...)
	}
	return p
}

// below is ps.Within(dest); ok is false, and the plan declines, when
// dockslim cannot tell whether the RUN does that there (what: "reads from").
func (p *plan) below(ps Paths, dest, what string) (_ []string, ok bool) {
	in, unknown := ps.Within(dest)
	if unknown {
		p.why("dockslim cannot tell whether the RUN %s %s", what, dest)
	}
	return in, !unknown
}

func (p *plan) addUnsafe(s string) {
	if !slices.Contains(p.unsafe, s) {
		p.unsafe = append(p.unsafe, s)
	}
}

// planFor analyses a RUN after the broad copy; nil when it installs or
// builds nothing from the copied folder.
func (a *analysis) planFor(b *broad, x *parser.Instruction) *plan {
	if x.Keyword != "run" || x.JSON {
		return nil
	}
	m := b.m
	p := &plan{run: x, allowed: map[string]bool{}}
	var others []runItem
	for _, it := range m.runItems(x) {
		if it.cmd != nil {
			if t := describe(fromShell(it.cmd), it.cwd); t != nil && t.kind != kindOther {
				if it.cwd == "" || within(it.cwd, b.dest) || readsWithin(t, it.cwd, b.dest) {
					p.tools = append(p.tools, toolAt{t, it.cmd, it.cwd})
					continue
				}
			}
		}
		others = append(others, it)
	}
	var installs, builds []toolAt
	for _, ta := range p.tools {
		if ta.t.kind == kindBuild {
			builds = append(builds, ta)
		} else {
			installs = append(installs, ta)
		}
	}
	switch {
	case len(p.tools) == 0:
		return nil
	case len(builds) > 0 && builds[0].t.step != nil:
		p.kind, p.step = planStep, &builds[0]
		installs = []toolAt{{t: &toolRun{eco: builds[0].t.eco, kind: kindInstall, files: builds[0].t.step.files}, cmd: builds[0].cmd, cwd: builds[0].cwd}}
	case len(builds) > 0 && builds[0].t.report != "":
		p.kind = planReport
		return p.why("%s", builds[0].t.report)
	case len(builds) > 0 && len(installs) > 0:
		p.kind = planReport
		return p.why("the same RUN also runs `%s`, which needs the source (%s): put the install in a RUN of its own", cmdText(builds[0].cmd), builds[0].t.why)
	case len(builds) > 0 && builds[0].t.eco == "python" && builds[0].t.why != "":
		p.kind = planReport
		return p.why("%s; to cache the dependencies, install them from a requirements file (or pyproject.toml with --no-root) before copying the source", builds[0].t.why)
	case len(builds) > 0:
		return nil
	default:
		p.kind = planInstall
		for _, ta := range installs {
			if ta.t.kind == kindProject {
				p.kind = planProject
			}
		}
	}
	for _, ta := range installs {
		if ta.cwd == "" && !readsWithin(ta.t, ta.cwd, b.dest) {
			return p.why("dockslim cannot tell which folder `%s` runs in", cmdText(ta.cmd))
		}
		if rootOf(b.dest) != "" {
			return p.why("the WORKDIR comes from the base image, which dockslim does not know: set WORKDIR explicitly")
		}
		a.collectManifests(b, p, ta)
		if p.pointless && len(installs) == 1 {
			return nil
		}
		if p.decline != "" {
			return p
		}
	}
	if p.kind == planStep && p.step.t.eco == "go" && a.ctx != nil && a.goModIdle(b.m, x, p.fileNamed("go.mod")) {
		return nil // a download step would fetch nothing (DS310 drops one)
	}
	e, ok := b.m.effectsBeforeCopy(b, p, installs, others)
	if !ok {
		return p
	}
	e.Writes.Add(p.writes...)
	p.effects = e
	a.checkAgainstCopy(b, p)
	return p
}

// effectsBeforeCopy are the effects of the RUN as it will run before the
// copy: its installs read manifests only, and its other commands must
// neither read the copied source nor write into it (ok is false, and p
// says why, when one does).
func (m *stageModel) effectsBeforeCopy(b *broad, p *plan, installs []toolAt, others []runItem) (e Effects, ok bool) {
	e.readVar("workdir", "user", "shell", "env:*")
	for _, ta := range installs {
		t := *ta.t
		t.kind, t.tree, t.runsScripts = kindInstall, false, false
		e.Merge(m.toolEffects(p.run, &t, ta.cwd))
	}
	if p.kind != planStep {
		for _, it := range others {
			ie := it.effects
			if ie.Reads.All || ie.Writes.All {
				p.why("the same RUN also runs `%s`, which dockslim cannot analyse and which may need the source: put the install in a RUN of its own", itemText(it))
				return e, false
			}
			// A command that reads only manifests the install's own copy
			// brings first (`npm cache clean --force` reads .npmrc) runs
			// the same before the source copy.
			if r, unk := ie.Reads.Within(b.dest); unk || slices.ContainsFunc(r, func(x string) bool { return !p.allowed[x] }) {
				p.why("the same RUN also runs `%s`, which reads the copied source: put the install in a RUN of its own", itemText(it))
				return e, false
			}
			if w, unk := ie.Writes.Within(b.dest); len(w) > 0 || unk {
				p.why("the same RUN also runs `%s`, which writes into the copied folder", itemText(it))
				return e, false
			}
			e.Merge(ie)
		}
	}
	return e, true
}

// readsWithin reports whether a tool names a manifest below dir by an
// absolute path (pip install -r /app/requirements.txt).
func readsWithin(t *toolRun, cwd, dir string) bool {
	fs := t.files
	if t.step != nil {
		fs = t.step.files
	}
	for _, mf := range fs {
		if strings.HasPrefix(mf.rel, "/") && within(resolve(cwd, mf.rel), dir) {
			return true
		}
	}
	return false
}

// cmdText is a command as written, shortened, for messages.
func cmdText(c *shellcmd.Command) string {
	var sb strings.Builder
	for i := range c.Args {
		v, ok := c.Arg(i)
		if !ok {
			v = "…"
		}
		if sb.Len()+len(v) > 48 {
			sb.WriteString(" …")
			break
		}
		if i > 0 {
			sb.WriteString(" ")
		}
		sb.WriteString(v)
	}
	return sb.String()
}

// runs is "runs" or "run" after a list of commands.
func runs(ps []*plan) string {
	n := 0
	for _, p := range ps {
		n += len(p.tools)
	}
	if n > 1 {
		return "run"
	}
	return "runs"
}

func itemText(it runItem) string {
	if it.cmd == nil {
		return "a redirection"
	}
	return cmdText(it.cmd)
}

// checkAgainstCopy checks that the RUN, run before the copy, sees the same
// files (it reads only manifests from the copied folder) and that the copy,
// run after it, does not replace what it wrote.
func (a *analysis) checkAgainstCopy(b *broad, p *plan) {
	e := p.effects
	if e.Reads.All || e.Writes.All {
		p.why("dockslim cannot tell what the RUN reads and writes")
		return
	}
	reads, ok := p.below(e.Reads, b.dest, "reads from")
	if !ok {
		return
	}
	for _, r := range reads {
		if !p.allowed[r] {
			p.why("the RUN reads %s, which only the source copy brings", relTo(r, b.dest))
			return
		}
	}
	writes, ok := p.below(e.Writes, b.dest, "writes into")
	if !ok {
		return
	}
	for _, w := range writes {
		rel := relTo(w, b.dest)
		if a.rewriteStopped(b, p, w) {
			continue
		}
		if a.ctx == nil {
			p.addUnsafe(fmt.Sprintf("the install writes %s; if the build context has it, the source copy replaces it", rel))
			continue
		}
		if p.kind != planInstall && p.allowed[w] {
			continue // the original RUN still runs after the copy
		}
		if src, ok := b.source(a.ctx, rel, false); ok || func() bool { _, ok := b.source(a.ctx, rel, true); return ok }() {
			if p.allowed[w] {
				p.addUnsafe(fmt.Sprintf("the install may rewrite %s, and the source copy now restores the original %s", rel, src))
				continue
			}
			p.why("the build context has %s, which the source copy would put over what the install writes: add it to .dockerignore", rel)
			return
		}
	}
	eC := b.m.Effects(b.in)
	if eC.Reads.Overlaps(e.Writes) || varsOverlap(eC.ReadVars, e.WriteVars) {
		p.why("the COPY reads what the RUN changes (users and groups for --chown)")
	}
}

// rewriteStopped reports whether a lock-file rewrite is switched off by the
// environment (BUNDLE_FROZEN).
func (a *analysis) rewriteStopped(b *broad, p *plan, w string) bool {
	for _, ta := range p.tools {
		for _, r := range ta.t.rewrites {
			if resolve(ta.cwd, r) != w {
				continue
			}
			for _, v := range ta.t.rewritesUnlessEnv {
				if b.m.declared(p.run, v) {
					return true
				}
			}
		}
	}
	return false
}

// alreadyDone reports whether an instruction before the broad copy already
// does the dependency-only part (a download step, --no-root install).
func (a *analysis) alreadyDone(b *broad, p *plan) bool {
	if p.kind != planStep && p.kind != planProject {
		return false
	}
	st := b.in.Stage
	for _, y := range st.Instructions[:indexIn(b.in)] {
		if y.Keyword != "run" {
			continue
		}
		for _, it := range b.m.runItems(y) {
			if it.cmd == nil {
				continue
			}
			t := describe(fromShell(it.cmd), it.cwd)
			if t != nil && t.stub && p.kind == planProject && stubOf(p, it.cwd) {
				return true // the stub run on the metadata
			}
			if t == nil || t.kind != kindInstall {
				continue
			}
			if p.kind == planStep && t.eco == p.step.t.eco {
				return true
			}
			for _, ta := range p.tools {
				if ta.t.kind == kindProject && ta.cmd.Name == it.cmd.Name {
					return true
				}
			}
		}
	}
	return false
}

// stubOf reports whether a plan's install builds the project of the
// folder cwd from its metadata alone (pip install .).
func stubOf(p *plan, cwd string) bool {
	for _, ta := range p.tools {
		if ta.t.stub && ta.cwd == cwd {
			return true
		}
	}
	return false
}

// manifestLines renders the COPY instructions for the manifests, grouped
// by destination folder, skipping files an earlier COPY already brings.
func (a *analysis) manifestLines(b *broad, fs []ctxFile) string {
	type group struct {
		dest string
		srcs []string
	}
	var groups []*group
	find := func(d string) *group {
		for _, g := range groups {
			if g.dest == d {
				return g
			}
		}
		g := &group{dest: d}
		groups = append(groups, g)
		return g
	}
	for _, cf := range fs {
		if a.provided(b, cf) {
			continue
		}
		if cf.dir {
			g := &group{dest: destJoin(b.destText, cf.relDest), srcs: []string{cf.ctxRel}}
			groups = append(groups, g)
			continue
		}
		g := find(destJoin(b.destText, path.Dir(cf.relDest)))
		g.srcs = append(g.srcs, cf.ctxRel)
	}
	var sb strings.Builder
	for _, g := range groups {
		sb.WriteString(copyLine(a.f, b.in, g.srcs, g.dest))
	}
	return sb.String()
}

// provided reports whether an earlier COPY of the stage already puts the
// same context file at the same place, untouched since.
func (a *analysis) provided(b *broad, cf ctxFile) bool {
	if cf.dir {
		return false
	}
	st := b.in.Stage
	before := st.Instructions[:indexIn(b.in)]
	for i, e := range before {
		if (e.Keyword != "copy" && e.Keyword != "add") || len(e.Heredocs) > 0 {
			continue
		}
		if _, ok := e.Flag("from"); ok {
			continue
		}
		dest, srcs := copyDest(e)
		d, ok := b.m.expand(e, dest)
		if !ok {
			continue
		}
		d = resolve(b.m.wd[e], d)
		if d == "" {
			continue
		}
		for _, s := range srcs {
			target := d
			if len(srcs) > 1 || strings.HasSuffix(dest, "/") || dest == "." {
				target = path.Join(d, path.Base(s))
			}
			if target != cf.abs || strings.TrimLeft(path.Clean(s), "/") != cf.ctxRel {
				continue
			}
			touched := false
			for _, y := range before[i+1:] {
				if b.m.Effects(y).Writes.Overlaps(Paths{List: []string{target}}) {
					touched = true
				}
			}
			if !touched {
				return true
			}
		}
	}
	return false
}

func installNames(ps []*plan) string {
	var names []string
	for _, p := range ps {
		for _, ta := range p.tools {
			if t := "`" + cmdText(ta.cmd) + "`"; !slices.Contains(names, t) {
				names = append(names, t)
			}
		}
	}
	return strings.Join(names, " and ")
}

func manifestNames(fs []ctxFile) string {
	var names []string
	for _, f := range fs {
		n := f.relDest
		if f.dir {
			n += "/"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}
