// Package layerorder holds the passes that order a stage's instructions so
// the build cache survives source edits: dependency manifests are copied and
// installed before the source, work that does not need the source runs
// before it is copied, and a .dockerignore keeps junk out of the context.
package layerorder

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// analysis is what the passes share for one run over a file.
type analysis struct {
	f      *parser.File
	ctx    *buildContext // nil: no build context
	models map[*parser.Stage]*stageModel
	env    *rewrite.Env // the run's (for its caches)
}

func newAnalysis(c *rewrite.Context) *analysis {
	ctx := contextFor(c)
	return &analysis{f: c.File, ctx: ctx, models: fileModels(c.File, ctx, c.Options.ContextDir), env: c.Options.Env}
}

// withContext makes the Run of a pass that reads the build context: it runs
// on the file's analysis, and not at all without a build context.
func withContext(run func(*rewrite.Context, *analysis)) func(*rewrite.Context) {
	return func(c *rewrite.Context) {
		if a := newAnalysis(c); a.ctx != nil {
			run(c, a)
		}
	}
}

type modelsKey struct{ dir string }

// fileModels shares the stage models, and so their memos of instruction
// effects, between the passes of this package that analyse the same File:
// the models depend only on the File, which never changes, and on the
// build context (requirements files name local projects), which does not
// change while dockslim analyses a file.
func fileModels(f *parser.File, ctx *buildContext, dir string) map[*parser.Stage]*stageModel {
	return f.Memo(modelsKey{dir}, func() any {
		ms := models(f)
		for _, m := range ms {
			m.ctx = ctx
		}
		return ms
	}).(map[*parser.Stage]*stageModel)
}

// srcKind says what a COPY source brings.
type srcKind int

const (
	srcFile srcKind = iota
	srcAll          // "." or "./": the whole context
	srcStar         // "*": every top-level entry
	srcDir          // a folder: its content
	srcGlob         // another wildcard
)

type copySrc struct {
	text string
	rel  string // cleaned, relative to the context root
	kind srcKind
}

// broad is a COPY/ADD that brings the whole context or a source folder.
type broad struct {
	in       *parser.Instruction
	m        *stageModel
	dest     string // resolved destination folder
	destText string // as written
	srcs     []copySrc
	whole    bool // copies the whole context
}

// broadCopy returns the broad copy in is, or nil.
func (a *analysis) broadCopy(in *parser.Instruction) *broad {
	if (in.Keyword != "copy" && in.Keyword != "add") || len(in.Heredocs) > 0 || in.Stage == nil {
		return nil
	}
	for _, fl := range in.Flags {
		if fl.Name == "from" || fl.Name == "exclude" || fl.Name == "parents" {
			return nil
		}
	}
	m := a.models[in.Stage]
	dest, srcs := copyDest(in)
	if dest == "" {
		return nil
	}
	d, ok := m.expand(in, dest)
	if !ok {
		return nil
	}
	b := &broad{in: in, m: m, destText: dest, dest: resolve(m.wd[in], d)}
	if b.dest == "" {
		return nil
	}
	isBroad := false
	for _, s := range srcs {
		if strings.ContainsAny(s, "$\"'\\`") || strings.Contains(s, "://") || strings.HasPrefix(s, "git@") {
			return nil
		}
		rel := strings.TrimLeft(path.Clean(s), "/")
		if rel == "" {
			rel = "."
		}
		if rel == ".." || strings.HasPrefix(rel, "../") {
			return nil
		}
		k := srcFile
		switch {
		case rel == ".":
			k = srcAll
		case rel == "*":
			k = srcStar
		case strings.ContainsAny(rel, "*?["):
			k = srcGlob
		case a.ctx != nil:
			if ok, dir := a.ctx.stat(rel); ok && dir {
				k = srcDir
			}
		case strings.HasSuffix(s, "/"):
			k = srcDir
		}
		b.srcs = append(b.srcs, copySrc{text: s, rel: rel, kind: k})
		isBroad = isBroad || k == srcAll || k == srcStar || k == srcDir
		b.whole = b.whole || k == srcAll || k == srcStar
	}
	if !isBroad {
		return nil
	}
	return b
}

// source maps a path relative to the destination folder to the context
// path the copy takes it from. With a build context the path must be there
// (the last source that has it wins, as in COPY); without one, the copy
// must have a single broad source.
func (b *broad) source(ctx *buildContext, relDest string, dir bool) (string, bool) {
	cand := func(s copySrc) (string, bool) {
		switch s.kind {
		case srcAll:
			return relDest, true
		case srcStar:
			return relDest, !strings.Contains(relDest, "/") && !dir
		case srcDir:
			return path.Join(s.rel, relDest), true
		case srcFile:
			return s.rel, path.Base(s.rel) == relDest && !dir
		}
		return "", false
	}
	if ctx != nil {
		for i := len(b.srcs) - 1; i >= 0; i-- {
			if c, ok := cand(b.srcs[i]); ok {
				if present, isDir := ctx.stat(c); present && isDir == dir {
					return c, true
				}
			}
		}
		return "", false
	}
	var broadSrcs []copySrc
	for _, s := range b.srcs {
		if s.kind != srcFile && s.kind != srcGlob {
			broadSrcs = append(broadSrcs, s)
		}
	}
	if len(broadSrcs) != 1 {
		return "", false
	}
	return cand(broadSrcs[0])
}

