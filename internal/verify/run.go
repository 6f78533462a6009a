package verify

import (
	"fmt"
	"path"
	"sort"
	"strings"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// run simulates a RUN: its commands in order, then the ca-certs check.
func (s *sim) run(st *parser.Stage, in *parser.Instruction, cur *state) {
	listsMount := false
	copies := cur.copies
	for _, m := range in.Mounts() {
		switch m.Type {
		case bkinstructions.MountTypeCache:
			if t := path.Clean(m.Target); t == "/var/lib/apt" || t == "/var/lib/apt/lists" {
				listsMount = true
			}
		case bkinstructions.MountTypeBind:
			if m.From != "" {
				continue
			}
			t := s.resolve(in, cur.workdir, m.Target)
			switch {
			case t == "":
				copies = append(copies[:len(copies):len(copies)], entry{any: true})
			case m.Source == "" || folderLike(m.Source):
				copies = append(copies[:len(copies):len(copies)], entry{path: t, dir: true})
			default:
				copies = append(copies[:len(copies):len(copies)], entry{path: t})
			}
		}
	}
	// A cache mount on the lists holds them for this RUN only: the image's
	// own lists are what they were before, whatever the RUN does.
	saved := cur.lists
	if listsMount {
		cur.lists = true
	}
	cwd := cur.workdir
	cmds := shellcmd.All(in)
	if in.JSON && in.Script == nil {
		cmds = execCommands(in)
	}
	for _, c := range cmds {
		line := in.StartLine
		if !in.JSON {
			line, _ = s.f.Position(c.Script.Offset(c.Call.Pos()))
		}
		switch {
		case c.Name == "cd":
			cwd = cdTarget(c, cwd)
		case c.Name == "apt-get" || c.Name == "apt" || c.Name == "aptitude":
			s.apt(st, c, line, cur)
		case c.Name == "apt-mark":
			if lits := c.Lits(); len(lits) > 2 && lits[1] == "manual" {
				cur.manual = append(cur.manual, lits[2:]...)
			}
		case c.Name == "rm" && removesLists(c), c.Name == "find" && findDeletesLists(c):
			cur.lists = false
		default:
			for _, a := range c.Lits() {
				if strings.Contains(a, "Install-Recommends") && (strings.Contains(a, "false") || strings.Contains(a, `"0"`)) {
					cur.noRecCfg = true
				}
			}
		}
		s.usesPurged(c, line, cur)
		for _, n := range manifests(c) {
			s.needFiles(c, n, line, cwd, copies)
		}
		// Files the command makes count as brought, for the commands after it.
		if made := produces(c, cwd); len(made) > 0 {
			cur.copies = append(cur.copies, made...)
			copies = append(copies[:len(copies):len(copies)], made...)
		}
	}
	if listsMount {
		cur.lists = saved
	}
	if !cur.libcDev {
		s.reportStranded(st.Index, cur.compilers, s.libcReported, RuleLibcDev,
			"%s is installed without its Recommends, which bring libc6-dev, and stage %d has no libc6-dev after this RUN: nothing compiles (no stdio.h, no crt1.o); install libc6-dev too")
	}
	if !cur.ca {
		s.reportStranded(st.Index, cur.clients, s.caReported, RuleCACerts,
			"%s is installed without its Recommends, which bring ca-certificates, and stage %d has no ca-certificates after this RUN: https downloads fail (curl exit 77); install ca-certificates too")
	}
}

// execCommands reads an exec-form RUN (["apt-get", "install", "jq"]) as the
// shell command it is equivalent to: each argument single-quoted. The
// commands' offsets are not the file's; the caller uses the RUN's line.
func execCommands(in *parser.Instruction) []*shellcmd.Command {
	if len(in.JSONArgs) == 0 {
		return nil
	}
	var b strings.Builder
	for i, a := range in.JSONArgs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("'" + strings.ReplaceAll(a.Value, "'", `'\''`) + "'")
	}
	script := parser.ParseShell(b.String(), 0)
	if script.Err != nil {
		return nil
	}
	return shellcmd.Commands(script)
}

