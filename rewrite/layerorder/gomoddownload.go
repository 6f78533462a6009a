package layerorder

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/gomod"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleGoModDownloadNoop is DS310.
var RuleGoModDownloadNoop = &rewrite.Rule{
	ID:      "DS310",
	Name:    "go-mod-download-noop",
	Summary: "`go mod download` runs for a go.mod that requires no module; the step does nothing, drop it",
	Explanation: `The usual Go layer order copies go.mod and go.sum, runs go mod download and
then copies the source, so that a source edit does not download the modules
again. When go.mod requires no module, go mod download fetches nothing ("go:
no module dependencies to download"): the step is one more layer and one more
instruction to run, and the manifest COPY before it copies files the source
COPY brings anyway.

dockslim reads the go.mod the step sees from the build context (the file the
last COPY before it brought to its folder) and drops a RUN that is only a
bare go mod download when that go.mod requires nothing and the go command
would not download a toolchain either (no toolchain line, and a go line not
newer than the image's Go: golang:<version> tags say which). When the
instruction before the step copies only go.mod and go.sum to the same folder
and the instruction after it copies the whole context there, that COPY goes
too. It leaves the step alone when go.mod is not in the context (or it cannot
tell which COPY brought it), when a RUN before it may change go.mod, with
arguments (go mod download <module>), with a go.work next to go.mod or
GOWORK set, and in a RUN that does anything else. The fix is safe: the image
gets the same files.`,
	Before: `FROM golang:1.22
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /app/server .
go.mod:
module example.com/server

go 1.22`,
	After: `FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /app/server .`,
	Applicability: rewrite.Safe,
	Severity:      rewrite.Info,
}

// GoModDownloadPass is the layerorder-gomod pass.
var GoModDownloadPass = &rewrite.Pass{Name: "layerorder-gomod", Rules: []*rewrite.Rule{RuleGoModDownloadNoop}, Run: withContext(runGoModDownload)}

func runGoModDownload(c *rewrite.Context, a *analysis) {
	for _, st := range a.f.Stages {
		for i, in := range st.Instructions {
			if !bareGoModDownload(in) {
				continue
			}
			if edits, msg := a.goModDownloadNoop(st, i); edits != nil {
				c.Report(rewrite.Finding{Rule: RuleGoModDownloadNoop, Offset: in.Start, Message: msg,
					Fix: &rewrite.Fix{Applicability: rewrite.Safe, Description: msg, Edits: edits}})
			}
		}
	}
}

// bareGoModDownload reports whether a RUN runs only `go mod download`
// (options allowed, no module arguments), in shell form.
func bareGoModDownload(in *parser.Instruction) bool {
	if !in.Is("run") || in.JSON || len(in.Heredocs) > 0 || in.Script == nil || in.Script.Err != nil {
		return false
	}
	cmds := shellcmd.All(in)
	if len(cmds) != 1 || cmds[0].Name != "go" || len(cmds[0].Wrappers) > 0 || cmds[0].Nested || cmds[0].InSubst {
		return false
	}
	lits := cmds[0].Lits()
	if len(lits) < 3 || lits[1] != "mod" || lits[2] != "download" {
		return false
	}
	for i, a := range lits[3:] {
		if _, lit := cmds[0].Arg(i + 3); !lit || !strings.HasPrefix(a, "-") {
			return false
		}
	}
	_, goflags := cmds[0].Assigns["GOFLAGS"]
	return !goflags
}

// goModDownloadNoop returns the edits that drop the step at st's i-th
// instruction (and the manifest COPY before it when the source COPY after
// it brings the same files), or nil when dockslim cannot show that it
// does nothing.
func (a *analysis) goModDownloadNoop(st *parser.Stage, i int) ([]textedit.Edit, string) {
	m := a.models[st]
	in := st.Instructions[i]
	cwd := m.wd[in]
	if !strings.HasPrefix(cwd, "/") {
		return nil, ""
	}
	src, from := a.contextSource(m, st, i, path.Join(cwd, "go.mod"))
	if src == "" {
		return nil, ""
	}
	if !a.goModIdle(m, in, src) {
		return nil, ""
	}
	edits := []textedit.Edit{deleteBlock(in)}
	msg := fmt.Sprintf("`go mod download` does nothing: %s requires no module; drop the step", src)
	if i+1 < len(st.Instructions) && from == st.Instructions[i-1] && a.manifestOnlyCopy(m, from, cwd) && a.wholeCopy(m, st.Instructions[i+1], cwd) {
		edits = append(edits, deleteBlock(from))
		msg += fmt.Sprintf(" and the COPY at line %d, whose files the COPY at line %d brings", from.StartLine, st.Instructions[i+1].StartLine)
	}
	return edits, msg
}

