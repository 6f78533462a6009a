// Package verify simulates, instruction by instruction, what each stage of
// a Dockerfile holds, and reports what an instruction needs but does not get:
// apt package lists for an install, ca-certificates for an https client
// installed without its Recommends, the dependency manifest a package
// manager reads, the runtime libraries of -dev packages a build stage linked
// against.
//
// It is test support and a second opinion on the rewrite passes: Introduced
// tells whether a fixed file lost something the original had. It is written
// independently of rewrite/... (it must not import it), reading commands
// through shellcmd and the parser model only. The model is deliberately
// simple and errs towards silence: what it cannot read (variables, exec-form
// RUN, unknown destinations) counts as satisfied.
package verify

import (
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/parser"
)

// Problem is something an instruction needs and does not get.
type Problem struct {
	Line int // 1-based line of the instruction (or command) that lacks it
	// Rule is the check: "apt-lists", "ca-certs", "libc-dev",
	// "copy-before-use", "runtime-libs" or "purged".
	Rule string
	// Key identifies the problem independently of its line, so that the
	// problems of a file and of its rewrite can be matched.
	Key     string
	Message string
}

func (p Problem) String() string {
	return fmt.Sprintf("%d: %s [%s] %s", p.Line, p.Rule, p.Key, p.Message)
}

// The checks.
const (
	RuleAptLists      = "apt-lists"
	RuleCACerts       = "ca-certs"
	RuleLibcDev       = "libc-dev"
	RuleCopyBeforeUse = "copy-before-use"
	RuleRuntimeLibs   = "runtime-libs"
	RulePurged        = "purged"
)

// Check returns every problem of f, in instruction order.
func Check(f *parser.File) []Problem {
	s := &sim{f: f, states: make([]*state, len(f.Stages)), caReported: map[int]bool{}, libcReported: map[int]bool{}}
	for _, st := range f.Stages {
		s.stage(st)
	}
	s.runtimeLibs()
	sort.SliceStable(s.problems, func(i, j int) bool { return s.problems[i].Line < s.problems[j].Line })
	return s.problems
}

// Introduced returns the problems of after that before does not have,
// matched by Rule and Key as a multiset (a problem that moved lines is the
// same problem).
func Introduced(before, after *parser.File) []Problem {
	had := map[[2]string]int{}
	for _, p := range Check(before) {
		had[[2]string{p.Rule, p.Key}]++
	}
	var out []Problem
	for _, p := range Check(after) {
		k := [2]string{p.Rule, p.Key}
		if had[k] > 0 {
			had[k]--
			continue
		}
		out = append(out, p)
	}
	return out
}

// state is what a stage holds after an instruction.
type state struct {
	root string // the image at the root of the stage chain, as resolved ("" for unknown)

	lists    bool // apt package lists present
	noRecCfg bool // APT::Install-Recommends "false" configured

	ca      bool     // ca-certificates installed
	clients []client // https clients installed without their Recommends

	libcDev   bool     // libc6-dev installed
	compilers []client // gcc installed without its Recommends (libc6-dev)

	apt  []string // packages installed by apt in the chain, as named
	devs []dev    // -dev packages installed by apt in the chain

	purged []string // packages removed by name (and not installed again)
	manual []string // packages apt-mark manual marked

	workdir string // absolute; "" when unknown (a variable)
	copies  []entry
}

type client struct {
	pkg   string
	line  int
	stage int // the stage that installed it: the one reported
}

type dev struct {
	pkg  string
	line int
}

// entry is what a COPY, ADD or bind mount brought.
type entry struct {
	// path is absolute; a glob source copied into a folder is "DIR\x00PATTERN".
	path string
	dir  bool // path is a folder whose content is unknown: it may hold anything below it
	any  bool // the destination is unknown: it may be anywhere
}

func (st *state) clone() *state {
	c := *st
	c.clients = append([]client(nil), st.clients...)
	c.compilers = append([]client(nil), st.compilers...)
	c.apt = append([]string(nil), st.apt...)
	c.devs = append([]dev(nil), st.devs...)
	c.purged = append([]string(nil), st.purged...)
	c.manual = append([]string(nil), st.manual...)
	c.copies = append([]entry(nil), st.copies...)
	return &c
}

type sim struct {
	f        *parser.File
	states   []*state // end state of each stage
	problems []Problem
	// caReported: stages whose missing ca-certificates were reported (once a stage).
	caReported map[int]bool
	// libcReported: the same for libc6-dev.
	libcReported map[int]bool
}

func (s *sim) report(line int, rule, key, format string, args ...any) {
	s.problems = append(s.problems, Problem{Line: line, Rule: rule, Key: key, Message: fmt.Sprintf(format, args...)})
}

func (s *sim) stage(st *parser.Stage) {
	var cur *state
	if ref := st.Base.StageRef; ref != nil && s.states[ref.Index] != nil {
		cur = s.states[ref.Index].clone()
	} else {
		// Official images ship no apt lists; an image ShipsCACerts does not
		// know counts as having no ca-certificates.
		cur = &state{root: s.imageOf(st), workdir: "/"}
		if name, tag, ok := s.official(cur.root); ok {
			cur.ca, _ = images.ShipsCACerts(name, tag)
			cur.libcDev, _ = images.ShipsLibcDev(name, tag)
		}
	}
	for _, in := range st.Instructions[1:] {
		switch in.Keyword {
		case "run":
			s.run(st, in, cur)
		case "workdir":
			if args := in.Args(); len(args) > 0 {
				cur.workdir = s.resolve(in, cur.workdir, args[0])
			}
		case "copy", "add":
			s.copy(in, cur)
		}
	}
	s.states[st.Index] = cur
}

