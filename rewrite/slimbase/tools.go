package slimbase

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// use is a command that runs on a stage's base image.
type use struct {
	Name  string
	Off   int // where the command is (the instruction start when not exact)
	Stage *parser.Stage
	In    *parser.Instruction
	Cmd   *shellcmd.Command // nil in exec form, HEALTHCHECK or opaque sh -c strings
}

// shells that run `-c STRING`.
var shells = []string{"sh", "bash", "ash", "dash", "zsh"}

// builtins are shell builtins (kill is also procps' /usr/bin/kill, but the
// shell's builtin is what `RUN kill` runs).
var builtins = []string{
	"cd", "export", "set", "unset", "echo", "printf",
	"true", "false", "test", "[", "[[", "exit",
	"source", ".", "read", "eval", "shift", "local",
	"return", "trap", "umask", "wait", "kill", "type",
	"alias", "ulimit", "pwd", "hash", "getopts", "let",
	"declare", "readonly", ":", "exec", "command",
}

// stageUses lists the commands that the instructions of stages run: RUN
// (also ONBUILD RUN, heredocs, sh -c strings, exec form), and the runtime
// commands CMD, ENTRYPOINT and HEALTHCHECK.
func stageUses(stages []*parser.Stage) []use {
	var out []use
	for _, st := range stages {
		for _, in := range st.Instructions {
			for _, u := range instructionUses(in) {
				u.Stage, u.In = st, in
				if !slices.Contains(builtins, u.Name) && u.Name != "" {
					out = append(out, u)
				}
			}
		}
	}
	return out
}

func instructionUses(in *parser.Instruction) []use {
	kw := in.Keyword
	if in.Sub != "" {
		kw = in.Sub
	}
	switch kw {
	case "run", "cmd", "entrypoint":
	case "healthcheck":
		args := in.Args()
		if len(args) < 2 || !strings.EqualFold(args[0], "CMD") {
			return nil
		}
		if len(args) == 2 {
			return scriptUses(parser.ParseShell(args[1], 0), in.Start)
		}
		return []use{{Name: path.Base(args[1]), Off: in.Start}}
	default:
		return nil
	}
	if in.JSON && shellcmd.ExecScriptIndex(in) < 0 {
		if len(in.JSONArgs) == 0 {
			return nil
		}
		return []use{{Name: path.Base(in.JSONArgs[0].Value), Off: in.JSONArgs[0].Start}}
	}
	// Every command, with those of `sh -c` strings (mapped to the file, or
	// read from their raw text for their names only: shellcmd.Opaque).
	var out []use
	add := func(cmd *shellcmd.Command, edit *shellcmd.Command) {
		start, _ := cmd.Span(0)
		out = append(out, use{Name: cmd.Name, Off: start, Cmd: edit})
		for _, d := range tarFilters(cmd.Lits()) {
			out = append(out, use{Name: d, Off: start, Cmd: edit})
		}
	}
	for _, cmd := range shellcmd.AllWithExec(in) {
		add(cmd, cmd)
	}
	for _, cmd := range shellcmd.Opaque(in) {
		add(cmd, nil)
	}
	return out
}

func scriptUses(s *parser.Script, off int) []use {
	var out []use
	for _, cmd := range shellcmd.Commands(s) {
		out = append(out, use{Name: cmd.Name, Off: off})
		for _, d := range tarFilters(cmd.Lits()) {
			out = append(out, use{Name: d, Off: off})
		}
	}
	return out
}

// tarFilters returns the programs GNU tar runs to (de)compress: xz for -J,
// --xz or a .xz/.txz archive, bzip2 for -j, --bzip2 or .bz2/.tbz2; slim
// images have tar and gzip but neither of these.
func tarFilters(args []string) []string {
	if len(args) == 0 || path.Base(args[0]) != "tar" {
		return nil
	}
	var out []string
	add := func(p string) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for i, a := range args[1:] {
		switch {
		case a == "--xz" || strings.HasSuffix(a, ".xz") || strings.HasSuffix(a, ".txz"):
			add("xz")
		case a == "--bzip2" || strings.HasSuffix(a, ".bz2") || strings.HasSuffix(a, ".tbz2") || strings.HasSuffix(a, ".tbz"):
			add("bzip2")
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-") || i == 0: // -xJf, or the old style "xJf" as first word
			if strings.Contains(a, "/") || strings.Contains(a, ".") {
				continue
			}
			if strings.Contains(a, "J") {
				add("xz")
			}
			if strings.Contains(a, "j") {
				add("bzip2")
			}
		}
	}
	return out
}

