package pkgcache

// What the Node install passes (nodelock.go, nodeprod.go) know of an
// install of a project's dependencies: the folder it runs in, the build
// context files that the COPYs before it brought there, and whether a
// node_modules folder may be there already.

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/nodeproj"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// nodeInstall is an install of a Node project's own dependencies: npm
// install / npm ci, yarn / yarn install, pnpm install, with no package
// operands, not global, in the folder the RUN runs it in.
type nodeInstall struct {
	lc   *langCmd
	tool *shellcmd.Tool // shellcmd.Npm, Yarn or Pnpm
	inv  *shellcmd.Invocation
	cwd  string // absolute; "" when dockslim cannot tell
}

// nodeInstallOf reads lc as a project install, or nil.
func nodeInstallOf(f *parser.File, lc *langCmd) *nodeInstall {
	t := shellcmd.ToolOf(lc.Name)
	if t != shellcmd.Npm && t != shellcmd.Yarn && t != shellcmd.Pnpm || lc.Opaque {
		return nil
	}
	inv := t.Parse(lc.Args, lc.lit)
	if len(inv.Operands) > 0 || inv.Has("-g", "--global", "--location=global") {
		return nil
	}
	switch {
	case t == shellcmd.Npm && (inv.Verb == "install" || inv.Verb == "ci"),
		t == shellcmd.Pnpm && inv.Verb == "install",
		t == shellcmd.Yarn && inv.Verb == "install",
		t == shellcmd.Yarn && inv.VerbIndex < 0 && !inv.Has("-v", "--version", "-h", "--help"):
	default:
		return nil
	}
	// Another folder than the RUN's, or a workspace's: the project files
	// are not where the COPYs are followed to.
	if inv.Has("--prefix", "-C", "--dir", "--cwd", "--modules-folder", "--filter", "-F", "-r", "--recursive",
		"-w", "--workspace", "--workspaces", "-ws") {
		return nil
	}
	return &nodeInstall{lc: lc, tool: t, inv: inv, cwd: runDir(f, lc)}
}

// verbSpan is the span of the install's verb word.
func (ni *nodeInstall) verbSpan() (start, end int) {
	lc := ni.lc
	if lc.Sh == nil {
		a := lc.In.JSONArgs[lc.jsonOff+ni.inv.VerbIndex]
		return a.Start + 1, a.End - 1
	}
	return lc.Sh.Span(ni.inv.VerbIndex + lc.shOff)
}

// runDir is the folder a command of a RUN runs in: the WORKDIR along the
// stage chain, then the literal cds before it in the RUN; "" when unknown.
func runDir(f *parser.File, lc *langCmd) string {
	wd := workdirAt(f, lc.In)
	for _, o := range langCommands(lc.In) {
		if o.Start() >= lc.Start() || wd == "" {
			break
		}
		switch o.Name {
		case "cd":
			d, ok := o.Arg(1)
			if !ok || len(o.Args) != 2 || d == "-" || strings.HasPrefix(d, "~") {
				return ""
			}
			wd = absPath(wd, d)
		case "pushd", "popd":
			return ""
		}
	}
	return wd
}

// workdirAt is the WORKDIR an instruction runs in ("" when a variable in
// it is unknown).
func workdirAt(f *parser.File, in *parser.Instruction) string {
	wd := "/"
	for _, p := range stageHistory(in) {
		if p.Keyword != "workdir" || len(p.Args()) == 0 {
			continue
		}
		d, ok := expandWord(f, p, p.Args()[0])
		if !ok {
			return ""
		}
		wd = absPath(wd, d)
	}
	return wd
}

// expandWord expands $VAR and ${VAR} in an instruction's word with the
// values Docker gives them there.
func expandWord(f *parser.File, in *parser.Instruction, w string) (string, bool) {
	ok := true
	out := os.Expand(w, func(name string) string {
		v, found := stagestate.Scope{File: f, In: in}.Docker(name)
		ok = ok && found && !strings.Contains(v, "$")
		return v
	})
	return out, ok
}

func absPath(wd, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(wd, p)
}

