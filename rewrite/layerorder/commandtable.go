package layerorder

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
)

// command is a simple command reduced to literal words.
type command struct {
	name string
	args []argWord // after the command name
	sh   *shellcmd.Command
}

type argWord struct {
	v  string
	ok bool // literal
}

func fromShell(c *shellcmd.Command) *command {
	cmd := &command{name: c.Name, sh: c}
	for i := 1; i < len(c.Args); i++ {
		v, ok := c.Arg(i)
		cmd.args = append(cmd.args, argWord{v, ok})
	}
	return cmd
}

// positional returns the literal arguments that are not options; values of
// options listed in valueOpts are skipped. ok is false when a word is not literal.
func (c *command) positional(valueOpts []string) (out []string, ok bool) {
	ok = true
	for i := 0; i < len(c.args); i++ {
		a := c.args[i]
		if !a.ok {
			ok = false
			continue
		}
		if a.v == "--" {
			for _, b := range c.args[i+1:] {
				out = append(out, b.v)
				ok = ok && b.ok
			}
			return out, ok
		}
		if strings.HasPrefix(a.v, "-") && a.v != "-" {
			if slices.Contains(valueOpts, a.v) {
				i++
			}
			continue
		}
		out = append(out, a.v)
	}
	return out, ok
}

// optValues returns the values of the options named (as "-o" "x", "-ox",
// "--opt=x" or "--opt" "x").
func (c *command) optValues(names ...string) []string {
	var out []string
	for i := 0; i < len(c.args); i++ {
		a := c.args[i].v
		for _, n := range names {
			switch {
			case a == n && i+1 < len(c.args):
				out = append(out, c.args[i+1].v)
			case strings.HasPrefix(n, "--") && strings.HasPrefix(a, n+"="):
				out = append(out, a[len(n)+1:])
			case !strings.HasPrefix(n, "--") && len(n) == 2 && strings.HasPrefix(a, n) && len(a) > 2 && !strings.HasPrefix(a, "--"):
				out = append(out, a[2:])
			}
		}
	}
	return out
}

// has reports whether one of the options is present.
func (c *command) has(names ...string) bool {
	for _, a := range c.args {
		for _, n := range names {
			if a.v == n || strings.HasPrefix(n, "--") && strings.HasPrefix(a.v, n+"=") {
				return true
			}
		}
	}
	return false
}

// looksLikePath reports whether a package-manager argument names a file
// rather than a package: ./x, /x, x/y (not a URL), *.deb, ....
func looksLikePath(a string) bool {
	if strings.Contains(a, "://") || strings.HasPrefix(a, "git+") || strings.HasPrefix(a, "git@") {
		return false
	}
	if a == "." || a == ".." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "../") || strings.HasPrefix(a, "/") || strings.HasPrefix(a, "~") {
		return true
	}
	for _, ext := range []string{".deb", ".rpm", ".apk", ".whl", ".tar.gz", ".tgz", ".zip", ".gem", ".txt", ".jar"} {
		if strings.HasSuffix(a, ext) {
			return true
		}
	}
	return false
}

// Command classes.
var (
	inertCmds = []string{"echo", "printf", "true", "false", ":", "sleep", "exit", "set", "unset", "export",
		"shift", "return", "wait", "trap", "ulimit", "umask", "whoami", "id", "date", "uname", "nproc",
		"arch", "hostname", "which", "type", "hash", "readonly", "local", "declare", "[", "test", "[["}
	osPkgCmds = []string{"apt-get", "apt", "aptitude", "apk", "yum", "dnf", "microdnf", "zypper", "tdnf",
		"pacman", "rpm", "dpkg", "dpkg-reconfigure", "debconf-set-selections", "update-ca-certificates",
		"ldconfig", "locale-gen", "localedef", "update-locale", "update-alternatives", "apt-key",
		"add-apt-repository", "apt-mark", "install-php-extensions", "docker-php-ext-install",
		"docker-php-ext-enable", "docker-php-ext-configure", "docker-php-source", "pecl"}
	userCmds = []string{"useradd", "adduser", "groupadd", "addgroup", "usermod", "groupmod", "userdel",
		"deluser", "delgroup", "chpasswd", "passwd"}
	readPathCmds  = []string{"cat", "ls", "head", "tail", "wc", "sha256sum", "sha1sum", "md5sum", "sha512sum", "file", "stat", "source", ".", "du", "diff", "cmp", "readlink", "realpath"}
	writePathCmds = []string{"mkdir", "touch", "rm", "rmdir", "ln", "mkfifo", "truncate", "shred"}
)

