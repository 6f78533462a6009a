package slimbase

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// baseImage is the image a stage's FROM names, with global ARGs expanded.
type baseImage struct {
	Stage    *parser.Stage
	Text     string // the reference as written: "python:${PY_VERSION}"
	Resolved string // after expanding global ARG defaults: "python:3.11"
	Ref      images.Ref
	Digest   string // "sha256:…" when pinned
	Official bool   // Ref names an official image (Normalize accepted the repository)
}

// resolveBase reads the image of st's FROM. ok is false for scratch, stage
// references, and references dockslim cannot expand (a variable without a
// default, or syntax other than $NAME and ${NAME}).
func resolveBase(f *parser.File, st *parser.Stage) (b baseImage, ok bool) {
	ref := st.Base
	if ref.Scratch || ref.StageRef != nil || ref.Raw == "" || ref.End <= ref.Start {
		return b, false
	}
	b = baseImage{Stage: st, Text: ref.Raw, Resolved: ref.Raw}
	if ref.FromArg {
		segs, ok := splitTemplate(f, ref.Raw)
		if !ok {
			return b, false
		}
		var sb strings.Builder
		for _, s := range segs {
			sb.WriteString(s.value)
		}
		b.Resolved = sb.String()
	}
	if b.Resolved == "" || strings.EqualFold(b.Resolved, "scratch") {
		return b, false
	}
	// A mirrored reference is the Docker Hub image it mirrors; withTag
	// keeps the prefix.
	hub, _ := f.Unmirror(b.Resolved)
	b.Ref, b.Digest, b.Official = images.ParseRef(hub)
	if !b.Official && b.Ref.Tag != "" && !validTag(b.Ref.Tag) {
		return b, false
	}
	return b, true
}

func validTag(t string) bool { return t != "" && !strings.ContainsAny(t, "$/{} ") }

// segment is a piece of a FROM template: literal text or one variable.
type segment struct {
	name         string // variable name; "" for literal text
	value        string // the text, or the variable's default
	tStart, tEnd int    // span in the template
}

// splitTemplate splits a FROM reference into literal text and $NAME /
// ${NAME} variables resolved from global ARG defaults.
func splitTemplate(f *parser.File, t string) ([]segment, bool) {
	if strings.IndexByte(t, f.Escape) >= 0 {
		return nil, false
	}
	var out []segment
	lit := 0
	flush := func(end int) {
		if end > lit {
			out = append(out, segment{value: t[lit:end], tStart: lit, tEnd: end})
		}
	}
	for i := 0; i < len(t); i++ {
		if t[i] != '$' {
			continue
		}
		flush(i)
		j, name := i+1, ""
		if j < len(t) && t[j] == '{' {
			k := strings.IndexByte(t[j:], '}')
			if k < 0 {
				return nil, false
			}
			name = t[j+1 : j+k]
			j += k + 1
		} else {
			for j < len(t) && isNameByte(t[j]) {
				j++
			}
			name = t[i+1 : j]
		}
		if name == "" || strings.IndexFunc(name, func(r rune) bool { return r > 127 || !isNameByte(byte(r)) }) >= 0 {
			return nil, false // ${V:-x}, ${V#x}, $1 ...: not edited
		}
		v, ok := f.MetaArg(name)
		if !ok || v == nil {
			return nil, false
		}
		out = append(out, segment{name: name, value: *v, tStart: i, tEnd: j})
		lit, i = j, j-1
	}
	flush(len(t))
	return out, true
}

func isNameByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// withTag returns the resolved reference with its tag replaced and the
// digest replaced (or dropped when digest is ""), keeping the repository as
// written (registry prefixes stay).
func (b baseImage) withTag(tag, digest string) string {
	repo := b.Resolved
	if at := strings.IndexByte(repo, '@'); at >= 0 {
		repo = repo[:at]
	}
	if c := strings.LastIndexByte(repo, ':'); c > strings.LastIndexByte(repo, '/') {
		repo = repo[:c]
	}
	out := repo + ":" + tag
	if digest != "" {
		out += "@" + digest
	}
	return out
}

