package pkgcache

import (
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
)

// download is a file that a curl or wget command writes (DS131).
type download struct {
	cmd *shellcmd.Command
	// path is the file's name as the shell expands it; "" when a variable
	// in it has no value dockslim knows (word then names it).
	path string
	// word is shell text that names the file where the command runs (for
	// rm, and to match an unresolved name).
	word string
	// vars are the variables word references.
	vars []string
}

// base is the file's last path element, as expanded when known, else as
// written.
func (d download) base() string {
	if d.path != "" {
		return path.Base(d.path)
	}
	return path.Base(d.word)
}

// downloadTarget returns the file a curl or wget command writes, when its
// name is known, or written with variables whose every use dockslim can
// follow.
func downloadTarget(sc stagestate.Scope, cmd *shellcmd.Command) (download, bool) {
	var d download
	var ok bool
	switch cmd.Name {
	case "curl":
		d, ok = curlOpts.target(sc, cmd)
	case "wget":
		d, ok = wgetOpts.target(sc, cmd)
	default:
		return d, false
	}
	if !ok || d.word == "" || d.path == "-" || strings.HasPrefix(d.path, "/dev/") || strings.HasPrefix(d.word, "/dev/") {
		return d, false
	}
	d.cmd = cmd
	return d, true
}

// nameWord reads a word that names a file: its expanded value (""
// when a variable is unknown), its shell text, and the variables it
// references. ok is false for a word dockslim cannot write again as is
// (command substitution, a newline, an unknown variable nothing declares).
func nameWord(sc stagestate.Scope, cmd *shellcmd.Command, i int) (val, text string, vars []string, ok bool) {
	w := cmd.Args[i]
	a, b := cmd.Span(i)
	text = string(sc.File.Src[a:b])
	if strings.ContainsAny(text, "\n`\r") {
		return "", "", nil, false
	}
	if v, lit := cmd.Arg(i); lit {
		return v, text, nil, true
	}
	vars, ok = wordVars(w)
	if !ok {
		return "", "", nil, false
	}
	if v, known := sc.Word(cmd, w); known {
		return v, text, vars, !strings.ContainsAny(v, "*?[")
	}
	for _, name := range vars {
		if !declared(sc, cmd, name) {
			return "", "", nil, false
		}
	}
	return "", text, vars, true
}

// wordVars lists the variables of a word made of literal text, double
// quotes and plain $VAR / ${VAR} references; ok is false for anything
// else.
func wordVars(w *syntax.Word) (vars []string, ok bool) {
	var walk func(ps []syntax.WordPart) bool
	walk = func(ps []syntax.WordPart) bool {
		for _, p := range ps {
			switch x := p.(type) {
			case *syntax.Lit:
			case *syntax.DblQuoted:
				if x.Dollar || !walk(x.Parts) {
					return false
				}
			case *syntax.ParamExp:
				if x.Param == nil || x.Exp != nil || x.Excl || x.Length || x.Width || x.Index != nil ||
					x.Slice != nil || x.Repl != nil || x.Names != 0 || x.IsSet || x.NestedParam != nil ||
					len(x.Modifiers) > 0 || !isName(x.Param.Value) {
					return false
				}
				vars = append(vars, x.Param.Value)
			default:
				return false
			}
		}
		return true
	}
	return vars, walk(w.Parts)
}

// isName reports whether s is a shell variable name (not $1, $@, ...).
func isName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// declared reports whether a variable is set for cmd, even to a value
// dockslim cannot read: by the shell before it, ENV, or an ARG (with or
// without a default) of the stage or the global scope.
func declared(sc stagestate.Scope, cmd *shellcmd.Command, name string) bool {
	if _, ok := sc.Var(cmd, name); ok {
		return true
	}
	if _, ok := sc.File.MetaArg(name); ok {
		return true
	}
	for _, in := range sc.In.Stage.Instructions {
		if in.Index >= sc.In.Index {
			break
		}
		if _, defs := in.ArgDefs(); defs != nil {
			if _, ok := defs[name]; ok {
				return true
			}
		}
	}
	return false
}