// commandEffects is what one simple command reads and writes when it runs
// in folder cwd ("" when unknown).
func (m *stageModel) commandEffects(in *parser.Instruction, c *command, cwd string) Effects {
	if c.name == "" {
		var e Effects
		e.Reads.All, e.Writes.All = true, true
		return e
	}
	if ins := describe(c, cwd); ins != nil {
		return m.toolEffects(in, ins, cwd)
	}
	if e, ok := classEffects(c, cwd); ok {
		return e
	}
	return namedEffects(c, cwd)
}

// cmdPaths resolves a command's path operands against cwd; ~ stands for
// every home folder.
func cmdPaths(cwd string, ps []string) []string {
	var out []string
	for _, p := range ps {
		if strings.HasPrefix(p, "~") {
			out = append(out, homeDirs...)
			continue
		}
		out = append(out, resolve(cwd, p))
	}
	return out
}

// classEffects are the effects of a command of one of the known classes
// (inert, OS packages, users, commands that read or write their operands);
// ok is false for other commands.
func classEffects(c *command, cwd string) (e Effects, ok bool) {
	all := func() (Effects, bool) {
		e.Reads.All, e.Writes.All = true, true
		return e, true
	}
	paths := func(ps []string) []string { return cmdPaths(cwd, ps) }
	// operands adds the command's operands (valueOpts take a value) to the
	// paths it reads, and to those it writes when writes is set; false when
	// one is not literal.
	operands := func(writes bool, valueOpts ...string) bool {
		pos, ok := c.positional(valueOpts)
		if ok {
			e.Reads.Add(paths(pos)...)
		}
		if ok && writes {
			e.Writes.Add(paths(pos)...)
		}
		return ok
	}
	switch {
	case slices.Contains(inertCmds, c.name):
		if c.name == "test" || c.name == "[" || c.name == "[[" {
			pos, ok := c.positional(nil)
			if !ok {
				return all()
			}
			for _, p := range pos {
				if p != "]" && p != "]]" && p != "=" && p != "!=" && p != "!" {
					e.Reads.Add(paths([]string{p})...)
				}
			}
		}
		return e, true
	case slices.Contains(osPkgCmds, c.name):
		e.Reads.Add(osSystem...)
		e.Writes.Add(osSystem...)
		pos, _ := c.positional([]string{"-o", "-c", "-t", "-X", "--repository", "--root", "-p"})
		for _, p := range pos {
			if looksLikePath(p) {
				e.Reads.Add(paths([]string{p})...)
			}
		}
		return e, true
	case slices.Contains(userCmds, c.name):
		e.Reads.Add(userFiles...)
		e.Writes.Add(userFiles...)
		for _, a := range c.args {
			if !a.ok {
				continue
			}
			if strings.HasPrefix(a.v, "/") {
				e.Writes.Add(path.Clean(a.v))
			}
		}
		return e, true
	case slices.Contains(readPathCmds, c.name):
		if !operands(false, "-n", "-c") || c.name == "source" || c.name == "." {
			return all() // an operand dockslim cannot read, or a script it runs
		}
		return e, true
	case slices.Contains(writePathCmds, c.name):
		if !operands(true, "-m", "--mode") {
			return all()
		}
		return e, true
	}
	return e, false
}

// namedEffects are the effects of the file, archive, download and git
// commands dockslim knows by name; any other command may read and write
// anything.
func namedEffects(c *command, cwd string) Effects {
	var e Effects
	all := func() Effects {
		e.Reads.All, e.Writes.All = true, true
		return e
	}
	res := func(p string) string { return resolve(cwd, p) }
	paths := func(ps []string) []string { return cmdPaths(cwd, ps) }
	switch c.name {
	case "chmod", "chown", "chgrp":
		pos, ok := c.positional([]string{"--reference"})
		if !ok || len(pos) < 2 {
			return all()
		}
		e.Reads.Add(paths(pos[1:])...)
		e.Writes.Add(paths(pos[1:])...)
		if c.name != "chmod" {
			e.Reads.Add("/etc/passwd", "/etc/group")
		}
	case "cp", "mv", "install":
		pos, ok := c.positional([]string{"-t", "--target-directory", "-m", "-o", "-g", "-S"})
		if !ok || len(pos) == 0 {
			return all()
		}
		if t := c.optValues("-t", "--target-directory"); len(t) > 0 {
			pos = append(pos, t...)
		}
		e.Reads.Add(paths(pos)...)
		if c.name == "mv" {
			e.Writes.Add(paths(pos)...)
		} else {
			e.Writes.Add(paths(pos[len(pos)-1:])...)
			if c.has("-d") && c.name == "install" {
				e.Writes.Add(paths(pos)...)
			}
		}
	case "tar", "unzip", "gunzip", "gzip", "bunzip2", "xz", "unxz", "zstd", "7z":
		// Archive tools read and write the named files and, unless told
		// where (-C, -d), the folder they run in.
		pos, ok := c.positional([]string{"-C", "-d", "-f", "--directory", "--file", "-x", "-X", "--exclude"})
		if !ok {
			return all()
		}
		if c.name == "tar" && len(pos) > 0 && c.args[0].v == pos[0] {
			pos = pos[1:] // `tar xzf file`: old-style flags as the first word
		}
		targets := append(c.optValues("-C", "--directory", "-d", "-f", "--file"), pos...)
		if len(c.optValues("-C", "--directory", "-d")) == 0 {
			targets = append(targets, ".")
		}
		e.Reads.Add(paths(targets)...)
		e.Writes.Add(paths(targets)...)
	case "curl", "wget":
		return downloadEffects(c, cwd)
	case "git":
		// git clone URL DIR writes DIR (or a folder in cwd); other git
		// commands read the repository in cwd.
		e.Reads.Add(res("."))
		e.Writes.Add(res("."))
		pos, ok := c.positional([]string{"-C", "-c", "--depth", "-b", "--branch", "--config"})
		if !ok {
			return all()
		}
		e.Writes.Add(paths(c.optValues("-C"))...)
		if len(pos) >= 3 && pos[0] == "clone" {
			e.Writes.Add(paths(pos[2:3])...)
		}
		e.Reads.Add(homeDirs...)
	default:
		// Unknown commands may read anything, the build context included.
		return all()
	}
	return e
}