// sameNameInTrixie are Debian packages of the bookworm full-vs-slim table
// whose name is the same in trixie (checked against the trixie archive's
// package list for these well-known tools). Other packages (gcc-12,
// imagemagick-6.q16, lib*-dev versions...) differ, so a trixie base needing
// them is declined.
var sameNameInTrixie = []string{
	"curl", "wget", "git", "gnupg", "gpg", "openssh-client",
	"procps", "make", "gcc", "g++", "cpp", "patch",
	"unzip", "bzip2", "xz-utils", "file", "autoconf",
	"automake", "libtool", "mercurial", "subversion", "dpkg-dev",
	"binutils", "pkgconf", "openssl", "ca-certificates",
}

// sameNameIn lists, per Debian release besides bookworm, the packages of
// sameNameInTrixie that have that name there too (checked against the
// release's package list; bullseye's pkg-config command is package
// pkg-config, not pkgconf).
func sameNameIn(release, pkg string) bool {
	switch release {
	case "trixie":
		return slices.Contains(sameNameInTrixie, pkg)
	case "bullseye":
		return pkg != "pkgconf" && slices.Contains(sameNameInTrixie, pkg)
	}
	return false
}

// checkCommand is images.CheckCommand, extended to Debian trixie and
// bullseye bases: the full/slim table was measured on bookworm only, so a
// pair of either release is answered with the bookworm tags of the same
// images (python:3.11 → python:3.11-bookworm, python:3.11-bullseye →
// python:3.11-bookworm), and a Missing answer is kept only when the package
// has the same name in that release. The releases' minimal images differ in
// a few essential packages, not in the well-known tools the table is about.
func checkCommand(from, to images.Ref, cmd string) images.CommandCheck {
	if from.Image == "debian" && to.Image == "debian" {
		// debian:<suite> and debian:<suite>-slim install the same packages;
		// slim only leaves out documentation, man pages and locales.
		return images.CommandCheck{Presence: images.Unaffected}
	}
	c := images.CheckCommand(from, to, cmd)
	if c.Presence != images.Unknown {
		return c
	}
	_, fc := images.Distro(from.Image, from.Tag)
	if _, tc := images.Distro(to.Image, to.Tag); fc != tc || fc != "trixie" && fc != "bullseye" {
		return c
	}
	fb, ok1 := bookwormTwin(from, fc)
	tb, ok2 := bookwormTwin(to, fc)
	if !ok1 || !ok2 {
		return c
	}
	c2 := images.CheckCommand(fb, tb, cmd)
	switch c2.Presence {
	case images.Unaffected:
		return c2
	case images.Missing:
		if sameNameIn(fc, c2.Package) {
			return c2
		}
		return images.CommandCheck{Reason: fmt.Sprintf("%s comes from Debian package %s on bookworm; its %s name is not known to dockslim", cmd, c2.Package, fc)}
	}
	return c
}

// bookwormTwin returns the bookworm tag of the same image and variant as a
// tag of release: python:3.11 → python:3.11-bookworm, python:3.11-slim →
// python:3.11-slim-bookworm (trixie: the unsuffixed tags), and the tag with
// bullseye replaced (node:20-bullseye-slim → node:20-bookworm-slim).
func bookwormTwin(r images.Ref, release string) (images.Ref, bool) {
	var names []string
	switch base, slim := strings.CutSuffix(r.Tag, "-slim"); {
	case release != "trixie":
		names = []string{strings.ReplaceAll(r.Tag, release, "bookworm")}
	case r.Tag == "" || r.Tag == "latest":
		names = []string{"bookworm"}
	case r.Tag == "slim":
		names = []string{"slim-bookworm", "bookworm-slim"}
	case slim:
		names = []string{base + "-slim-bookworm", base + "-bookworm-slim"}
	default:
		names = []string{r.Tag + "-bookworm"}
	}
	for _, n := range names {
		if _, c := images.Distro(r.Image, n); c == "bookworm" {
			return images.Ref{Image: r.Image, Tag: n}, true
		}
	}
	return images.Ref{}, false
}

// lastStart is the last ENTRYPOINT, else the last CMD, of the final stage
// of stages (nil when there is none).
func lastStart(stages []*parser.Stage) *parser.Instruction {
	var ep, cmd *parser.Instruction
	for _, st := range stages {
		for _, in := range st.Instructions {
			switch {
			case in.Sub != "":
			case in.Is("entrypoint"):
				ep = in
			case in.Is("cmd"):
				cmd = in
			}
		}
	}
	if ep != nil {
		return ep
	}
	return cmd
}

// runsJar reports whether an ENTRYPOINT / CMD runs java -jar.
func runsJar(in *parser.Instruction) bool {
	if in == nil {
		return false
	}
	var argv []string
	if in.JSON {
		for _, a := range in.JSONArgs {
			argv = append(argv, a.Value)
		}
	} else if in.Script != nil && in.Script.Err == nil {
		cmds := shellcmd.Commands(in.Script)
		if len(cmds) != 1 {
			return false
		}
		argv = cmds[0].Lits()
	}
	return len(argv) > 1 && path.Base(argv[0]) == "java" && slices.Contains(argv, "-jar")
}