// blockStart is where an instruction's block begins: its comment lines.
func blockStart(in *parser.Instruction) int {
	if len(in.Comments) > 0 {
		return in.Comments[0].Start
	}
	return in.Start
}

// blockText is the instruction with its comment lines, ending in a newline.
func blockText(f *parser.File, in *parser.Instruction) string {
	t := string(f.Src[blockStart(in):in.End])
	if !strings.HasSuffix(t, "\n") {
		t += f.Newline()
	}
	return t
}

// keyword is the instruction's keyword as written ("RUN", "run").
func keyword(f *parser.File, in *parser.Instruction) string {
	s := strings.TrimLeft(string(f.Src[in.Start:in.End]), " \t\ufeff")
	if i := strings.IndexAny(s, " \t\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// sameCase writes kw in the case of the file's written keyword like.
func sameCase(like, kw string) string {
	if like == strings.ToLower(like) {
		return strings.ToLower(kw)
	}
	return strings.ToUpper(kw)
}

// deleteBlock deletes an instruction's block (comments included) so that
// its text can be inserted elsewhere.
func deleteBlock(in *parser.Instruction) textedit.Edit {
	return textedit.Edit{Start: blockStart(in), End: in.End}
}

// insertAfter inserts text (whole lines) after the instruction.
func insertAfter(f *parser.File, in *parser.Instruction, text string) textedit.Edit {
	if in.End == len(f.Src) && !strings.HasSuffix(string(f.Src), "\n") {
		return textedit.Edit{Start: in.End, End: in.End, Text: f.Newline() + strings.TrimRight(text, "\r\n")}
	}
	return textedit.Edit{Start: in.End, End: in.End, Text: text}
}

// destJoin appends a sub-folder to a COPY destination, ending in "/".
func destJoin(dest, sub string) string {
	if !strings.HasSuffix(dest, "/") {
		dest += "/"
	}
	if sub != "" && sub != "." {
		dest += sub + "/"
	}
	return dest
}

// copyLine renders a COPY of srcs to dest in the style of like (casing,
// indentation, flags --chown/--chmod/--link, JSON or shell form).
func copyLine(f *parser.File, like *parser.Instruction, srcs []string, dest string) string {
	var sb strings.Builder
	sb.WriteString(like.Indent(f))
	sb.WriteString(sameCase(keyword(f, like), "COPY"))
	for _, fl := range like.Flags {
		if fl.Name == "chown" || fl.Name == "chmod" || fl.Name == "link" {
			sb.WriteString(" ")
			sb.Write(f.Src[fl.Start:fl.End])
		}
	}
	sb.WriteString(" ")
	if like.JSON {
		parts := make([]string, 0, len(srcs)+1)
		for _, s := range append(append([]string(nil), srcs...), dest) {
			q, _ := json.Marshal(s)
			parts = append(parts, string(q))
		}
		sb.WriteString("[" + strings.Join(parts, ", ") + "]")
	} else {
		sb.WriteString(strings.Join(srcs, " ") + " " + dest)
	}
	sb.WriteString(f.Newline())
	return sb.String()
}

// lastStage reports whether the stage is the file's last (the image built
// by default).
func lastStage(f *parser.File, st *parser.Stage) bool {
	return st == f.Stages[len(f.Stages)-1]
}

// firstBroadCopies returns each stage's first broad copy, in stage order.
// The passes that move instructions above a broad copy take one a stage a
// round; a later broad copy follows in the next round, over the result.
func (a *analysis) firstBroadCopies() []*broad {
	var out []*broad
	for _, st := range a.f.Stages {
		for _, in := range st.Instructions {
			if b := a.broadCopy(in); b != nil {
				out = append(out, b)
				break
			}
		}
	}
	return out
}

// indexIn is the position of in in its stage.
func indexIn(in *parser.Instruction) int {
	for i, x := range in.Stage.Instructions {
		if x == in {
			return i
		}
	}
	return -1
}

// shortText is an instruction's first line, for messages.
func shortText(f *parser.File, in *parser.Instruction) string {
	s := strings.TrimSpace(f.Line(in.StartLine))
	s = strings.TrimSpace(strings.TrimSuffix(s, string(f.Escape)))
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}