// aptCall is an apt-get, apt or aptitude command line, read.
type aptCall struct {
	sub      string
	pkgs     []string // literal package operands, without version, release or architecture
	operands int      // every operand, literal or not, that is not a .deb file
	noRec    bool     // --no-install-recommends and equivalents
	rec      bool     // --install-recommends and equivalents
}

// aptValueOpts take a separate value.
var aptValueOpts = []string{"-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release", "-a", "--host-architecture"}

func readApt(c *shellcmd.Command) aptCall {
	var a aptCall
	opt := func(v string) {
		v = strings.ToLower(v)
		if strings.Contains(v, "install-recommends") {
			if strings.HasSuffix(v, "=false") || strings.HasSuffix(v, "=0") || strings.HasSuffix(v, "=no") {
				a.noRec = true
			} else {
				a.rec = true
			}
		}
	}
	for i := 1; i < len(c.Args); i++ {
		v, lit := c.Arg(i)
		if !lit {
			if a.sub != "" {
				a.operands++
			}
			continue
		}
		switch {
		case v == "--no-install-recommends" || c.Name == "aptitude" && (v == "-R" || v == "--without-recommends"):
			a.noRec = true
		case v == "--install-recommends" || c.Name == "aptitude" && (v == "-r" || v == "--with-recommends"):
			a.rec = true
		case contains(aptValueOpts, v):
			if w, ok := c.Arg(i + 1); ok && (v == "-o" || v == "--option") {
				opt(w)
			}
			i++
		case strings.HasPrefix(v, "-o"):
			opt(strings.TrimPrefix(strings.TrimPrefix(v, "--option="), "-o"))
		case strings.HasPrefix(v, "-"):
		case a.sub == "":
			a.sub = v
		default:
			if strings.HasSuffix(v, ".deb") && strings.Contains(v, "/") {
				continue
			}
			a.operands++
			name, _, _ := strings.Cut(v, "=")
			name, _, _ = strings.Cut(name, "/")
			name, _, _ = strings.Cut(name, ":")
			if name != "" {
				a.pkgs = append(a.pkgs, name)
			}
		}
	}
	return a
}

// needsLists are the apt subcommands that read the package lists.
var needsLists = []string{"install", "reinstall", "build-dep", "source", "download", "satisfy",
	"upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade"}

func (s *sim) apt(st *parser.Stage, c *shellcmd.Command, line int, cur *state) {
	a := readApt(c)
	switch {
	case a.sub == "update":
		cur.lists = true
		return
	case a.sub == "dist-clean":
		cur.lists = false
		return
	case a.sub == "remove" || a.sub == "purge" || a.sub == "autoremove" || a.sub == "autopurge":
		if contains(a.pkgs, "ca-certificates") {
			cur.ca = false
		}
		s.purge(c, a, line, cur)
		return
	case !contains(needsLists, a.sub):
		return
	}
	upgrade := strings.HasSuffix(a.sub, "upgrade")
	if !cur.lists && (a.operands > 0 || upgrade) {
		pkgs := append([]string(nil), a.pkgs...)
		sort.Strings(pkgs)
		key := strings.TrimSpace(a.sub + " " + strings.Join(pkgs, " "))
		s.report(line, RuleAptLists, key, "`%s %s` runs without package lists (no apt-get update since the stage started or since they were removed): Unable to locate package", c.Name, key)
	}
	if a.sub != "install" && a.sub != "reinstall" {
		return
	}
	noRec := (cur.noRecCfg || a.noRec) && !a.rec
	for _, p := range a.pkgs {
		cur.apt = append(cur.apt, p)
		cur.purged = remove(cur.purged, p)
		if strings.HasSuffix(p, "-dev") {
			cur.devs = append(cur.devs, dev{pkg: p, line: line})
		}
		switch {
		case images.BringsLibcDev(p) || p == "libc6-dev":
			cur.libcDev = true
		case images.LosesLibcDev(p):
			if noRec {
				cur.compilers = append(cur.compilers, client{pkg: p, line: line, stage: st.Index})
			} else {
				cur.libcDev = true // gcc's Recommends bring it
			}
		}
		switch {
		case images.BringsCACerts(p): // ca-certificates itself, or a package that Depends on it
			cur.ca = true
		case images.LosesCACerts(p):
			if noRec {
				cur.clients = append(cur.clients, client{pkg: p, line: line, stage: st.Index})
			} else {
				cur.ca = true // its Recommends bring ca-certificates
			}
		}
	}
}

