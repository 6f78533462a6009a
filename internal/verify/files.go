package verify

// The manifests an install reads and the files a command makes, for the
// copy-before-use check.

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockslim/dockslim/internal/shellcmd"
)

// need is a dependency manifest a command reads: every file of files,
// where each file is a list of alternatives.
type need struct {
	what  string // "pip install", "npm ci"
	flag  string // how it is named on the command line, for the message ("-r requirements.txt")
	files [][]string
}

// manifests lists the dependency manifests a command reads relative to its
// working directory.
func manifests(c *shellcmd.Command) []need {
	lits := c.Lits()
	sub := func(i int) string {
		if i < len(lits) {
			return lits[i]
		}
		return ""
	}
	// operands reports whether there are non-option words after i.
	operands := func(i int) bool {
		for _, a := range lits[i:] {
			if !strings.HasPrefix(a, "-") {
				return true
			}
		}
		return false
	}
	name := c.Name
	switch {
	case name == "uv" && sub(1) == "pip":
		lits = lits[1:]
		fallthrough
	case shellcmd.IsPip(name):
		if s := sub(1); s != "install" && s != "download" && s != "wheel" {
			return nil
		}
		return pipManifests(lits)
	case name == "npm":
		switch sub(1) {
		case "ci", "clean-install":
			return []need{{what: "npm ci", files: [][]string{{"package.json"}, {"package-lock.json", "npm-shrinkwrap.json"}}}}
		case "install", "i":
			if !operands(2) {
				return []need{{what: "npm install", files: [][]string{{"package.json"}}}}
			}
		}
	case name == "yarn":
		if s := sub(1); s == "" || s == "install" || strings.HasPrefix(s, "-") && !operands(1) {
			return []need{{what: "yarn install", files: [][]string{{"package.json"}}}}
		}
	case name == "pnpm":
		if s := sub(1); (s == "install" || s == "i") && !operands(2) {
			return []need{{what: "pnpm install", files: [][]string{{"package.json"}}}}
		}
	case name == "go":
		if sub(1) == "mod" && sub(2) == "download" {
			return []need{{what: "go mod download", files: [][]string{{"go.mod"}}}}
		}
	case name == "bundle":
		if sub(1) == "install" && !c.Has("--gemfile") {
			return []need{{what: "bundle install", files: [][]string{{"Gemfile"}}}}
		}
	case name == "composer":
		if sub(1) == "install" {
			return []need{{what: "composer install", files: [][]string{{"composer.json"}}}}
		}
	case name == "poetry":
		if sub(1) == "install" {
			return []need{{what: "poetry install", files: [][]string{{"pyproject.toml"}}}}
		}
	}
	return nil
}

func (s *sim) needFiles(c *shellcmd.Command, n need, line int, cwd string, copies []entry) {
	for _, alts := range n.files {
		found := false
		var abs []string
		for _, f := range alts {
			p := f
			if !path.IsAbs(p) {
				if cwd == "" {
					return // unknown directory
				}
				p = path.Join(cwd, p)
			}
			abs = append(abs, p)
			if has(copies, p) {
				found = true
			}
		}
		if found {
			continue
		}
		cmd := n.what
		if n.flag != "" {
			cmd += " " + n.flag
		}
		s.report(line, RuleCopyBeforeUse, n.what+" "+strings.Join(alts, "|"),
			"`%s` reads %s, which no earlier COPY or ADD of the stage brings", cmd, strings.Join(abs, " or "))
	}
}

