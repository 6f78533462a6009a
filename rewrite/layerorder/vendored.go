package layerorder

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleVendoredFirst is DS418.
var RuleVendoredFirst = &rewrite.Rule{
	ID:      "DS418",
	Name:    "vendored-build-before-source",
	Summary: "a vendored C library is built after the whole source is copied; copy its folder and build it first",
	Explanation: `A C project often builds a library it vendors (third_party/zlib, deps/cjson)
in a RUN of its own right after COPY . /src. That RUN reads only the
library's folder, yet it runs again whenever any source file changes, and a
library build takes minutes.

dockslim copies that folder alone (COPY third_party/zlib/ third_party/zlib/,
with the broad copy's --chown/--chmod) and moves the RUN above the broad
copy, so a source edit rebuilds only the program. It does so when the RUN
right after the broad copy only runs build commands (cd, make, cmake,
ninja, ./configure, autoreconf, mkdir, rm, ldconfig) in one sub-folder of
the copied tree, every path they are given stays in that folder or outside
the copied tree, and the folder's build files (Makefile, *.mk,
CMakeLists.txt, *.cmake, configure.ac, Makefile.am, meson.build) refer to
nothing above it (no ../ that climbs out, no absolute path into the copied
tree). It needs the build context.

The fix is unsafe: a build file can still read outside its folder in ways
dockslim does not see (a script, a generated path), and a file of that
folder which the build rewrites (a configure that regenerates a file kept
in the source tree) is copied again, unchanged, by the broad copy.`,
	Before: `WORKDIR /src
COPY . .
RUN cd third_party/cjson && make && make install PREFIX=/usr/local
RUN make && make install`,
	After: `WORKDIR /src
COPY third_party/cjson/ ./third_party/cjson/
RUN cd third_party/cjson && make && make install PREFIX=/usr/local
COPY . .
RUN make && make install`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
}

// VendoredPass is the layerorder-vendored pass.
var VendoredPass = &rewrite.Pass{Name: "layerorder-vendored", Rules: []*rewrite.Rule{RuleVendoredFirst}, Run: withContext(runVendored)}

func runVendored(c *rewrite.Context, a *analysis) {
	for _, b := range a.firstBroadCopies() {
		after := b.in.Stage.Instructions[indexIn(b.in)+1:]
		if len(b.srcs) == 1 && b.srcs[0].kind == srcAll && len(after) > 0 && after[0].Is("run") {
			a.vendored(c, b, after[0])
		}
	}
}

// vendored moves run, a build of one sub-folder of the broad copy b, above
// b with a copy of that folder.
func (a *analysis) vendored(c *rewrite.Context, b *broad, run *parser.Instruction) {
	if ignores(run, RuleVendoredFirst) {
		return
	}
	rel, ok := a.vendoredDir(b, run)
	if !ok {
		return
	}
	if isDir, exists := a.ctx.stat(rel); !exists || !isDir {
		return
	}
	first := fmt.Sprintf("`%s` builds only %s", shortText(a.f, run), rel)
	if why := a.climbsOut(rel, b.dest); why != "" {
		c.Reportf(RuleVendoredFirst, run.Start, "%s, but %s, so it is not moved above `%s`", first, why, shortText(a.f, b.in))
		return
	}
	copyText := copyLine(a.f, b.in, []string{rel + "/"}, destJoin(b.destText, rel))
	edits := []textedit.Edit{
		{Start: blockStart(b.in), End: blockStart(b.in), Text: copyText + blockText(a.f, run)},
		deleteBlock(run),
	}
	msg := fmt.Sprintf("%s, yet runs again after every source change: copy %s/ first and build it before `%s`",
		first, rel, shortText(a.f, b.in))
	c.Report(rewrite.Finding{Rule: RuleVendoredFirst, Offset: run.Start, Message: msg,
		Fix: &rewrite.Fix{Applicability: rewrite.Unsafe, Description: msg, Edits: edits}})
}

// vendoredDir is the sub-folder of the copied tree (relative to its
// destination, which is the context root) that every command of run works
// in; ok is false when run is not such a build.
func (a *analysis) vendoredDir(b *broad, run *parser.Instruction) (string, bool) {
	if run.JSON || len(run.Heredocs) > 0 {
		return "", false
	}
	var dirs []string
	built := false
	for _, it := range b.m.runItems(run) {
		switch {
		case it.cmd == nil:
			dirs = append(dirs, it.effects.Writes.List...)
			if it.effects.Writes.All || it.effects.Reads.All {
				return "", false
			}
		case it.cmd.Name == "cd":
		case it.cwd == "":
			return "", false
		default:
			ds, build, ok := vendoredCommand(fromShell(it.cmd), it.cwd, b.dest)
			if !ok {
				return "", false
			}
			built = built || build
			dirs = append(dirs, ds...)
		}
	}
	var common []string
	for i, d := range dirs {
		r, ok := relBelow(b.dest, d)
		if !ok {
			return "", false
		}
		segs := strings.Split(r, "/")
		if i == 0 {
			common = segs
			continue
		}
		n := 0
		for n < len(common) && n < len(segs) && common[n] == segs[n] {
			n++
		}
		common = common[:n]
	}
	if !built || len(common) == 0 {
		return "", false
	}
	return strings.Join(common, "/"), true
}