// reportStranded reports, once a stage, the first package of the stage
// that was installed without the recommended package it needs (rule).
func (s *sim) reportStranded(stage int, pkgs []client, reported map[int]bool, rule, format string) {
	if reported[stage] {
		return
	}
	for _, cl := range pkgs {
		if cl.stage == stage {
			reported[stage] = true
			s.report(cl.line, rule, fmt.Sprintf("stage %d: %s", stage, cl.pkg), format, cl.pkg, stage)
			return
		}
	}
}

// cdTarget is the directory after `cd ARG`, "" when unknown.
func cdTarget(c *shellcmd.Command, cwd string) string {
	v, ok := c.Arg(1)
	if !ok || len(c.Args) != 2 || v == "-" || strings.HasPrefix(v, "~") {
		return ""
	}
	if path.IsAbs(v) {
		return path.Clean(v)
	}
	if cwd == "" {
		return ""
	}
	return path.Join(cwd, v)
}

// removesLists: rm of /var/lib/apt/lists, its content, or /var/lib/apt
// itself (recursively).
func removesLists(c *shellcmd.Command) bool {
	recursive := false
	var targets []string
	for i := 1; i < len(c.Args); i++ {
		v, ok := c.Arg(i)
		if !ok {
			continue
		}
		if strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "--") {
			recursive = recursive || strings.ContainsAny(v, "rR")
		} else if v == "--recursive" {
			recursive = true
		} else if !strings.HasPrefix(v, "-") {
			targets = append(targets, v)
		}
	}
	for _, t := range targets {
		t = path.Clean(t)
		switch {
		case t == "/var/lib/apt/lists/*" || strings.HasPrefix(t, "/var/lib/apt/lists/*"):
			return true // the files go even without -r
		case recursive && (t == "/var/lib/apt/lists" || t == "/var/lib/apt" || t == "/var/lib/apt/*"):
			return true
		}
	}
	return false
}

// findDeletesLists: `find /var/lib/apt/lists ... -delete` (or -exec rm).
func findDeletesLists(c *shellcmd.Command) bool {
	lits := c.Lits()
	if len(lits) < 2 {
		return false
	}
	root := path.Clean(lits[1])
	if root != "/var/lib/apt/lists" && root != "/var/lib/apt" {
		return false
	}
	for i, a := range lits {
		if a == "-delete" || a == "-exec" && i+1 < len(lits) && path.Base(lits[i+1]) == "rm" {
			return true
		}
	}
	return false
}

