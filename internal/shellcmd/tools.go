package shellcmd

import (
	"path"
	"slices"
	"strings"
)

// Tool is the command-line grammar of a package manager, as far as the
// passes and the stage model need it: which options take a value (so that
// the value is never read as the verb or a package), and the verbs'
// aliases. One table per tool, here, for everyone.
type Tool struct {
	// Name is the tool's canonical name ("apt-get", "dnf", "npm").
	Name string
	// Programs are the program names it runs as.
	Programs []string
	// ValueOpts take a separate value (`-o Dpkg::Options::=x`,
	// `--setopt keepcache=0`); `--opt=value` and `-oValue` are read too.
	ValueOpts []string
	// ShortValue are the letters of the short options in ValueOpts, so
	// that `-tbookworm` in a cluster is read as a value.
	ShortValue string
	// aliases maps an alias or abbreviation to its verb, as pairs.
	aliases []string
	// Groups are verbs whose second word is the action (`dnf group install`).
	Groups []string
}

// Verb returns the canonical verb of a word ("in" → "install" for dnf).
func (t *Tool) Verb(w string) string {
	for i := 0; i+1 < len(t.aliases); i += 2 {
		if t.aliases[i] == w {
			return t.aliases[i+1]
		}
	}
	return w
}

// The tools. yum, dnf, microdnf and tdnf share one grammar (dnf's is a
// superset of yum's for what is read here).
var (
	Apt = &Tool{Name: "apt-get", Programs: []string{"apt-get", "apt", "aptitude"},
		ValueOpts: []string{"-o", "-c", "-t", "-a", "-P", "--option", "--config-file", "--target-release",
			"--default-release", "--host-architecture", "--build-profiles", "--with-source"},
		ShortValue: "octaP",
	}
	Dnf = &Tool{Name: "dnf", Programs: []string{"dnf", "dnf5", "yum", "microdnf", "tdnf"},
		ValueOpts: []string{"-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "--installroot",
			"--enablerepo", "--disablerepo", "-x", "--exclude", "--excludepkgs", "--disableexcludes", "--disableexcludepkgs",
			"--releasever", "--setopt", "--setvar", "--repo", "--repoid",
			"--color", "--rpmverbosity", "--downloaddir", "--destdir", "--forcearch", "--disableplugin",
			"--enableplugin", "--repofrompath", "--comment", "-R", "--randomwait",
			"--advisory", "--advisories", "--bz", "--bzs", "--cve", "--cves", "--sec-severity", "--secseverity",
			// dnf5 spellings
			"--enable-repo", "--disable-repo", "--enable-plugin", "--disable-plugin", "--advisory-severities"},
		ShortValue: "cdexR",
		aliases: []string{"in", "install", "install-n", "install", "install-na", "install", "install-nevra", "install",
			"localinstall", "install", "rei", "reinstall", "rm", "remove", "erase", "remove",
			"up", "upgrade", "update", "upgrade", "localupdate", "upgrade", "update-to", "upgrade", "upgrade-to", "upgrade",
			"update-minimal", "upgrade-minimal", "up-min", "upgrade-minimal",
			"groupinstall", "group install", "groupremove", "group remove", "grouperase", "group remove",
			"groupupdate", "group upgrade", "dsync", "distro-sync", "distrosync", "distro-sync",
			"distribution-synchronization", "distro-sync", "dg", "downgrade", "mc", "makecache",
			"build-dep", "builddep"},
		Groups: []string{"group", "groups", "grp", "module"},
	}
	Zypper = &Tool{Name: "zypper", Programs: []string{"zypper"},
		ValueOpts: []string{"-c", "--config", "-R", "--root", "-D", "--reposd-dir", "-C", "--cache-dir",
			"--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "--userdata", "--installroot", "--releasever",
			"-p", "--plus-repo", "--plus-content", "-s", "--table-style"},
		ShortValue: "cRDCps",
		aliases: []string{"in", "install", "rm", "remove", "up", "update", "dup", "dist-upgrade", "ref", "refresh",
			"si", "source-install", "inr", "install-new-recommends", "ve", "verify", "cc", "clean"},
	}
	Apk = &Tool{Name: "apk", Programs: []string{"apk"},
		ValueOpts: []string{"-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir",
			"--repositories-file", "--wait", "--timeout", "--cache-max-age", "-t", "--virtual", "--progress-fd"},
		ShortValue: "Xpt",
	}
	Pip = &Tool{Name: "pip", Programs: []string{"pip", "pip3"},
		ValueOpts: []string{"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target",
			"--prefix", "--root", "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--src",
			"--platform", "--python-version", "--implementation", "--abi", "--upgrade-strategy", "--progress-bar",
			"--cache-dir", "--log", "--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host",
			"--cert", "--client-cert", "--no-binary", "--only-binary", "--config-settings", "-C",
			"--global-option", "--python", "--report", "--use-feature", "--use-deprecated", "--keyring-provider",
			"-d", "--dest", "-w", "--wheel-dir", "--group"},
		ShortValue: "rcetifCdw",
	}
	Npm = &Tool{Name: "npm", Programs: []string{"npm"},
		ValueOpts: []string{"--prefix", "-C", "--cache", "--userconfig", "--globalconfig", "--registry",
			"--loglevel", "-w", "--workspace", "--omit", "--include", "--install-strategy"},
		ShortValue: "Cw",
		aliases: []string{"i", "install", "in", "install", "ins", "install", "inst", "install", "insta", "install",
			"instal", "install", "isnt", "install", "isnta", "install", "isntal", "install", "isntall", "install",
			"add", "install", "clean-install", "ci", "ic", "ci", "install-clean", "ci", "isntall-clean", "ci",
			"it", "install-test", "cit", "install-ci-test", "clean-install-test", "install-ci-test", "sit", "install-ci-test",
			"up", "update", "upgrade", "update", "udpate", "update", "rm", "uninstall", "r", "uninstall", "un", "uninstall",
			"remove", "uninstall", "unlink", "uninstall"},
	}
	Yarn = &Tool{Name: "yarn", Programs: []string{"yarn", "yarnpkg"},
		ValueOpts: []string{"--cwd", "--cache-folder", "--modules-folder", "--mutex", "--network-timeout",
			"--registry", "--global-folder", "--link-folder", "--preferred-cache-folder", "--network-concurrency",
			"--use-yarnrc"},
	}
	Pnpm = &Tool{Name: "pnpm", Programs: []string{"pnpm"},
		ValueOpts: []string{"-C", "--dir", "--filter", "-F", "--store-dir", "--reporter", "--loglevel",
			"--virtual-store-dir", "--registry"},
		ShortValue: "CF",
		aliases:    []string{"i", "install", "up", "update", "upgrade", "update", "rm", "remove", "un", "remove", "uninstall", "remove"},
	}
	Gem = &Tool{Name: "gem", Programs: []string{"gem"},
		ValueOpts: []string{"-v", "--version", "-i", "--install-dir", "--source", "-s", "-n", "--bindir",
			"--platform", "-P", "--trust-policy", "-g", "--file"},
		ShortValue: "visnPg",
		aliases:    []string{"i", "install"},
	}
	Bundler = &Tool{Name: "bundle", Programs: []string{"bundle", "bundler"},
		ValueOpts:  []string{"--gemfile", "--path", "--jobs", "-j", "--retry", "--without", "--with", "--binstubs"},
		ShortValue: "j",
	}
	Composer = &Tool{Name: "composer", Programs: []string{"composer", "composer.phar"},
		ValueOpts:  []string{"-d", "--working-dir"},
		ShortValue: "d",
		aliases:    []string{"i", "install", "u", "update", "upgrade", "update", "r", "require"},
	}
	Conda = &Tool{Name: "conda", Programs: []string{"conda", "mamba", "micromamba"},
		ValueOpts: []string{"-r", "--root-prefix", "--rc-file", "-n", "--name", "-p", "--prefix", "-c",
			"--channel", "-f", "--file"},
		ShortValue: "rnpcf",
	}
)

