package multistage

import (
	"path"
	"slices"
	"strings"

	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
)

// command is one simple command of a RUN, shell or exec form.
type command struct {
	in      *parser.Instruction
	argv    []string // literal values, "" where not literal
	lit     []bool
	assigns map[string]string
	sh      *shellcmd.Command // nil for exec form
}

func (c command) arg(i int) string {
	if i < 0 || i >= len(c.argv) {
		return ""
	}
	return c.argv[i]
}

// start is the offset of the command in the Dockerfile (its RUN's for
// exec form).
func (c command) start() int {
	if c.sh == nil {
		return c.in.Start
	}
	s, _ := c.sh.Span(0)
	return s
}

// name is the base name of the program.
func (c command) name() string {
	if len(c.argv) == 0 {
		return ""
	}
	return path.Base(c.argv[0])
}

// literal reports whether every word is literal text.
func (c command) literal() bool {
	for _, l := range c.lit {
		if !l {
			return false
		}
	}
	return true
}

// text is the command re-quoted for a new RUN line.
func (c command) text() (string, bool) {
	if !c.literal() {
		return "", false
	}
	words := make([]string, len(c.argv))
	for i, a := range c.argv {
		q, err := syntax.Quote(a, syntax.LangPOSIX)
		if err != nil {
			return "", false
		}
		words[i] = q
	}
	return strings.Join(words, " "), true
}

