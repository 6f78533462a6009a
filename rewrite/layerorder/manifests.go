package layerorder

// Finding the manifests of an install in the build context (or inferring
// them without one): the files a plan copies before the install.

import (
	"path"
	"strings"
)

// alternates are manifests that can stand for a missing required one.
var alternates = map[string]string{"package-lock.json": "npm-shrinkwrap.json"}

// collectManifests finds the manifests of one install in the context (or
// infers them without one) and runs the ecosystem's checks.
func (a *analysis) collectManifests(b *broad, p *plan, ta toolAt) {
	if ta.t.stub && !a.stubProject(b, p, ta) {
		return
	}
	list := append([]manifest(nil), ta.t.files...)
	seen := map[string]bool{}
	for i := 0; i < len(list); i++ {
		mf := list[i]
		abs := resolve(ta.cwd, mf.rel)
		if seen[abs] {
			continue
		}
		seen[abs] = true
		relDest := relTo(abs, b.dest)
		switch {
		case relDest == "":
			p.why("`%s` reads %s, outside the copied folder", cmdText(ta.cmd), mf.rel)
			return
		case relDest == "." && mf.pyProject:
			p.why("`%s` builds the project in %s, which needs the whole source", cmdText(ta.cmd), mf.rel)
			return
		}
		p.allowed[abs] = true
		more, ok := a.collectOne(b, p, ta, mf, abs, relDest)
		if !ok {
			return
		}
		for _, x := range more {
			// paths of included files are relative to the including file;
			// local projects to the folder pip runs in
			if !x.fromCwd && !path.IsAbs(x.rel) {
				x.rel = path.Join(path.Dir(mf.rel), x.rel)
			}
			list = append(list, x)
		}
	}
	if a.ctx == nil {
		p.addUnsafe("the build context was not read, so dockslim assumes it has " + fileList(p.files) + " and that the install needs nothing else")
	}
}

// collectOne finds one manifest in the context (or infers it without one)
// and runs the ecosystem's checks, which may name more; ok is false when
// it declined.
func (a *analysis) collectOne(b *broad, p *plan, ta toolAt, mf manifest, abs, relDest string) (more []manifest, ok bool) {
	if a.ctx == nil {
		if mf.optional && !mf.likely {
			return nil, true
		}
		src, ok := b.source(nil, relDest, mf.dir)
		if !ok {
			p.why("dockslim cannot tell which source of the COPY brings %s", relDest)
			return nil, false
		}
		p.addFile(ctxFile{abs: abs, relDest: relDest, ctxRel: src, dir: mf.dir})
		return nil, true
	}
	if mf.glob {
		return nil, a.collectGlob(b, p, ta, mf, abs, relDest)
	}
	src, ok := b.source(a.ctx, relDest, mf.dir)
	if !ok {
		if alt := alternates[mf.rel]; alt != "" && !mf.optional {
			if _, ok := b.source(a.ctx, path.Join(path.Dir(relDest), alt), false); ok {
				return nil, true
			}
		}
		if !mf.optional {
			p.why("%s is not in the build context (or .dockerignore excludes it), and `%s` needs it", relDest, cmdText(ta.cmd))
			return nil, false
		}
		return nil, true
	}
	p.addFile(ctxFile{abs: abs, relDest: relDest, ctxRel: src, dir: mf.dir})
	if mf.pyProject {
		p.writes = append(p.writes, path.Join(abs, "build")) // pip builds in the folder
	}
	more, why := a.ecosystemCheck(ta, mf, src)
	if why != "" {
		p.why("%s", why)
		return nil, false
	}
	return more, true
}

// collectGlob adds the files of the build context that a manifest glob
// (*.csproj) matches; false when it declined.
func (a *analysis) collectGlob(b *broad, p *plan, ta toolAt, mf manifest, abs, relDest string) bool {
	dir, ok := b.source(a.ctx, path.Dir(relDest), true)
	if path.Dir(relDest) == "." {
		dir, ok = b.source(a.ctx, ".", true)
		if !ok && b.whole {
			dir, ok = ".", true
		}
	}
	var matches []string
	if ok {
		matches = a.ctx.glob(path.Join(dir, path.Base(relDest)))
	}
	if len(matches) == 0 {
		if !mf.optional {
			p.why("no %s in the build context for `%s`", mf.rel, cmdText(ta.cmd))
		}
		return true
	}
	for _, mt := range matches {
		fa := path.Join(path.Dir(abs), path.Base(mt))
		p.allowed[fa] = true
		p.addFile(ctxFile{abs: fa, relDest: relTo(fa, b.dest), ctxRel: mt})
		if _, why := a.ecosystemCheck(ta, manifest{rel: path.Join(path.Dir(mf.rel), path.Base(mt))}, mt); why != "" {
			p.why("%s", why)
			return false
		}
	}
	return true
}

// fileNamed is the context path of the plan's manifest with that base
// name ("" when it has none).
func (p *plan) fileNamed(base string) string {
	for _, f := range p.files {
		if path.Base(f.ctxRel) == base {
			return f.ctxRel
		}
	}
	return ""
}

func (p *plan) addFile(cf ctxFile) {
	for _, x := range p.files {
		if x.abs == cf.abs {
			return
		}
	}
	p.files = append(p.files, cf)
}

func fileList(fs []ctxFile) string {
	var names []string
	for _, f := range fs {
		names = append(names, f.relDest)
	}
	return strings.Join(names, ", ")
}

// relTo returns p relative to dir ("." for dir itself), or "" when p is
// not below dir.
func relTo(p, dir string) string {
	switch {
	case p == dir:
		return "."
	case dir == "/":
		return strings.TrimPrefix(p, "/")
	}
	rel, ok := strings.CutPrefix(p, strings.TrimSuffix(dir, "/")+"/")
	if !ok {
		return ""
	}
	return rel
}