// goModIdle reports whether `go mod download`, run at in with the build
// context's go.mod at src, has nothing to download: the go.mod requires no
// module, there is no workspace, and the go command would not fetch a
// toolchain either (the image's Go version from a golang tag, or
// GOTOOLCHAIN=local, says when it would not).
func (a *analysis) goModIdle(m *stageModel, in *parser.Instruction, src string) bool {
	text, ok := a.ctx.read(src)
	if !ok {
		return false
	}
	if v, ok := m.envValue(in, "GOWORK"); ok && v != "off" || a.goWorkAbove(src) {
		return false
	}
	local := 0
	if base := stageBase(m.st); (base.Registry == "" || base.Registry == "docker.io") && strings.TrimPrefix(base.Repository, "library/") == "golang" {
		local = gomod.TagMinor(base.Tag)
	}
	if v, ok := m.envValue(in, "GOTOOLCHAIN"); ok && v == "local" {
		local = 1 << 10 // never switches
	}
	idle, _ := gomod.NothingToDownload(gomod.Parse(text), local)
	return idle
}

// stageBase is the image a stage builds on, through the stages it builds
// FROM.
func stageBase(st *parser.Stage) parser.ImageRef {
	for st.Base.StageRef != nil {
		st = st.Base.StageRef
	}
	return st.Base
}

// goWorkAbove reports whether a go.work sits in go.mod's folder or above it
// in the context (a workspace downloads every module's requirements).
func (a *analysis) goWorkAbove(goMod string) bool {
	for dir := path.Dir(goMod); ; dir = path.Dir(dir) {
		if a.ctx.exists(path.Join(dir, "go.work")) {
			return true
		}
		if dir == "." || dir == "/" {
			return false
		}
	}
}

// contextSource is the build-context file the stage has at target before
// its i-th instruction, and the COPY that brought it; "" when dockslim
// cannot tell (an earlier RUN may write it, a COPY --from or a pattern may
// bring it, or it comes from the stage's base).
func (a *analysis) contextSource(m *stageModel, st *parser.Stage, i int, target string) (string, *parser.Instruction) {
	for j := i - 1; j > 0; j-- {
		x := st.Instructions[j]
		switch x.Keyword {
		case "run":
			if w := m.Effects(x).Writes; w.All || w.Overlaps(Paths{List: []string{target}}) {
				return "", nil
			}
		case "copy", "add":
			src, writes := a.copiedFrom(m, x, target)
			if src != "" {
				return src, x
			}
			if writes {
				return "", nil
			}
		}
	}
	return "", nil
}

// copiedFrom is the context file a COPY or ADD puts at target ("" when it
// puts none there); writes is set when it may write target from somewhere
// dockslim cannot read.
func (a *analysis) copiedFrom(m *stageModel, x *parser.Instruction, target string) (src string, writes bool) {
	dest, srcs := copyDest(x)
	d, ok := m.expand(x, dest)
	destAbs := resolve(m.wd[x], d)
	if !ok || destAbs == "" {
		return "", true
	}
	_, from := x.Flag("from")
	intoDir := strings.HasSuffix(dest, "/") || len(srcs) > 1 || d == "." || d == "./"
	for k := len(srcs) - 1; k >= 0; k-- {
		s := srcs[k]
		rel := strings.TrimLeft(path.Clean(s), "/")
		if rel == "" {
			rel = "."
		}
		switch {
		case from || strings.ContainsAny(s, "*?[$\\") || strings.Contains(s, "://") || x.Is("add") && !a.isDir(rel) && rel != ".":
			// another stage's file, a pattern, a download, an archive ADD unpacks
			if within(target, destAbs) {
				return "", true
			}
		case rel == "." || a.isDir(rel):
			if within(target, destAbs) {
				if cand := path.Join(rel, relTo(target, destAbs)); a.ctx.file(cand) {
					return cand, false
				}
			}
		case intoDir && path.Join(destAbs, path.Base(rel)) == target, !intoDir && destAbs == target:
			return rel, false
		}
	}
	return "", false
}

func (a *analysis) isDir(rel string) bool {
	ok, dir := a.ctx.stat(rel)
	return ok && dir
}

// manifestOnlyCopy reports whether a COPY brings only go.mod and go.sum
// files into dir (with --chown or --chmod at most).
func (a *analysis) manifestOnlyCopy(m *stageModel, x *parser.Instruction, dir string) bool {
	if !x.Is("copy") || !plainCopyFlags(x) {
		return false
	}
	dest, srcs := copyDest(x)
	d, ok := m.expand(x, dest)
	if !ok || resolve(m.wd[x], d) != dir {
		return false
	}
	for _, s := range srcs {
		if b := path.Base(s); (b != "go.mod" && b != "go.sum") || !a.ctx.file(strings.TrimLeft(path.Clean(s), "/")) {
			return false
		}
	}
	return true
}

// wholeCopy reports whether a COPY brings the whole context into dir.
func (a *analysis) wholeCopy(m *stageModel, x *parser.Instruction, dir string) bool {
	if !x.Is("copy") || !plainCopyFlags(x) {
		return false
	}
	dest, srcs := copyDest(x)
	d, ok := m.expand(x, dest)
	return ok && resolve(m.wd[x], d) == dir && len(srcs) == 1 && path.Clean(srcs[0]) == "."
}

// plainCopyFlags reports whether a COPY has no flags but --chown and
// --chmod (which the later copy of the same files overrides).
func plainCopyFlags(x *parser.Instruction) bool {
	for _, fl := range x.Flags {
		if fl.Name != "chown" && fl.Name != "chmod" {
			return false
		}
	}
	return true
}
