package layerorder

// What a pip requirements file makes an install read besides itself: the
// files it includes and the local projects, archives and wheel folders it
// names. The effects model reads the file from the build context through
// the COPY that brought it, so that an install never moves away from the
// copy of a local project its requirements name (DS302, DS301).

import (
	"path"
	"strings"

	"github.com/dockslim/dockslim/parser"
)

// requirementReads returns the paths a requirements file at abs (in the
// image, before in) names, resolved; nil without a build context or when
// dockslim cannot tell which COPY brought it. A file that installs the
// project itself (-e .) reads the whole folder pip runs in.
func (m *stageModel) requirementReads(in *parser.Instruction, abs, cwd string, depth int) []string {
	if m.ctx == nil || abs == "" || depth > 8 {
		return nil
	}
	src, ok := m.copiedFrom(in, abs)
	if !ok {
		return nil
	}
	text, ok := m.ctx.read(src)
	if !ok {
		return nil
	}
	more, why := requirementIncludes(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), src)
	if why != "" {
		return []string{resolve(cwd, ".")}
	}
	var out []string
	for _, x := range more {
		if x.fromCwd || path.IsAbs(x.rel) {
			out = append(out, resolve(cwd, x.rel))
			continue
		}
		p := resolve(path.Dir(abs), x.rel)
		out = append(out, p)
		if x.requirements {
			out = append(out, m.requirementReads(in, p, cwd, depth+1)...)
		}
	}
	return out
}

// copiedFrom returns the context path of the file at abs before in, when
// the last instruction of the stage that may have written it is a COPY or
// ADD from the build context that provably brought it.
func (m *stageModel) copiedFrom(in *parser.Instruction, abs string) (string, bool) {
	target := Paths{List: []string{abs}}
	ins := in.Stage.Instructions
	for i := indexIn(in) - 1; i >= 0; i-- {
		y := ins[i]
		switch y.Keyword {
		case "copy", "add":
		case "run":
			if m.Effects(y).Writes.Overlaps(target) {
				return "", false
			}
			continue
		default:
			continue
		}
		src, decided := m.copySourceOf(y, abs)
		if decided {
			return src, src != ""
		}
	}
	return "", false
}

// copySourceOf tells whether the COPY or ADD y writes abs: decided is
// false when it does not; src is the context file it copies there, or ""
// when dockslim cannot tell.
func (m *stageModel) copySourceOf(y *parser.Instruction, abs string) (src string, decided bool) {
	dest, srcs := copyDest(y)
	d, ok := m.expand(y, dest)
	d = resolve(m.wd[y], d)
	if !ok || d == "" {
		return "", true // an unknown destination may be anywhere
	}
	if _, from := y.Flag("from"); from || len(y.Heredocs) > 0 {
		return "", within(abs, d)
	}
	for j := len(srcs) - 1; j >= 0; j-- {
		s := srcs[j]
		rel := strings.TrimLeft(path.Clean(s), "/")
		if rel == "" {
			rel = "."
		}
		switch present, dir := m.ctx.stat(rel); {
		case strings.ContainsAny(s, "*?[$") || strings.Contains(s, "://") || y.Keyword == "add" && isArchive(s):
			if within(abs, d) {
				return "", true
			}
		case present && dir:
			if within(abs, d) {
				if cand := path.Join(rel, relTo(abs, d)); m.ctx.file(cand) {
					return cand, true
				}
			}
		case present:
			t := d
			if len(srcs) > 1 || strings.HasSuffix(dest, "/") || dest == "." {
				t = path.Join(d, path.Base(rel))
			}
			if t == abs {
				return rel, true
			}
		}
	}
	return "", false
}