// reassigned reports whether the RUN's script, after offset from (a
// syntax offset), assigns, reads into or unsets one of vars.
func reassigned(s *parser.Script, vars []string, from uint) bool {
	if len(vars) == 0 || s == nil || s.File == nil {
		return false
	}
	found := false
	syntax.Walk(s.File, func(n syntax.Node) bool {
		if found || n == nil || n.Pos().Offset() <= from {
			return !found
		}
		switch x := n.(type) {
		case *syntax.Assign:
			found = x.Name != nil && slices.Contains(vars, x.Name.Value)
		case *syntax.WordIter:
			found = slices.Contains(vars, x.Name.Value)
		case *syntax.CallExpr:
			if len(x.Args) > 0 {
				if name, ok := shellcmd.WordLit(x.Args[0]); ok && slices.Contains([]string{"read", "unset", "getopts", "mapfile", "readarray", "eval", "source", "."}, name) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// shellSafe reports whether s can be written in a command unquoted.
func shellSafe(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+-/@%=:,", r)) {
			return false
		}
	}
	return true
}

// urlBase is the last path segment of a literal URL, when it is a plain
// file name.
func urlBase(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok || strings.ContainsAny(rest, "?#$") {
		return ""
	}
	_, p, ok := strings.Cut(rest, "/")
	if !ok || p == "" || strings.HasSuffix(p, "/") {
		return ""
	}
	b := path.Base(p)
	if !shellSafe(b) || strings.Contains(b, "/") {
		return ""
	}
	return b
}

// remoteName is the file curl -O or wget names after the URL: the URL's
// last segment, expanded when its variables are known, else as written
// (https://e.com/${F} → ${F}) when that is a plain word of declared
// variables.
func remoteName(sc stagestate.Scope, cmd *shellcmd.Command) (download, bool) {
	var d download
	idx := -1
	for i := 1; i < len(cmd.Args); i++ {
		a, b := cmd.Span(i)
		if strings.Contains(string(sc.File.Src[a:b]), "://") {
			if idx >= 0 {
				return d, false // several URLs
			}
			idx = i
		}
	}
	if idx < 0 {
		return d, false
	}
	if v, ok := cmd.Arg(idx); ok {
		b := urlBase(v)
		d.path, d.word = b, b
		return d, b != ""
	}
	// Written with variables: the rm names it the same way (an ARG's
	// value can change with --build-arg).
	if v, ok := sc.Word(cmd, cmd.Args[idx]); ok {
		d.path = urlBase(v)
	}
	vars, ok := wordVars(cmd.Args[idx])
	a, b := cmd.Span(idx)
	text := string(sc.File.Src[a:b])
	if uq, found := strings.CutPrefix(text, `"`); found && strings.HasSuffix(uq, `"`) && !strings.Contains(uq[:len(uq)-1], `"`) {
		text = uq[:len(uq)-1]
	}
	i := strings.LastIndex(text, "/")
	if !ok || i < 0 || !strings.Contains(text[:i], "://") {
		return d, false
	}
	tail := text[i+1:]
	if tail == "" || strings.ContainsAny(tail, "?#\"'\\ ") {
		return d, false
	}
	for _, v := range vars {
		if strings.Contains(tail, "$"+v) || strings.Contains(tail, "${"+v+"}") {
			if !declared(sc, cmd, v) {
				return d, false
			}
			d.vars = append(d.vars, v)
		}
	}
	if strings.Count(tail, "$") != len(d.vars) {
		return d, false
	}
	if len(d.vars) == 0 {
		d.word = tail // the variables are in the host or folders
		return d, d.path == tail
	}
	d.word = tail
	return d, true
}

// curl's short options that take a value
const curlShortValue = "dHuoeAbcrTwxXmCEKFYyzPQtUD"

// curl's long options that take a separate value (the common ones)
var curlLongValue = []string{"--header", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--user",
	"--user-agent", "--referer", "--cookie", "--cookie-jar", "--retry", "--retry-delay", "--retry-max-time",
	"--connect-timeout", "--max-time", "--proto", "--proto-redir", "--cacert", "--capath", "--cert", "--key",
	"--proxy", "--request", "--resolve", "--range", "--write-out", "--form", "--limit-rate", "--tlsv1.2",
	"--ciphers", "--interface", "--max-redirs", "--speed-limit", "--speed-time", "--upload-file", "--netrc-file"}

// curl's and wget's options, for the one scan of both (toolOpts.target).
var (
	curlOpts = toolOpts{out: []string{"-o", "--output"}, remote: []string{"-O", "--remote-name"},
		dir: []string{"--output-dir"}, longValue: curlLongValue,
		refuse: []string{"-J", "--remote-header-name", "--remote-name-all", "-K", "--config", "--create-dirs"},
		short:  shortOpts{values: curlShortValue, refuse: "JK", out: 'o', accept: shellSafe}}
	wgetOpts = toolOpts{out: []string{"-O", "--output-document"}, dir: []string{"-P", "--directory-prefix"},
		remoteDefault: true, outEq: "--output-document=",
		refuse: []string{"--content-disposition", "--input-file", "-r", "--recursive", "-m", "--mirror", "-x",
			"--force-directories", "-N", "--timestamping"},
		refusePrefix: "--directory-prefix=",
		short: shortOpts{values: wgetShortValue, refuse: "irm", out: 'O', dir: 'P',
			accept: func(v string) bool { return shellSafe(v) || v == "-" }}}
)

// toolOpts are the options of a download tool that say where the file
// goes: out names the file (in the next word; outEq with "="), dir its
// folder, remote makes the tool name it after the URL (remoteDefault: it
// always does), refuse (and refusePrefix) make dockslim decline, longValue
// are other long options that take the next word.
type toolOpts struct {
	out, remote, dir, refuse, longValue []string
	outEq, refusePrefix                 string
	remoteDefault                       bool
	short                               shortOpts
}

// target reads a curl or wget command's options and returns the file it
// writes.
func (t toolOpts) target(sc stagestate.Scope, cmd *shellcmd.Command) (download, bool) {
	var d download
	remote := t.remoteDefault
	outIdx, dirIdx := -1, -1
	short := t.short
	short.flag = func(ch rune) { remote = remote || ch == 'O' && t.short.out != 'O' }
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok {
			continue
		}
		switch {
		case slices.Contains(t.out, a):
			outIdx = i + 1
			i++
		case slices.Contains(t.remote, a):
			remote = true
		case slices.Contains(t.dir, a):
			dirIdx = i + 1
			i++
		case t.outEq != "" && strings.HasPrefix(a, t.outEq):
			v := a[len(t.outEq):]
			if !short.accept(v) {
				return d, false
			}
			d.path, d.word = v, v
		case slices.Contains(t.refuse, a) || t.refusePrefix != "" && strings.HasPrefix(a, t.refusePrefix):
			return d, false
		case strings.HasPrefix(a, "--"):
			if slices.Contains(t.longValue, a) {
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if !short.scan(a[1:], i, &d, &outIdx, &dirIdx, &i) {
				return d, false
			}
		}
	}
	return finishTarget(sc, cmd, d, outIdx, dirIdx, remote)
}

// shortOpts reads a cluster of curl's or wget's short options (the letters
// after "-"): a letter in refuse makes dockslim decline; a letter in values
// takes the rest of the cluster, or else the next word, as its value; the
// output letter out names the file (a value accept refuses declines); the
// folder letter dir names the folder the file goes to; flag sees the
// letters that take no value.
type shortOpts struct {
	values, refuse string
	out, dir       rune
	accept         func(string) bool
	flag           func(rune)
}

// scan reads the cluster letters of the word at i: the output file goes to
// d (or, in the next word, to *outIdx), and *next moves past a value in the
// next word, the folder's index to *dirIdx. It returns false to decline.
func (o shortOpts) scan(letters string, i int, d *download, outIdx, dirIdx, next *int) bool {
	for j, ch := range letters {
		if strings.ContainsRune(o.refuse, ch) {
			return false
		}
		if !strings.ContainsRune(o.values, ch) {
			if o.flag != nil {
				o.flag(ch)
			}
			continue
		}
		val := letters[j+1:]
		if ch == o.out {
			if val == "" {
				*outIdx = i + 1
			} else if o.accept(val) {
				d.path, d.word = val, val
			} else {
				return false
			}
		}
		if ch == o.dir && o.dir != 0 {
			if val != "" {
				return false // -P/tmp: rare, not followed
			}
			*dirIdx = i + 1
		}
		if val == "" {
			*next = i + 1
		}
		return true
	}
	return true
}

// wget's short options that take a value
const wgetShortValue = "oaOPiBtTwQUeIXDARl"

// finishTarget finishes curl's and wget's option scans: the file is the
// output option's value (at outIdx, or already in d), else, when the tool
// names the file after the URL (remote), the URL's last path element, in
// the folder at dirIdx (curl --output-dir, wget -P) when there is one.
func finishTarget(sc stagestate.Scope, cmd *shellcmd.Command, d download, outIdx, dirIdx int, remote bool) (download, bool) {
	if outIdx >= 0 {
		if outIdx >= len(cmd.Args) {
			return d, false
		}
		v, w, vars, ok := nameWord(sc, cmd, outIdx)
		d.path, d.word, d.vars = v, w, vars
		return d, ok
	}
	if d.word != "" {
		return d, true
	}
	if !remote {
		return d, false
	}
	d, ok := remoteName(sc, cmd)
	if !ok || dirIdx < 0 {
		return d, ok
	}
	if dirIdx >= len(cmd.Args) {
		return d, false
	}
	dir, ok := cmd.Arg(dirIdx)
	if !ok || !shellSafe(dir) {
		return d, false // a folder only with a literal name
	}
	if d.path != "" {
		d.path = path.Join(dir, d.path)
	}
	d.word = path.Join(dir, d.word)
	return d, true
}