// runtimeLibs: a stage that copies from a build stage which installed -dev
// packages, on a different image, must install (or ship) their runtime
// libraries.
func (s *sim) runtimeLibs() {
	for _, st := range s.f.Stages {
		cur := s.states[st.Index]
		seen := map[string]bool{}
		for _, in := range st.Instructions {
			if !in.Is("copy") || in.Sub != "" {
				continue
			}
			fl, ok := in.Flag("from")
			if !ok {
				continue
			}
			b := s.f.StageByName(fl.Value)
			if b == nil || b.Index >= st.Index || b == st {
				continue
			}
			bs := s.states[b.Index]
			if len(bs.devs) == 0 || builtOn(st, b) || cur.root != "" && cur.root == bs.root {
				continue
			}
			if name, tag, ok := s.official(cur.root); ok {
				if layer, ok := images.FullLayer(name, tag); ok && layer == images.LayerFull {
					continue // buildpack-deps' full layer has the common -dev packages
				}
			}
			debianBase, release := false, images.DevLibsRelease
			if name, tag, ok := s.official(cur.root); ok {
				family, codename := images.Distro(name, tag)
				debianBase = family == images.Debian
				if debianBase && images.DevLibsKnown(codename) {
					release = codename // the names differ between releases
				}
			}
			for _, d := range bs.devs {
				libs, ok := images.DevRuntimeLibsOn(release, d.pkg)
				if !ok || seen[d.pkg] || contains(cur.apt, d.pkg) {
					continue
				}
				var missing []string
				for _, l := range libs {
					if !contains(cur.apt, l) && !(debianBase && contains(debianMinbaseLibs, l)) {
						missing = append(missing, l)
					}
				}
				if len(missing) == 0 {
					continue
				}
				seen[d.pkg] = true
				s.report(in.StartLine, RuleRuntimeLibs, d.pkg,
					"stage %d copies from stage %s, built against %s (line %d), but neither installs nor ships %s (base %s)",
					st.Index, fl.Value, d.pkg, d.line, strings.Join(missing, ", "), st.Base.Raw)
			}
		}
	}
}

// debianMinbaseLibs are the runtime libraries of images.DevRuntimeLibs that
// every Debian bookworm image has: the Depends closure of the Priority
// required packages and apt (debootstrap's minbase, which debian:bookworm-slim
// is), from bookworm's Packages, intersected with the table's libraries.
var debianMinbaseLibs = []string{"libbz2-1.0", "libcap2", "libdb5.3", "libffi8", "libgcrypt20",
	"libgmp10", "libgnutls30", "libgpg-error0", "libidn2-0", "liblz4-1", "liblzma5", "libpcre2-8-0",
	"libseccomp2", "libsystemd0", "libtinfo6", "libudev1", "libuuid1", "libzstd1", "zlib1g"}

// builtOn reports whether stage st is b or is built FROM it.
func builtOn(st, b *parser.Stage) bool {
	for x := st; x != nil; x = x.Base.StageRef {
		if x == b {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// purge records a remove or purge: the packages it names are gone, and
// with --auto-remove the run-time libraries of the -dev packages it names
// go too unless they were installed by name or marked manual (programs
// built against the -dev package link them).
func (s *sim) purge(c *shellcmd.Command, a aptCall, line int, cur *state) {
	auto := c.Has("--auto-remove", "--autoremove") || strings.HasPrefix(a.sub, "auto")
	for _, p := range a.pkgs {
		cur.apt = remove(cur.apt, p)
		cur.purged = append(cur.purged, p)
		if !auto || !strings.HasSuffix(p, "-dev") {
			continue
		}
		libs, _ := images.DevRuntimeLibs(p)
		for _, l := range libs {
			if !contains(cur.apt, l) && !contains(cur.manual, l) {
				s.report(line, RulePurged, "lib "+p+" "+l, "`%s %s --auto-remove` takes %s, the run-time library of %s that programs built against it link, which is neither installed by name nor marked manual", c.Name, a.sub, l, p)
			}
		}
	}
}

// usesPurged reports a command that a package removed by name shipped:
// the command of the same name, or one the Debian table says it ships.
func (s *sim) usesPurged(c *shellcmd.Command, line int, cur *state) {
	if len(cur.purged) == 0 || c.Name == "" {
		return
	}
	pkg := c.Name
	if p, _, ok := images.SlimMissing(c.Name); ok {
		pkg = p
	}
	if contains(cur.purged, pkg) {
		s.report(line, RulePurged, "cmd "+c.Name, "`%s` runs after %s was removed", c.Name, pkg)
	}
}

func remove(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
