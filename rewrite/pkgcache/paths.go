package pkgcache

// Paths, mounts and removals, read through the stage model's rules
// (stagestate.PathCovers, MountCovers, RemovesPath): one answer for every
// pass.

import (
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
)

// pathCovers reports whether removing p removes q.
func pathCovers(p, q string) bool { return stagestate.PathCovers(p, q) }

// pathsOverlap reports whether one path contains the other.
func pathsOverlap(p, q string) bool { return pathCovers(p, q) || pathCovers(q, p) }

// mountCovers reports whether a --mount of the RUN (of any type: cache,
// tmpfs, bind, secret) covers dir, so that what is written there never
// reaches the layer.
func mountCovers(in *parser.Instruction, dir string) bool { return stagestate.MountCovers(in, dir) }

// mountOverlaps reports whether a --mount of the RUN overlaps dir.
func mountOverlaps(in *parser.Instruction, dir string) bool {
	for _, m := range in.Mounts() {
		if m.Target != "" && pathsOverlap(m.Target, dir) {
			return true
		}
	}
	return false
}

// rmPaths returns the paths of an `rm` command; ok is false when the command
// is not rm or a path is not literal.
func rmPaths(cmd *shellcmd.Command) (paths []string, ok bool) {
	if cmd.Name != "rm" {
		return nil, false
	}
	opts := true
	for i := 1; i < len(cmd.Args); i++ {
		a, lit := cmd.Arg(i)
		if !lit {
			return nil, false
		}
		if opts && a == "--" {
			opts = false
			continue
		}
		if opts && strings.HasPrefix(a, "-") && len(a) > 1 {
			continue
		}
		paths = append(paths, a)
	}
	return paths, len(paths) > 0
}

// removesPath reports whether cmd, a command of the RUN in, removes p: an
// rm whose operands cover it (literal, or through variables the RUN or the
// stage sets), or find P … -delete.
func removesPath(f *parser.File, in *parser.Instruction, cmd *shellcmd.Command, p string) bool {
	return stagestate.RemovesPath(stagestate.Scope{File: f, In: in}, cmd, p)
}

// removedAfter reports whether a command of the RUN that starts after
// offset from removes dir.
func removedAfter(f *parser.File, in *parser.Instruction, from int, dir string) bool {
	for _, cmd := range allCmds(in) {
		if start, _ := cmd.Span(0); start > from && removesPath(f, in, cmd, dir) {
			return true
		}
	}
	return false
}