var tools = [...]*Tool{Apt, Dnf, Zypper, Apk, Pip, Npm, Yarn, Pnpm, Gem, Bundler, Composer, Conda}

// ToolOf returns the tool a program name runs ("pip3.11" is pip), or nil.
func ToolOf(program string) *Tool {
	name := path.Base(program)
	if strings.HasPrefix(name, "pip") && strings.Trim(name[3:], "0123456789.") == "" {
		return Pip
	}
	for _, t := range tools {
		if slices.Contains(t.Programs, name) {
			return t
		}
	}
	return nil
}

// Option is one option of an invocation.
type Option struct {
	// Name is the option as written, without its value ("-o", "--setopt", "-y").
	Name string
	// Value is the option's value when it takes one (from the next word,
	// after "=", or the rest of a short cluster); ValueIndex is the index
	// of the word that holds it (Index itself for "--opt=v" and "-ov").
	Value      string
	HasValue   bool
	Index      int
	ValueIndex int
}

// Invocation is one run of a tool, read with the tool's option table.
type Invocation struct {
	Tool *Tool
	// Argv are the words' literal values ("" where not literal) and Lit
	// says which are; Argv[0] is the program.
	Argv []string
	Lit  []bool
	// Verb is the canonical verb ("install"; "group install"), "" when
	// there is none or it is not literal; VerbIndex its word, or -1.
	Verb      string
	VerbIndex int
	Options   []Option
	// Operands are the indexes of the words that are neither options,
	// option values nor the verb (packages, files); non-literal ones too.
	Operands []int
}

