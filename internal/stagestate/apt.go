package stagestate

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// OpKind is what one command of a RUN does to apt's package lists.
type OpKind uint8

const (
	// Update downloads the lists (apt-get update).
	Update OpKind = iota + 1
	// Reads needs the lists (install, build-dep, source, upgrade, download…).
	Reads
	// Removes deletes them (rm of /var/lib/apt/lists, apt-get dist-clean).
	Removes
)

// AptOp is one command of a RUN that touches the package lists.
type AptOp struct {
	Kind OpKind
	// Cmd is the command; nil in an exec-form RUN.
	Cmd *shellcmd.Command
	// Start is the command's offset in the Dockerfile.
	Start int
	// Opaque is set for a command inside an `sh -c` string that does not
	// map to the file: read, never edited.
	Opaque bool
}

// Install is one apt install of a RUN.
type Install struct {
	Cmd *shellcmd.Command // nil in an exec-form RUN
	// Packages are the literal package names (versions, releases and
	// architectures stripped); Unknown counts operands that are not literal.
	Packages []string
	Unknown  int
	// NoRecommends is set when recommended packages are not installed
	// (--no-install-recommends, -o APT::Install-Recommends=false, or apt's
	// configuration written by an earlier RUN of the stage chain).
	NoRecommends bool
	// Start is the command's offset; Opaque is set inside an `sh -c`
	// string that does not map to the file (Start is then approximate).
	Start  int
	Opaque bool
}

// Purge is one apt remove, purge or autoremove of a RUN.
type Purge struct {
	Cmd *shellcmd.Command // nil in an exec-form RUN
	// Verb is remove, purge, autoremove or autopurge.
	Verb string
	// Packages are the literal package names; Unknown counts the operands
	// that are not literal.
	Packages []string
	Unknown  int
	// AutoRemove is set when it also removes the packages nothing needs
	// any more (--auto-remove, --autoremove, the autoremove verbs, -o
	// APT::Get::AutoRemove=true, aptitude).
	AutoRemove bool
	// Start is the command's offset; Opaque as for Install.
	Start  int
	Opaque bool
}

// Mark is one apt-mark manual (or auto) of a RUN.
type Mark struct {
	Cmd      *shellcmd.Command
	Manual   bool
	Packages []string
	Unknown  int
	Start    int
}

// AptLists is the lists folder.
const AptLists = "/var/lib/apt/lists"

var aptReading = []string{"install", "reinstall", "build-dep", "source", "download",
	"upgrade", "dist-upgrade", "full-upgrade", "satisfy", "changelog"}

// aptView is a RUN's apt facts, in command order.
type aptView struct {
	ops      []AptOp
	installs []Install
	// mounted is set when a --mount of the RUN covers the lists: what the
	// RUN does to them stays out of the layer.
	mounted bool
	purges  []Purge
	marks   []Mark
}

func (m *Model) readApt(in *parser.Instruction, configuredNoRec bool) aptView {
	v := aptView{mounted: MountCovers(in, AptLists)}
	sc := Scope{File: m.f, In: in}
	for _, c := range shellcmd.Calls(in) {
		switch {
		case shellcmd.ToolOf(c.Name) == shellcmd.Apt:
			inv := c.Invoke(shellcmd.Apt)
			switch verb := inv.Verb; {
			case verb == "update":
				v.ops = append(v.ops, AptOp{Kind: Update, Cmd: c.Cmd, Start: c.Start(), Opaque: c.Opaque})
			case verb == "dist-clean":
				v.ops = append(v.ops, AptOp{Kind: Removes, Cmd: c.Cmd, Start: c.Start(), Opaque: c.Opaque})
			case verb == "remove" || verb == "purge" || verb == "autoremove" || verb == "autopurge":
				p := readPurge(sc, c.Cmd, inv)
				p.Start, p.Opaque = c.Start(), c.Opaque
				v.purges = append(v.purges, p)
			case slices.Contains(aptReading, verb):
				v.ops = append(v.ops, AptOp{Kind: Reads, Cmd: c.Cmd, Start: c.Start(), Opaque: c.Opaque})
				if (verb == "install" || verb == "reinstall" || verb == "satisfy") && !shellcmd.AptSimulates(inv) {
					ins := readInstall(sc, c.Cmd, inv, configuredNoRec)
					ins.Start, ins.Opaque = c.Start(), c.Opaque
					v.installs = append(v.installs, ins)
				}
			}
		case c.Name == "dpkg" && dpkgRemoves(c):
			// dpkg removes without apt: what the package pulled in stays
			v.purges = append(v.purges, Purge{Cmd: c.Cmd, Verb: "dpkg", Unknown: 1, Start: c.Start(), Opaque: c.Opaque})
		case c.Name == "apt-mark" && !c.Opaque:
			if mk, ok := readMark(sc, c); ok {
				v.marks = append(v.marks, mk)
			}
		case c.Cmd != nil && RemovesPath(sc, c.Cmd, AptLists):
			v.ops = append(v.ops, AptOp{Kind: Removes, Cmd: c.Cmd, Start: c.Start(), Opaque: c.Opaque})
		}
	}
	return v
}

func readInstall(sc Scope, cmd *shellcmd.Command, inv *shellcmd.Invocation, noRec bool) Install {
	ins := Install{Cmd: cmd, NoRecommends: noRec}
	for _, o := range inv.Options {
		switch n := strings.ToLower(o.Name); {
		case n == "--no-install-recommends":
			ins.NoRecommends = true
		case n == "--install-recommends":
			ins.NoRecommends = false
		case (n == "-o" || n == "--option") && o.HasValue:
			if r, ok := recommendsOpt(o.Value); ok {
				ins.NoRecommends = !r
			}
		}
	}
	ins.Packages, ins.Unknown = operands(sc, cmd, inv)
	return ins
}