// downloadEffects are curl's and wget's: the files they write, and the
// TLS and resolver configuration they read.
func downloadEffects(c *command, cwd string) Effects {
	var e Effects
	paths := func(ps []string) []string { return cmdPaths(cwd, ps) }
	if c.name == "curl" && c.has("-T", "--upload-file", "-K", "--config", "-d", "--data", "--data-binary", "-F", "--form") {
		e.Reads.All, e.Writes.All = true, true
		return e
	}
	switch c.name {
	case "curl":
		e.Writes.Add(paths(c.optValues("-o", "--output"))...)
		if c.has("-O", "--remote-name", "--remote-name-all") || hasShortFlag(c, 'O') {
			e.Writes.Add(resolve(cwd, "."))
		}
	case "wget":
		outs := c.optValues("-O", "--output-document")
		switch {
		case len(outs) > 0:
			for _, o := range outs {
				if o != "-" {
					e.Writes.Add(paths([]string{o})...)
				}
			}
		case hasShortFlagValue(c, 'O', "-"):
		default:
			dirs := c.optValues("-P", "--directory-prefix")
			if len(dirs) == 0 {
				dirs = []string{"."}
			}
			e.Writes.Add(paths(dirs)...)
		}
	}
	e.Reads.Add("/etc/ssl", "/etc/ca-certificates", "/usr/share/ca-certificates", "/etc/hosts", "/etc/resolv.conf")
	return e
}

// hasShortFlag reports a combined short-option word like -fsSLO.
func hasShortFlag(c *command, f byte) bool {
	for _, a := range c.args {
		if a.ok && len(a.v) > 1 && a.v[0] == '-' && a.v[1] != '-' && strings.IndexByte(a.v, f) > 0 {
			return true
		}
	}
	return false
}

// hasShortFlagValue reports -qO- style words: flag f followed by value v.
func hasShortFlagValue(c *command, f byte, v string) bool {
	for _, a := range c.args {
		if a.ok && len(a.v) > 1 && a.v[0] == '-' && a.v[1] != '-' {
			if i := strings.IndexByte(a.v, f); i > 0 && a.v[i+1:] == v {
				return true
			}
		}
	}
	return false
}

// toolEffects are the effects of a language tool's command described by
// the ecosystem table: its files in cwd, its outputs, and the system and
// tool folders it installs into.
func (m *stageModel) toolEffects(in *parser.Instruction, t *toolRun, cwd string) Effects {
	var e Effects
	if t.unknown {
		e.Reads.All, e.Writes.All = true, true
		return e
	}
	e.Reads.Add(langSystem...)
	e.Writes.Add(langSystem...)
	e.Reads.Add("/etc")
	if t.project {
		dirs := m.toolDirs(in, cwd)
		e.Writes.Add(dirs...)
		e.Reads.Add(dirs...)
	}
	if t.tree || t.kind == kindProject {
		e.Reads.Add(resolve(cwd, "."))
		e.Writes.Add(resolve(cwd, "."))
		if t.runsScripts || t.kind == kindProject {
			e.Writes.All = true
		}
		return e
	}
	for _, mf := range t.files {
		abs := resolve(cwd, mf.rel)
		e.Reads.Add(abs)
		if mf.requirements {
			e.Reads.Add(m.requirementReads(in, abs, cwd, 0)...)
		}
	}
	for _, p := range t.reads {
		e.Reads.Add(resolve(cwd, p))
	}
	for _, o := range append(append([]string(nil), t.outputs...), t.rewrites...) {
		e.Writes.Add(resolve(cwd, o))
	}
	return e
}