// origin is where a file of a stage came from.
type origin struct {
	rel string // its path in the build context; "" when not from the context
	// by is the instruction that brought it (nil: nothing did).
	by *parser.Instruction
}

// fromContext reports a file a COPY (or bind mount) took from the context.
func (o origin) fromContext() bool { return o.rel != "" }

// what names the instruction that brought the file, for messages.
func (o origin) what() string {
	return fmt.Sprintf("the %s at line %d", strings.ToUpper(o.by.Keyword), o.by.StartLine)
}

// sourceOf finds where the file (or folder) abs that a command of in sees
// comes from: a bind mount of the RUN, else the last COPY or ADD before it
// (in its stage or the stages it builds FROM) that brings it. An origin
// with by set and no rel comes from elsewhere (another stage, an archive,
// a URL, a path with variables, or any context when dockslim has none).
func sourceOf(c *rewrite.Context, in *parser.Instruction, abs string) origin {
	wd := workdirAt(c.File, in)
	for _, mt := range in.Mounts() {
		if string(mt.Type) != "bind" || wd == "" || !pathCovers(absPath(wd, mt.Target), abs) {
			continue
		}
		if mt.From != "" {
			return origin{by: in}
		}
		return contextOrigin(c, in, path.Join(mt.Source, relBelow(absPath(wd, mt.Target), abs)))
	}
	hist := stageHistory(in)
	for i := len(hist) - 1; i >= 0; i-- {
		if x := hist[i]; x.Keyword == "copy" || x.Keyword == "add" {
			if o := copyBrings(c, x, abs); o.by != nil {
				return o
			}
		}
	}
	return origin{}
}

// contextOrigin is the origin of a context path brought by in, when the
// context has it.
func contextOrigin(c *rewrite.Context, in *parser.Instruction, rel string) origin {
	p, ok := rewrite.ContextPath(rel)
	switch {
	case !ok:
		return origin{}
	case c.BuildContext == nil:
		return origin{by: in}
	}
	if _, err := fs.Stat(c.BuildContext, p); err != nil {
		return origin{}
	}
	return origin{rel: p, by: in}
}