// operands are an invocation's packages: literal ones, and those the scope
// resolves; unknown counts the others.
func operands(sc Scope, cmd *shellcmd.Command, inv *shellcmd.Invocation) (pkgs []string, unknown int) {
	for _, i := range inv.Operands {
		if inv.Lit[i] {
			pkgs = append(pkgs, PackageName(inv.Argv[i]))
			continue
		}
		// $PKG, "${NAME}=$VERSION": known when the scope knows them.
		v, ok := "", false
		if cmd != nil && !cmd.Quoted {
			v, ok = sc.Word(cmd, cmd.Args[i])
		}
		if !ok || strings.TrimSpace(v) == "" {
			unknown++
			continue
		}
		for _, p := range strings.Fields(v) {
			pkgs = append(pkgs, PackageName(p))
		}
	}
	return pkgs, unknown
}

func readPurge(sc Scope, cmd *shellcmd.Command, inv *shellcmd.Invocation) Purge {
	p := Purge{Cmd: cmd, Verb: inv.Verb}
	p.Packages, p.Unknown = operands(sc, cmd, inv)
	p.AutoRemove = inv.Verb == "autoremove" || inv.Verb == "autopurge" || inv.Argv[0] == "aptitude" ||
		inv.Has("--auto-remove", "--autoremove")
	for _, o := range inv.Options {
		if (o.Name == "-o" || o.Name == "--option") && o.HasValue {
			k, v, _ := strings.Cut(o.Value, "=")
			if strings.EqualFold(k, "APT::Get::AutomaticRemove") || strings.EqualFold(k, "APT::Get::AutoRemove") {
				v = strings.ToLower(strings.Trim(v, `"' `))
				p.AutoRemove = v == "1" || v == "true" || v == "yes"
			}
		}
	}
	return p
}

// dpkgRemoves reports a dpkg -r, -P, --remove or --purge.
func dpkgRemoves(c *shellcmd.Call) bool {
	for i, l := range c.Lits {
		if c.Lit[i] && (l == "-r" || l == "-P" || l == "--remove" || l == "--purge") {
			return true
		}
	}
	return false
}

// readMark reads `apt-mark manual|auto PKG...`; ok is false for other
// apt-mark commands.
func readMark(sc Scope, c *shellcmd.Call) (Mark, bool) {
	inv := shellcmd.Apt.Parse(c.Lits, c.Lit)
	if inv.Verb != "manual" && inv.Verb != "auto" {
		return Mark{}, false
	}
	mk := Mark{Cmd: c.Cmd, Manual: inv.Verb == "manual", Start: c.Start()}
	mk.Packages, mk.Unknown = operands(sc, c.Cmd, inv)
	return mk, true
}

// recommendsOpt reads an -o APT::Install-Recommends=VALUE option.
func recommendsOpt(o string) (on, ok bool) {
	k, v, found := strings.Cut(o, "=")
	if !found || !strings.EqualFold(k, "APT::Install-Recommends") {
		return false, false
	}
	switch strings.ToLower(strings.Trim(v, `"' `)) {
	case "0", "false", "no", "off":
		return false, true
	}
	return true, true
}

// PackageName strips apt's version, release and architecture suffixes:
// curl=7.88.1-10, curl/bookworm-backports, curl:amd64.
func PackageName(op string) string {
	if i := strings.IndexAny(op, "=/:"); i > 0 {
		op = op[:i]
	}
	return op
}

// RemovesPath reports whether cmd deletes dir: an rm whose operands
// (literal, or with variables the scope knows, among other operands)
// cover it, or `find DIR … -delete`.
func RemovesPath(sc Scope, cmd *shellcmd.Command, dir string) bool {
	switch cmd.Name {
	case "find":
		if !cmd.Has("-delete") || len(cmd.Args) < 2 {
			return false
		}
		p, ok := sc.Word(cmd, cmd.Args[1])
		return ok && PathCovers(p, dir)
	case "rm":
		opts := true
		for i := 1; i < len(cmd.Args); i++ {
			a, ok := sc.Word(cmd, cmd.Args[i])
			if !ok {
				continue
			}
			if opts && a == "--" {
				opts = false
				continue
			}
			if opts && strings.HasPrefix(a, "-") && len(a) > 1 {
				continue
			}
			if PathCovers(a, dir) {
				return true
			}
		}
	}
	return false
}

// cleanPath normalises a path for comparisons: "/var/lib/apt/lists/*",
// "/var/lib/apt/lists/" and "/var/lib/apt/lists" are the same folder.
func cleanPath(p string) string {
	p = strings.TrimSuffix(p, "/*")
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	return p
}

// PathCovers reports whether removing p removes q (p is q or a parent of q,
// or a glob that matches q).
func PathCovers(p, q string) bool {
	p, q = cleanPath(p), cleanPath(q)
	if p == "" || q == "" {
		return false
	}
	if p == q || p == "/" || strings.HasPrefix(q, p+"/") {
		return true
	}
	if strings.ContainsAny(p, "*?[") {
		if ok, _ := path.Match(p, q); ok {
			return true
		}
	}
	return false
}

// MountCovers reports whether a --mount of the RUN (of any type: cache,
// tmpfs, bind, secret) covers dir, so that what is written there never
// reaches the layer.
func MountCovers(in *parser.Instruction, dir string) bool {
	for _, m := range in.Mounts() {
		if m.Target != "" && PathCovers(m.Target, dir) {
			return true
		}
	}
	return false
}