// imageOf is the image of a FROM with global ARG defaults substituted, or
// "" when a variable has no default.
func (s *sim) imageOf(st *parser.Stage) string {
	raw := st.Base.Raw
	if !strings.Contains(raw, "$") {
		return raw
	}
	ok := true
	out := os.Expand(raw, func(name string) string {
		name, _, _ = strings.Cut(name, ":") // ${X:-default} is not modelled
		if v, found := s.f.MetaArg(name); found && v != nil {
			return *v
		}
		ok = false
		return ""
	})
	if !ok {
		return ""
	}
	return out
}

// official splits a resolved image into an official image name and tag.
func (s *sim) official(raw string) (name, tag string, ok bool) {
	if raw == "" {
		return "", "", false
	}
	ref := s.f.SplitImageRef(raw) // through the file's registry mirror
	name, ok = images.Normalize(ref.Repository)
	return name, ref.Tag, ok
}

// resolve makes p absolute against dir, expanding variables the stage
// knows; "" when it cannot.
func (s *sim) resolve(in *parser.Instruction, dir, p string) string {
	p = strings.Trim(p, `"'`)
	if strings.Contains(p, "$") {
		ok := true
		p = os.Expand(p, func(name string) string {
			v, found := s.f.EnvBefore(in, name)
			if !found || strings.Contains(v, "$") {
				ok = false
			}
			return v
		})
		if !ok {
			return ""
		}
	}
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	if dir == "" {
		return ""
	}
	return path.Join(dir, p)
}

// copy records what a COPY or ADD brings into the stage.
func (s *sim) copy(in *parser.Instruction, cur *state) {
	var args []string
	if in.JSON {
		for _, a := range in.JSONArgs {
			args = append(args, a.Value)
		}
	} else {
		args = in.Args()
	}
	if len(args) < 2 {
		if len(in.Heredocs) == 0 || len(args) < 1 {
			return
		}
	}
	destRaw := args[len(args)-1]
	srcs := args[:len(args)-1]
	dest := s.resolve(in, cur.workdir, destRaw)
	if dest == "" {
		cur.copies = append(cur.copies, entry{any: true})
		return
	}
	_, fromStage := in.Flag("from")
	destDir := strings.HasSuffix(destRaw, "/") || len(srcs) > 1 || destRaw == "." || strings.HasSuffix(destRaw, "/.")
	for _, src := range srcs {
		src = strings.Trim(src, `"'`)
		switch {
		case strings.HasPrefix(src, "<<"):
			cur.copies = append(cur.copies, entry{path: dest}) // a heredoc file
		case fromStage || folderLike(src) || in.Keyword == "add" && unpacks(src):
			// The content of a folder (the context, another stage's tree):
			// anything may be below dest.
			cur.copies = append(cur.copies, entry{path: dest, dir: true})
		case strings.ContainsAny(src, "*?["):
			cur.copies = append(cur.copies, entry{path: dest + "\x00" + path.Base(src)})
		case destDir:
			cur.copies = append(cur.copies, entry{path: path.Join(dest, path.Base(src))})
		default:
			cur.copies = append(cur.copies, entry{path: dest})
		}
	}
}

// folderLike reports whether a COPY source may be a folder: ".", a path
// ending in "/", or a last element without a dot that is not a known
// manifest file name.
func folderLike(src string) bool {
	if src == "." || src == "./" || strings.HasSuffix(src, "/") || strings.HasSuffix(src, "/.") {
		return true
	}
	if strings.Contains(src, "://") {
		return false // ADD URL
	}
	base := path.Base(src)
	switch base {
	case "Gemfile", "Gemfile.lock", "Pipfile", "Pipfile.lock", "Makefile", "Dockerfile":
		return false
	}
	return !strings.Contains(strings.TrimPrefix(base, "."), ".")
}

// unpacks reports whether ADD extracts src into its destination (a local
// tar archive) or fetches a tree (a git URL).
func unpacks(src string) bool {
	if strings.Contains(src, "://") {
		return strings.HasSuffix(src, ".git") || strings.Contains(src, ".git#")
	}
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"} {
		if strings.HasSuffix(src, ext) {
			return true
		}
	}
	return false
}

// has reports whether file (absolute) was brought by a COPY, ADD or mount.
func has(copies []entry, file string) bool {
	for _, e := range copies {
		switch {
		case e.any:
			return true
		case e.dir && (file == e.path || strings.HasPrefix(file, strings.TrimSuffix(e.path, "/")+"/")):
			return true
		case e.path == file:
			return true
		}
		// A glob source into a folder: "dir\x00pattern".
		if d, pat, ok := strings.Cut(e.path, "\x00"); ok && path.Dir(file) == d {
			if m, _ := path.Match(pat, path.Base(file)); m {
				return true
			}
		}
	}
	return false
}