// retarget returns the edits that make the FROM name newResolved: an edit
// of the reference itself, or, when the change falls inside a variable, of
// the global ARG's default (only when no other FROM and no stage uses that
// ARG). how describes an ARG edit; why says why no edit is possible.
func (b baseImage) retarget(f *parser.File, newResolved string) (edits []textedit.Edit, how, why string) {
	old := b.Resolved
	p := 0
	for p < len(old) && p < len(newResolved) && old[p] == newResolved[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(newResolved)-p && old[len(old)-1-s] == newResolved[len(newResolved)-1-s] {
		s++
	}
	a, z := p, len(old)-s // region of old to replace
	repl := newResolved[p : len(newResolved)-s]
	start := b.Stage.Base.Start
	if !b.Stage.Base.FromArg {
		return []textedit.Edit{{Start: start + a, End: start + z, Text: repl}}, "", ""
	}
	segs, _ := splitTemplate(f, b.Text)
	rs := make([]int, len(segs)+1) // rs[i]: where segs[i]'s value starts in old
	for i, sg := range segs {
		rs[i+1] = rs[i] + len(sg.value)
	}
	// Literal text first: the edit stays in the FROM line.
	for i, sg := range segs {
		if sg.name == "" && rs[i] <= a && z <= rs[i+1] {
			return []textedit.Edit{{Start: start + sg.tStart + a - rs[i], End: start + sg.tStart + z - rs[i], Text: repl}}, "", ""
		}
	}
	// An insertion at a variable's edge goes next to it, in the template:
	// ${PY_VERSION} → ${PY_VERSION}-slim.
	if a == z {
		for i, sg := range segs {
			if a == rs[i+1] {
				return []textedit.Edit{{Start: start + sg.tEnd, End: start + sg.tEnd, Text: repl}}, "", ""
			}
			if a == rs[i] {
				return []textedit.Edit{{Start: start + sg.tStart, End: start + sg.tStart, Text: repl}}, "", ""
			}
		}
	}
	for i, sg := range segs {
		if sg.name != "" && rs[i] <= a && z <= rs[i+1] {
			return b.editArg(f, sg.name, sg.value[:a-rs[i]]+repl+sg.value[z-rs[i]:])
		}
	}
	return nil, "", "the change spans ARG variables of " + b.Text
}

// editArg changes the default of global ARG name to value, when only this
// FROM uses it.
func (b baseImage) editArg(f *parser.File, name, value string) ([]textedit.Edit, string, string) {
	uses := 0
	for _, st := range f.Stages {
		if segs, ok := splitTemplate(f, st.Base.Raw); ok && st.Base.FromArg {
			for _, sg := range segs {
				if sg.name == name {
					uses++
				}
			}
		}
		for _, in := range st.Instructions {
			if names, _ := in.ArgDefs(); slices.Contains(names, name) {
				uses += 2 // the stage reads the global value
			}
		}
	}
	if uses != 1 {
		return nil, "", fmt.Sprintf("ARG %s is used elsewhere too; changing its default would change those uses", name)
	}
	var last *parser.Instruction
	for _, in := range f.MetaArgs {
		if _, defs := in.ArgDefs(); defs != nil && defs[name] != nil {
			last = in
		}
	}
	if last == nil {
		return nil, "", "no default for ARG " + name
	}
	text := string(f.Src[last.ArgsStart:last.ArgsEnd])
	off := 0
	for _, w := range strings.Fields(text) {
		at := strings.Index(text[off:], w) + off
		off = at + len(w)
		k, v, ok := strings.Cut(w, "=")
		if !ok || k != name {
			continue
		}
		if strings.ContainsAny(v, "\"'$\\") {
			return nil, "", "the default of ARG " + name + " is quoted or not literal"
		}
		vs := last.ArgsStart + at + len(k) + 1
		return []textedit.Edit{{Start: vs, End: vs + len(v), Text: value}},
			fmt.Sprintf("the default of ARG %s becomes %s (only this FROM uses it)", name, value), ""
	}
	return nil, "", "the default of ARG " + name + " could not be located"
}