// positional returns the arguments after argv[0] that are not options nor
// option values (valueOpts take the next word unless written --opt=value).
func (c command) positional(valueOpts []string) []string {
	var out []string
	for i := 1; i < len(c.argv); i++ {
		a := c.argv[i]
		switch {
		case a == "--":
			return append(out, c.argv[i+1:]...)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if slices.Contains(valueOpts, a) {
				i++
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

// commandsOf returns the commands of a RUN (nil for other instructions).
// ok is false when the RUN cannot be read (heredoc, shell that does not parse).
func commandsOf(in *parser.Instruction) (out []command, ok bool) {
	if !in.Is("run") {
		return nil, true
	}
	if !in.JSON && (len(in.Heredocs) > 0 || in.Script == nil || in.Script.Err != nil) {
		return nil, false
	}
	out = views(in)
	return out, len(out) > 0 || !in.JSON
}

// views are the commands of in from the one argv view of every RUN form
// (shellcmd.Call): a command of an `sh -c` string that does not map to the
// file is read, never edited (no sh).
func views(in *parser.Instruction) []command {
	var out []command
	for _, c := range shellcmd.Calls(in) {
		cmd := command{in: in, argv: c.Lits, lit: c.Lit, assigns: map[string]string{}}
		if c.Cmd != nil {
			cmd.assigns = c.Cmd.Assigns
			if !c.Opaque {
				cmd.sh = c.Cmd
			}
		}
		out = append(out, cmd)
	}
	return out
}

// runCommands returns the commands of every RUN of the stage before limit
// (nil: all), skipping RUNs it cannot read.
func (si *stageInfo) runCommands(limit *parser.Instruction) []command {
	var out []command
	for _, in := range si.st.Instructions {
		if limit != nil && in.Index >= limit.Index {
			break
		}
		cs, _ := commandsOf(in)
		out = append(out, cs...)
	}
	return out
}

// env reports a variable set by ENV or ARG before in (or on the command).
func (si *stageInfo) env(in *parser.Instruction, c *command, name string) (string, bool) {
	if c != nil {
		if v, ok := c.assigns[name]; ok {
			return v, true
		}
	}
	return stagestate.Scope{File: si.f, In: in}.Docker(name)
}

// expand expands variables in a word as buildkit would before in; ok is
// false when a variable is unknown.
func (si *stageInfo) expand(in *parser.Instruction, word string) (string, bool) {
	if !strings.Contains(word, "$") {
		return word, true
	}
	env := envMap{}
	res, err := bkshell.NewLex(rune(si.f.Escape)).ProcessWordWithMatches(word, env)
	if err != nil {
		return "", false
	}
	for name := range res.Unmatched {
		v, ok := si.env(in, nil, name)
		if !ok {
			return "", false
		}
		env[name] = v
	}
	res, err = bkshell.NewLex(rune(si.f.Escape)).ProcessWordWithMatches(word, env)
	return res.Result, err == nil && len(res.Unmatched) == 0
}

// workdirAt is the working directory for instruction in ("/" by default).
func (si *stageInfo) workdirAt(in *parser.Instruction) (string, bool) {
	wd := "/"
	for _, x := range si.st.Instructions {
		if in != nil && x.Index >= in.Index {
			break
		}
		if x.Keyword != "workdir" {
			continue
		}
		args := x.Args()
		if len(args) == 0 {
			continue
		}
		dir, ok := si.expand(x, args[0])
		if !ok {
			return "", false
		}
		wd = abs(wd, dir)
	}
	return wd, true
}

// userAt is the USER for instruction in ("" for root).
func (si *stageInfo) userAt(in *parser.Instruction) string {
	user := ""
	for _, x := range si.st.Instructions {
		if x.Index >= in.Index {
			break
		}
		if x.Keyword == "user" && len(x.Args()) > 0 {
			user = x.Args()[0]
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "root" || u == "0" {
		return ""
	}
	return user
}

func abs(wd, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(wd, p)
}

// covers reports whether dir is p or one of its parents.
func covers(dir, p string) bool {
	return dir == p || dir == "/" || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// kw writes an instruction keyword in the file's casing.
func (si *stageInfo) kw(upper string) string {
	from := si.st.From
	ind := len(from.Indent(si.f))
	word := string(si.f.Src[from.Start+ind : min(from.Start+ind+4, len(si.f.Src))])
	if word == "from" {
		return strings.ToLower(upper)
	}
	return upper
}

// userCommands are the user-management commands and the options of each
// that take a value, to find the names they create.
var userCommands = map[string][]string{
	"useradd": []string{"-b", "-c", "-d", "-e", "-f", "-g", "-G", "-k", "-K", "-p", "-R", "-P", "-s", "-u", "-Z",
		"--base-dir", "--comment", "--home-dir", "--expiredate", "--inactive", "--gid", "--groups", "--skel",
		"--key", "--password", "--root", "--prefix", "--shell", "--uid", "--selinux-user"},
	"groupadd": []string{"-g", "-K", "-p", "-R", "-P", "--gid", "--key", "--password", "--root", "--prefix"},
	"adduser": []string{"--home", "--shell", "--uid", "--gid", "--ingroup", "--gecos", "--comment", "--firstuid",
		"--lastuid", "--firstgid", "--lastgid", "--conf", "-h", "-g", "-s", "-G", "-u", "-k"},
	"addgroup": []string{"--gid", "-g", "--conf", "--firstgid", "--lastgid"},
	"usermod": []string{"-c", "-d", "-e", "-f", "-g", "-G", "-l", "-p", "-R", "-P", "-s", "-u", "-Z", "--comment",
		"--home", "--expiredate", "--inactive", "--gid", "--groups", "--login", "--password", "--root",
		"--prefix", "--shell", "--uid"},
}

// createdName is the user or group a user-management command creates.
func createdName(c command) string {
	pos := c.positional(userCommands[c.name()])
	if len(pos) == 0 {
		return ""
	}
	switch c.name() {
	case "useradd", "groupadd":
		return pos[len(pos)-1]
	case "adduser", "addgroup":
		if len(pos) == 1 {
			return pos[0]
		}
	}
	return ""
}

func firstWords(cs []command) string {
	var names []string
	seen := map[string]bool{}
	for _, c := range cs {
		if n := c.name(); n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

func all[T any](cs []T, pred func(T) bool) bool {
	for _, c := range cs {
		if !pred(c) {
			return false
		}
	}
	return true
}

// heredocCommands returns the commands of a shell-form RUN with heredocs:
// its own line and the bodies the shell runs as scripts (RUN <<EOF, RUN
// bash <<EOF); other heredocs are data.
func heredocCommands(in *parser.Instruction) ([]command, bool) {
	if !in.Is("run") || in.JSON || in.Script == nil || in.Script.Err != nil {
		return nil, false
	}
	ok := true
	for _, h := range in.HeredocScripts {
		ok = ok && h.Err == nil
	}
	out := views(in)
	return out, ok
}

func hasWord(xs []string, w string) bool {
	for _, x := range xs {
		if x == w {
			return true
		}
	}
	return false
}