// Parse reads argv (literal values, lit[i] false where a word is not
// literal) with the tool's grammar. The first operand is the verb for
// tools that have verbs (all but none today).
func (t *Tool) Parse(argv []string, lit []bool) *Invocation {
	inv := &Invocation{Tool: t, Argv: argv, Lit: lit, VerbIndex: -1}
	opts := true
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case !lit[i]:
			if inv.VerbIndex < 0 && len(inv.Operands) == 0 {
				// a variable where the verb goes: nobody can tell
				inv.VerbIndex = i
				continue
			}
			inv.Operands = append(inv.Operands, i)
		case opts && a == "--":
			opts = false
		case opts && strings.HasPrefix(a, "--") && len(a) > 2:
			o := Option{Name: a, Index: i, ValueIndex: -1}
			if n, v, ok := strings.Cut(a, "="); ok {
				o.Name, o.Value, o.HasValue, o.ValueIndex = n, v, true, i
			} else if slices.Contains(t.ValueOpts, a) && i+1 < len(argv) {
				i++
				o.Value, o.HasValue, o.ValueIndex = argv[i], true, i
			}
			inv.Options = append(inv.Options, o)
		case opts && strings.HasPrefix(a, "-") && len(a) > 1:
			inv.Options = append(inv.Options, t.short(argv, &i)...)
		case inv.VerbIndex < 0:
			inv.VerbIndex = i
			inv.Verb = t.Verb(a)
			if slices.Contains(t.Groups, a) && i+1 < len(argv) && lit[i+1] && !strings.HasPrefix(argv[i+1], "-") {
				i++
				inv.Verb = a + " " + argv[i]
				if a == "groups" || a == "grp" {
					inv.Verb = "group " + t.Verb(argv[i])
				}
			}
		default:
			inv.Operands = append(inv.Operands, i)
		}
	}
	return inv
}

// short reads a short option or cluster at argv[*i] ("-y", "-qy",
// "-oDebug::X=1", "-t bookworm"), advancing *i past a separate value.
func (t *Tool) short(argv []string, i *int) []Option {
	a := argv[*i]
	if slices.Contains(t.ValueOpts, a) && *i+1 < len(argv) {
		*i++
		return []Option{{Name: a, Value: argv[*i], HasValue: true, Index: *i - 1, ValueIndex: *i}}
	}
	var out []Option
	for j := 1; j < len(a); j++ {
		o := Option{Name: "-" + a[j:j+1], Index: *i, ValueIndex: -1}
		if strings.IndexByte(t.ShortValue, a[j]) >= 0 {
			if j+1 < len(a) {
				o.Value, o.HasValue, o.ValueIndex = strings.TrimPrefix(a[j+1:], "="), true, *i
			} else if *i+1 < len(argv) {
				*i++
				o.Value, o.HasValue, o.ValueIndex = argv[*i], true, *i
			}
			return append(out, o)
		}
		out = append(out, o)
	}
	return out
}

// Has reports whether one of the options is present (by name as written:
// "-y", "--yes").
func (inv *Invocation) Has(names ...string) bool {
	for _, o := range inv.Options {
		for _, n := range names {
			if o.Name == n {
				return true
			}
		}
	}
	return false
}

// Value returns the value of the last of the named options present.
func (inv *Invocation) Value(names ...string) (string, bool) {
	v, found := "", false
	for _, o := range inv.Options {
		for _, n := range names {
			if o.Name == n && o.HasValue {
				v, found = o.Value, true
			}
		}
	}
	return v, found
}

// OperandValues returns the literal operands.
func (inv *Invocation) OperandValues() []string {
	var out []string
	for _, i := range inv.Operands {
		if inv.Lit[i] {
			out = append(out, inv.Argv[i])
		}
	}
	return out
}
