// Package slimbase holds the passes about base images: swapping a full
// official image for its slim (or alpine) variant without breaking the build,
// reporting outdated and unofficial bases, and catching files copied between
// stages of different C libraries (glibc vs musl).
//
// Every pass reads the offline knowledge of package images; with
// rewrite.Options.Online the registry is asked too (registry.go).
package slimbase

import (
	"iter"
	"path"
	"strings"

	"github.com/dockslim/dockslim/parser"
)

// finalChain returns the stages whose layers end up in the final image: the
// last stage and the stages it builds FROM, transitively. Other stages are
// builders (copied from) or alternative targets: a smaller base there saves
// nothing in the shipped image.
func finalChain(f *parser.File) map[*parser.Stage]bool {
	out := map[*parser.Stage]bool{}
	if len(f.Stages) == 0 {
		return out
	}
	for st := f.Stages[len(f.Stages)-1]; st != nil && !out[st]; st = st.Base.StageRef {
		out[st] = true
	}
	return out
}

// finalBases yields the stages of the final image's chain (finalChain) in
// file order whose base image resolves, with that base.
func finalBases(f *parser.File) iter.Seq2[*parser.Stage, baseImage] {
	return func(yield func(*parser.Stage, baseImage) bool) {
		final := finalChain(f)
		for _, st := range f.Stages {
			if !final[st] {
				continue
			}
			if b, ok := resolveBase(f, st); ok && !yield(st, b) {
				return
			}
		}
	}
}

// descendants returns st and every stage that builds FROM it, transitively:
// the stages whose RUN lines execute on st's base image.
func descendants(f *parser.File, st *parser.Stage) []*parser.Stage {
	out := []*parser.Stage{st}
	in := map[*parser.Stage]bool{st: true}
	for changed := true; changed; {
		changed = false
		for _, s := range f.Stages {
			if !in[s] && s.Base.StageRef != nil && in[s.Base.StageRef] {
				in[s] = true
				out = append(out, s)
				changed = true
			}
		}
	}
	return out
}

// rootStage follows FROM <stage> references to the stage whose FROM names an image.
func rootStage(st *parser.Stage) *parser.Stage {
	seen := map[*parser.Stage]bool{}
	for st.Base.StageRef != nil && !seen[st] {
		seen[st] = true
		st = st.Base.StageRef
	}
	return st
}

// copyFrom is a COPY --from (or ADD --from) that names a stage.
type copyFrom struct {
	In    *parser.Instruction
	From  *parser.Stage // nil when --from names an external image
	Image string        // --from value when it is not a stage
	Srcs  []string      // source paths as written
	Dest  string
}

// copiesFrom lists the COPY --from instructions of stage st (ONBUILD ones excluded:
// they run in another build).
func copiesFrom(f *parser.File, st *parser.Stage) []copyFrom {
	var out []copyFrom
	for _, in := range st.Instructions {
		if in.Keyword != "copy" && in.Keyword != "add" {
			continue
		}
		fl, ok := in.Flag("from")
		if !ok {
			continue
		}
		c := copyFrom{In: in, From: f.StageByName(fl.Value)}
		if c.From != nil && c.From.Index >= st.Index {
			c.From = nil // only earlier stages can be named
		}
		if c.From == nil {
			c.Image = fl.Value
		}
		var args []string
		if in.JSON {
			for _, a := range in.JSONArgs {
				args = append(args, a.Value)
			}
		} else {
			args = in.Args()
		}
		if len(args) >= 2 {
			c.Srcs, c.Dest = args[:len(args)-1], args[len(args)-1]
		}
		out = append(out, c)
	}
	return out
}

// copiedFromBy lists the COPY --from instructions of other stages that read st.
func copiedFromBy(f *parser.File, st *parser.Stage) []copyFrom {
	return f.Memo(readersKey{}, func() any {
		// Every stage's readers at once: a stage at a time scans the
		// whole file for each stage.
		by := map[*parser.Stage][]copyFrom{}
		for _, s := range f.Stages {
			for _, c := range copiesFrom(f, s) {
				if c.From != nil {
					by[c.From] = append(by[c.From], c)
				}
			}
		}
		return by
	}).(map[*parser.Stage][]copyFrom)[st]
}

type readersKey struct{}

// keywordCase returns kw ("run") in the casing the file uses for the
// instruction in (RUN, run, Run).
func keywordCase(f *parser.File, in *parser.Instruction, kw string) string {
	start := in.Start + len(in.Indent(f))
	word := string(f.Src[start:min(start+len(in.Keyword), len(f.Src))])
	switch {
	case word == strings.ToLower(word):
		return strings.ToLower(kw)
	case word == strings.ToUpper(word):
		return strings.ToUpper(kw)
	}
	return strings.ToUpper(kw[:1]) + strings.ToLower(kw[1:])
}

// cleanPath normalises a path of a COPY source for matching.
func cleanPath(p string) string {
	if p == "" {
		return ""
	}
	return path.Clean("/" + strings.TrimPrefix(p, "./"))
}
