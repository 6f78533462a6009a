package layerorder

// Python projects that pip builds from a folder of the build context: a
// local project a requirements file or the command line names (copied
// whole with the manifests), and the project of the folder pip runs in
// (`pip install .`: its metadata is copied, and the same command runs on
// it alone first, so that the dependencies are installed before the
// source; the install after the source copy replaces the project).

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/pyproject"
)

// localProjectCheck reads a local project folder pip builds (ctxRel in the
// context, rel as the install names it): why copying the folder alone is
// not enough, or "".
func (a *analysis) localProjectCheck(ctxRel, rel string) string {
	proj, ok := pyproject.Read(a.ctx.fsys, ctxRel)
	switch {
	case !ok:
		return fmt.Sprintf("%s has no pyproject.toml, setup.cfg or setup.py, so dockslim cannot tell what pip builds from it", rel)
	case proj.Outside != "":
		return fmt.Sprintf("the local project %s needs files outside its folder: %s", rel, proj.Outside)
	case len(proj.LocalDeps) > 0:
		return fmt.Sprintf("the local project %s depends on another local path (%s)", rel, proj.LocalDeps[0])
	}
	return a.eggInfoCheck(ctxRel)
}

// eggInfoCheck declines when the context has setuptools' metadata folder in
// the project folder: pip's in-tree build writes it too, and the source
// copy, now after the install, would put the context's over it.
func (a *analysis) eggInfoCheck(ctxRel string) string {
	for _, g := range []string{"*.egg-info", "src/*.egg-info"} {
		if m := a.ctx.glob(path.Join(ctxRel, g)); len(m) > 0 {
			return fmt.Sprintf("the build context has %s, which pip's build writes too: add it to .dockerignore", m[0])
		}
	}
	return ""
}

// stubProject plans the dependency-only run of `pip install .`: the
// project's metadata files (and the files its build backend reads) are
// copied, and the same command runs on them before the source copy. It is
// provable only when the metadata alone builds the project (setuptools,
// packages found rather than listed, a static version) and nothing outside
// its folder is read; p.pointless is set when the project declares no
// dependencies and the command installs nothing else. false: declined.
func (a *analysis) stubProject(b *broad, p *plan, ta toolAt) bool {
	what := cmdText(ta.cmd)
	abs := resolve(ta.cwd, ".")
	relDest := relTo(abs, b.dest)
	if relDest == "" || abs == "" {
		p.why("`%s` builds a project outside the copied folder", what)
		return false
	}
	if a.ctx == nil {
		p.why("`%s` also builds the project itself, and without the build context dockslim cannot read its metadata", what)
		return false
	}
	dir, ok := b.source(a.ctx, relDest, true)
	if !ok {
		p.why("`%s` builds the project in %s, which the build context does not have", what, relDest)
		return false
	}
	proj, ok := pyproject.Read(a.ctx.fsys, dir)
	if !ok {
		p.why("`%s` builds a project without pyproject.toml, setup.cfg or setup.py", what)
		return false
	}
	// Without dependencies (a setup.py that is code counts as having them
	// only when it names install_requires) there is nothing to cache.
	p.pointless = !proj.Deps && !(proj.Extras && extrasAsked(ta)) && !ta.t.others
	if p.pointless {
		return true
	}
	cant := "`" + what + "` also builds the project itself, and dockslim cannot build it from its metadata alone: "
	switch {
	case proj.Outside != "":
		p.why("%s%s", cant, proj.Outside)
		return false
	case proj.Sources != "":
		p.why("%s%s", cant, proj.Sources)
		return false
	case len(proj.LocalDeps) > 0:
		p.why("%sit depends on a local path (%s)", cant, proj.LocalDeps[0])
		return false
	}
	if why := a.eggInfoCheck(dir); why != "" {
		p.why("%s", why)
		return false
	}
	for _, f := range append(append([]string(nil), proj.Files...), proj.Needs...) {
		rel := f
		if dir != "." {
			rel = strings.TrimPrefix(f, dir+"/")
		}
		fa := path.Join(abs, rel)
		p.allowed[fa] = true
		p.addFile(ctxFile{abs: fa, relDest: relTo(fa, b.dest), ctxRel: f})
	}
	p.writes = append(p.writes, path.Join(abs, "build"))
	return true
}

// extrasAsked reports a `pip install .[extra]`.
func extrasAsked(ta toolAt) bool {
	for i := range ta.cmd.Args {
		if v, ok := ta.cmd.Arg(i); ok && (strings.HasPrefix(v, ".[") || strings.HasPrefix(v, "./[")) {
			return true
		}
	}
	return false
}