// relBelow is p relative to dir, which covers it ("" when equal).
func relBelow(dir, p string) string {
	if dir == p {
		return ""
	}
	return strings.TrimPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// copyBrings says whether a COPY or ADD brings abs (or a file below the
// folder abs), and from where.
func copyBrings(c *rewrite.Context, x *parser.Instruction, abs string) origin {
	args := x.Args()
	for i, a := range x.JSONArgs {
		if i == 0 {
			args = args[:0]
		}
		args = append(args, a.Value)
	}
	if len(args) < 2 {
		return origin{}
	}
	destRaw, srcs := args[len(args)-1], args[:len(args)-1]
	dest, ok := expandWord(c.File, x, destRaw)
	wd := workdirAt(c.File, x)
	if !ok || wd == "" {
		return origin{by: x}
	}
	dest = absPath(wd, dest)
	if pathCovers(abs, dest) && abs != dest {
		return origin{by: x} // it brings something below abs
	}
	if !pathCovers(dest, abs) {
		return origin{}
	}
	rel := relBelow(dest, abs)
	_, from := x.Flag("from")
	if from || len(x.Heredocs) > 0 {
		return origin{by: x}
	}
	into := strings.HasSuffix(destRaw, "/") || len(srcs) > 1 || rel != ""
	for j := len(srcs) - 1; j >= 0; j-- {
		s := srcs[j]
		if strings.ContainsAny(s, "$`") || strings.Contains(s, "://") || x.Keyword == "add" && archiveName(s) {
			return origin{by: x}
		}
		if o := srcBrings(c, x, s, rel, into); o.by != nil {
			return o
		}
	}
	return origin{}
}

// srcBrings is copyBrings for one source s, with abs at rel below the
// destination (into: the destination is a folder).
func srcBrings(c *rewrite.Context, x *parser.Instruction, s, rel string, into bool) origin {
	sr, ok := rewrite.ContextPath(s)
	if !ok {
		return origin{}
	}
	isDir := sr == "." || strings.HasSuffix(s, "/")
	if !isDir && c.BuildContext != nil {
		st, err := fs.Stat(c.BuildContext, sr)
		isDir = err == nil && st.IsDir()
	}
	switch {
	case strings.ContainsAny(sr, "*?["):
		if m, _ := path.Match(path.Base(sr), rel); m && rel != "" && !strings.Contains(rel, "/") {
			return contextOrigin(c, x, path.Join(path.Dir(sr), rel))
		}
	case isDir:
		return contextOrigin(c, x, path.Join(sr, rel))
	case rel == "" && !into, rel == path.Base(sr):
		return contextOrigin(c, x, sr)
	}
	return origin{}
}

func archiveName(s string) bool {
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

// readOrigin reads a context file.
func readOrigin(c *rewrite.Context, o origin) ([]byte, bool) {
	if !o.fromContext() || c.BuildContext == nil {
		return nil, false
	}
	b, err := fs.ReadFile(c.BuildContext, o.rel)
	return b, err == nil
}

// nodeProject is what an install sees in its folder.
type nodeProject struct {
	manifest *nodeproj.Manifest
	pkg      origin // package.json
	raw      []byte // package.json's bytes
}

// projectOf reads the package.json a COPY brought from the context into
// the install's folder (nil when there is none, it did not come from the
// context, or it does not parse).
func projectOf(c *rewrite.Context, ni *nodeInstall) *nodeProject {
	if ni.cwd == "" {
		return nil
	}
	o := sourceOf(c, ni.lc.In, path.Join(ni.cwd, "package.json"))
	b, ok := readOrigin(c, o)
	if !ok {
		return nil
	}
	m, err := nodeproj.Parse(b)
	if err != nil {
		return nil
	}
	return &nodeProject{manifest: m, pkg: o, raw: b}
}

// nodeModulesMayExist says why a node_modules folder may already be in
// the install's folder ("" when none can be): the base image is not an
// official one, an earlier COPY brings one (from the context or another
// stage), or an earlier command installed or named one.
func nodeModulesMayExist(c *rewrite.Context, ni *nodeInstall) string {
	in := ni.lc.In
	nm := path.Join(ni.cwd, "node_modules")
	if ref := langRootImage(in.Stage); ref.Repository != "scratch" {
		_, official := images.Normalize(ref.Repository)
		if ref.FromArg || !official || ref.Registry != "" && ref.Registry != "docker.io" && ref.Registry != "index.docker.io" {
			return fmt.Sprintf("the base image %s is not an official image and may hold %s", ref.Raw, nm)
		}
	}
	if o := sourceOf(c, in, nm); o.by != nil {
		if o.fromContext() {
			return fmt.Sprintf("%s brings %s from the build context", o.what(), o.rel)
		}
		return fmt.Sprintf("%s may bring %s", o.what(), nm)
	}
	for _, p := range append(stageHistory(in), in) {
		for _, o := range langCommands(p) {
			if p == in && o.Start() >= ni.lc.Start() {
				break
			}
			if why := makesNodeModules(o); why != "" {
				return fmt.Sprintf("the RUN at line %d %s", p.StartLine, why)
			}
		}
	}
	return ""
}

// makesNodeModules says how an earlier command may have made a
// node_modules folder ("" when it cannot).
func makesNodeModules(o *langCmd) string {
	for i := range o.Args {
		if v, ok := o.Arg(i); ok && strings.Contains(v, "node_modules") {
			return "names " + v
		}
	}
	switch o.Name {
	case "tar", "unzip", "git", "rsync", "node", "npx":
		return "runs " + o.Name
	}
	t := shellcmd.ToolOf(o.Name)
	if t != shellcmd.Npm && t != shellcmd.Yarn && t != shellcmd.Pnpm {
		return ""
	}
	inv := t.Parse(o.Args, o.lit)
	switch inv.Verb {
	case "cache", "config", "set", "get", "help", "view", "info", "whoami", "ping", "store", "bin", "root":
		return ""
	}
	if inv.Has("-g", "--global", "--location=global", "-v", "--version") || t == shellcmd.Yarn && inv.Verb == "global" {
		return ""
	}
	return "runs " + o.Name
}