// relBelow is p relative to dir when p is strictly below dir.
func relBelow(dir, p string) (string, bool) {
	return strings.CutPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// dirOpts are the options of make, ninja and cmake whose value is a
// folder (or a file) the command reads.
var dirOpts = []string{"-C", "--directory", "-f", "--file", "-S", "-B", "--build", "--install"}

// vendoredCommand lists the folders a build command works in (resolved
// against cwd), whether it builds, and ok false for a command that is not
// part of a C library's build.
func vendoredCommand(c *command, cwd, dest string) (dirs []string, build, ok bool) {
	switch c.name {
	case "make", "gmake", "ninja", "cmake", "configure":
		build = true
	case "autoreconf", "autoconf", "aclocal", "automake", "libtoolize", "mkdir", "rm", "ldconfig", "true":
	default:
		return nil, false, false
	}
	if c.name == "cmake" && len(c.args) > 0 && (c.args[0].v == "-E" || c.args[0].v == "-P") {
		return nil, false, false
	}
	explicit := false
	add := func(p string) bool {
		r := resolve(cwd, p)
		if r != "" && within(r, dest) {
			dirs = append(dirs, r)
		}
		return r != ""
	}
	for i, w := range c.args {
		v := w.v
		isDir := i > 0 && slices.Contains(dirOpts, c.args[i-1].v)
		for _, o := range []string{"-C", "-S", "-B", "--directory="} {
			if strings.HasPrefix(v, o) && len(v) > len(o) && o != v {
				v, isDir = v[len(o):], true
			}
		}
		cmakeSrc := c.name == "cmake" && !strings.HasPrefix(v, "-") && (i == 0 || !strings.HasPrefix(c.args[i-1].v, "-"))
		operand := (c.name == "mkdir" || c.name == "rm") && !strings.HasPrefix(v, "-")
		v = v[strings.LastIndexByte(v, '=')+1:]
		// A path inside an option's value: -I../include, -L/src/lib.
		if j := strings.Index(v, "../"); j > 0 {
			v = v[j:]
		} else if j := strings.Index(v, strings.TrimSuffix(dest, "/")+"/"); j > 0 {
			v = v[j:]
		}
		switch {
		case !w.ok:
			return nil, false, false
		case isDir || cmakeSrc || operand:
			explicit = true
			if !add(v) {
				return nil, false, false
			}
		case strings.HasPrefix(v, ".") || strings.HasPrefix(v, "/") && within(path.Clean(v), dest):
			if !add(v) {
				return nil, false, false
			}
		}
	}
	if c.name == "configure" && c.sh != nil {
		if argv0, lit := c.sh.Arg(0); !lit || !add(path.Dir(argv0)) {
			return nil, false, false
		}
	}
	if !explicit && c.name != "ldconfig" && c.name != "true" {
		dirs = append(dirs, cwd)
	}
	return dirs, build, true
}

// buildFiles are the files that say what a C build reads.
var buildFiles = []string{"Makefile", "makefile", "GNUmakefile", "CMakeLists.txt", "configure.ac", "configure.in",
	"Makefile.am", "meson.build"}

// maxBuildFiles bounds the files climbsOut reads.
const maxBuildFiles = 300

// climbsOut says where a build file of the context folder rel refers to a
// path above it (../ beyond its depth, or dest/... outside rel), "" when
// none does.
func (a *analysis) climbsOut(rel, dest string) string {
	why, n := "", 0
	_ = fs.WalkDir(a.ctx.fsys, rel, func(p string, d fs.DirEntry, err error) error {
		if err != nil || why != "" || n > maxBuildFiles {
			return fs.SkipDir
		}
		name := d.Name()
		if d.IsDir() || !slices.Contains(buildFiles, name) && !strings.HasSuffix(name, ".mk") && !strings.HasSuffix(name, ".cmake") {
			return nil
		}
		n++
		text, ok := a.ctx.read(p)
		if !ok {
			return nil
		}
		depth := strings.Count(strings.TrimPrefix(path.Dir(p), rel), "/")
		for i, line := range strings.Split(text, "\n") {
			if climbs(line, depth) || absoluteRef(line, dest) {
				why = fmt.Sprintf("%s:%d refers to files outside %s (%s)", p, i+1, rel, strings.TrimSpace(line))
				return fs.SkipAll
			}
		}
		return nil
	})
	if n > maxBuildFiles {
		return fmt.Sprintf("%s holds more than %d build files", rel, maxBuildFiles)
	}
	return why
}

// climbs reports whether a line has a relative path with more leading ../
// than depth.
func climbs(line string, depth int) bool {
	for i := strings.Index(line, "../"); i >= 0; {
		n := 0
		j := i
		for strings.HasPrefix(line[j:], "../") {
			n++
			j += 3
		}
		if n > depth {
			return true
		}
		k := strings.Index(line[j:], "../")
		if k < 0 {
			break
		}
		i = j + k
	}
	return false
}

// absoluteRef reports whether a line names a path below dest by its
// absolute name (not as the tail of a relative path such as lib/src/x).
func absoluteRef(line, dest string) bool {
	d := strings.TrimSuffix(dest, "/") + "/"
	for i := strings.Index(line, d); i >= 0; {
		if i == 0 || strings.ContainsRune(" \t\"'=(:,;", rune(line[i-1])) || i >= 2 && line[i-2] == '-' {
			return true
		}
		k := strings.Index(line[i+1:], d)
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}