// pipManifests are the requirement files and local projects a pip
// install (download, wheel) reads; lits[1] is its subcommand.
func pipManifests(lits []string) []need {
	what := "pip " + lits[1]
	var out []need
	for i := 2; i < len(lits); i++ {
		a := lits[i]
		for _, o := range []string{"-r", "--requirement", "-c", "--constraint"} {
			var v string
			switch {
			case a == o && i+1 < len(lits):
				v = lits[i+1]
			case strings.HasPrefix(a, o+"="):
				v = a[len(o)+1:]
			case len(o) == 2 && strings.HasPrefix(a, o) && len(a) > 2 && !strings.HasPrefix(a, "--"):
				v = a[2:]
			default:
				continue
			}
			if v != "" && !strings.Contains(v, "://") {
				out = append(out, need{what: what, flag: o + " " + v, files: [][]string{{v}}})
			}
		}
		if i > 2 && (lits[i-1] == "-r" || lits[i-1] == "-c") {
			continue
		}
		switch {
		case a == "." || a == "./":
			out = append(out, need{what: what, flag: a, files: [][]string{{"setup.py", "pyproject.toml"}}})
		case strings.HasPrefix(a, "./") || strings.HasPrefix(a, "/") && !strings.HasPrefix(a, "//"):
			// a local project folder (a wheel or an archive is a file)
			dir := strings.TrimSuffix(a, "/")
			if !strings.HasSuffix(dir, ".whl") && !strings.Contains(path.Base(dir), ".tar") && !strings.HasSuffix(dir, ".zip") {
				out = append(out, need{what: what, flag: a, files: [][]string{{dir + "/setup.py", dir + "/pyproject.toml", dir + "/setup.cfg"}}})
			}
		}
	}
	return out
}

// produces lists files a command makes that a later command may read:
// `git clone URL DIR`, `cp`/`mv` targets, `-o`/`--output(-file)` values
// (curl, poetry export, pip-compile), `wget -O`, `tar -C`, `unzip -d` and
// output redirections.
func produces(c *shellcmd.Command, cwd string) []entry {
	pr := &produced{cwd: cwd}
	add := pr.add
	if c.Stmt != nil {
		for _, rd := range c.Stmt.Redirs {
			if rd.Op == syntax.RdrOut || rd.Op == syntax.AppOut || rd.Op == syntax.RdrClob {
				if v, ok := shellcmd.WordLit(rd.Word); ok && !strings.HasPrefix(v, "/dev/") {
					add(v, false)
				}
			}
		}
	}
	lits := c.Lits()
	var ops []string
	for i := 1; i < len(lits); i++ {
		if !strings.HasPrefix(lits[i], "-") {
			ops = append(ops, lits[i])
		}
	}
	value := func(opts ...string) string {
		for i, a := range lits {
			for _, o := range opts {
				if a == o && i+1 < len(lits) {
					return lits[i+1]
				}
			}
		}
		return ""
	}
	// `curl -o`, `poetry export -o`, `pip-compile --output-file`...
	if v := value("-o", "--output", "--output-file"); v != "" && c.Name != "apt-get" && c.Name != "apt" {
		add(v, false)
	}
	for _, a := range lits {
		for _, o := range []string{"--output=", "--output-file="} {
			if v, ok := strings.CutPrefix(a, o); ok && v != "" {
				add(v, false)
			}
		}
	}
	switch c.Name {
	case "git":
		if len(ops) >= 2 && ops[0] == "clone" {
			if len(ops) >= 3 {
				add(ops[2], true)
			} else {
				add(strings.TrimSuffix(path.Base(ops[1]), ".git"), true)
			}
		}
	case "cp", "mv", "ln", "install":
		if len(ops) >= 2 {
			add(ops[len(ops)-1], true)
		}
	case "wget":
		if v := value("-O", "--output-document"); v != "" {
			add(v, false)
		}
	case "tar", "unzip", "bsdtar":
		if v := value("-C", "--directory", "-d"); v != "" {
			add(v, true)
		} else {
			add(".", true)
		}
	case "mkdir", "touch":
		// Empty folders and files: nothing a manifest reader could use.
	}
	return pr.out
}

// produced collects the paths a command writes, absolute against cwd (any
// path when cwd is unknown and the path relative).
type produced struct {
	cwd string
	out []entry
}

func (pr *produced) add(p string, dir bool) {
	switch {
	case path.IsAbs(p):
		pr.out = append(pr.out, entry{path: path.Clean(p), dir: dir})
	case pr.cwd == "":
		pr.out = append(pr.out, entry{any: true})
	default:
		pr.out = append(pr.out, entry{path: path.Join(pr.cwd, p), dir: dir})
	}
}
