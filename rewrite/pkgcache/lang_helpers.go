package pkgcache

// Helpers shared by the language package-manager passes (pip, uv, poetry,
// npm, yarn, pnpm, gem, bundler, conda, composer, go). Names start with
// "lang" so they cannot clash with the OS package-manager passes of this
// package.

import (
	"fmt"
	"iter"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
	"mvdan.cc/sh/v3/syntax"
)

// langCmd is one command a RUN executes, in shell form (Sh != nil) or exec
// form (the JSON array), seen the same way: Args are the literal argv words
// from the real command on (wrappers such as sudo, env and python -m
// stripped), "" where a word is not literal.
type langCmd struct {
	In      *parser.Instruction
	Sh      *shellcmd.Command // nil in exec form
	Name    string            // base name of Args[0]
	Args    []string
	lit     []bool
	Assigns map[string]string // VAR=value prefixes (shell form)
	jsonOff int               // index of Args[0] in In.JSONArgs
	shOff   int               // index of Args[0] in Sh.Args
	// Opaque commands come from an `sh -c` string that does not map to the
	// file byte for byte: report them, never edit them (Sh's offsets are
	// offsets in the string).
	Opaque   bool
	opaqueAt int
}

// Shift drops the first n words (`php composer.phar install` → `composer.phar install`).
func (lc *langCmd) Shift(n int) *langCmd {
	c := *lc
	c.Args, c.lit = lc.Args[n:], lc.lit[n:]
	c.jsonOff += n
	c.shOff += n
	c.Name = path.Base(c.Args[0])
	return &c
}

// langCommands returns the commands of a RUN instruction in source order.
func langCommands(in *parser.Instruction) []*langCmd {
	if in.JSON && shellcmd.ExecScriptIndex(in) < 0 {
		if lc := langJSONCommand(in); lc != nil {
			return []*langCmd{lc}
		}
		return nil
	}
	// The list depends only on the instruction's scripts, which never
	// change, and a dozen passes ask for it (some for every earlier RUN):
	// compute it once per script. Callers only read it; Clip makes an
	// append by a caller copy rather than write past the shared length.
	if in.Script == nil {
		return langShellCommands(in)
	}
	return in.Script.Memo(langCmdsKey{}, func() any { return slices.Clip(langShellCommands(in)) }).([]*langCmd)
}

type langCmdsKey struct{}

// langShellCommands: the commands shellcmd maps to the file (also those of
// an exec-form ["sh", "-c", "…"] whose string does), then those of `sh -c`
// strings it cannot map, Opaque: rules report them, never edit them.
func langShellCommands(in *parser.Instruction) []*langCmd {
	var out []*langCmd
	for _, c := range shellcmd.Calls(in) {
		switch {
		case c.Cmd == nil:
			continue // exec form: langJSONCommand
		case c.Opaque:
			lc := langFromShell(in, c.Cmd)
			lc.Opaque, lc.opaqueAt = true, c.Start()
			out = append(out, lc)
		case !shellcmd.ShellC(c.Cmd): // an sh -c's own commands are Calls too
			out = append(out, langFromShell(in, c.Cmd))
		}
	}
	return out
}

func langFromShell(in *parser.Instruction, cmd *shellcmd.Command) *langCmd {
	lc := &langCmd{In: in, Sh: cmd, Name: cmd.Name, Assigns: cmd.Assigns}
	for i := range cmd.Args {
		v, ok := cmd.Arg(i)
		lc.Args = append(lc.Args, v)
		lc.lit = append(lc.lit, ok)
	}
	return lc
}

// langJSONCommand reads an exec-form RUN: ["pip", "install", "x"], also
// behind an absolute path, `python3 -m pip` and `env VAR=value`.
func langJSONCommand(in *parser.Instruction) *langCmd {
	args := in.JSONArgs
	lc := &langCmd{In: in, Assigns: map[string]string{}}
	i := 0
	for i < len(args) {
		name := path.Base(args[i].Value)
		switch {
		case name == "env":
			i++
			for i < len(args) && strings.Contains(args[i].Value, "=") && !strings.HasPrefix(args[i].Value, "-") {
				k, v, _ := strings.Cut(args[i].Value, "=")
				lc.Assigns[k] = v
				i++
			}
			continue
		case strings.HasPrefix(name, "python") && i+2 < len(args) && args[i+1].Value == "-m":
			i += 2
		}
		break
	}
	if i >= len(args) {
		return nil
	}
	lc.jsonOff = i
	lc.Name = path.Base(args[i].Value)
	for _, a := range args[i:] {
		lc.Args = append(lc.Args, a.Value)
		lc.lit = append(lc.lit, true)
	}
	return lc
}

// Arg returns Args[i] when it exists and is literal.
func (lc *langCmd) Arg(i int) (string, bool) {
	if i < 0 || i >= len(lc.Args) || !lc.lit[i] {
		return "", false
	}
	return lc.Args[i], true
}

// Start is the offset of the command in the Dockerfile.
func (lc *langCmd) Start() int {
	if lc.Opaque {
		return lc.opaqueAt
	}
	if lc.Sh == nil {
		return lc.In.JSONArgs[lc.jsonOff].Start
	}
	s, _ := lc.Sh.Span(lc.shOff)
	return s
}

// ArgStart is the offset of Args[i].
func (lc *langCmd) ArgStart(i int) int {
	if lc.Opaque {
		return lc.opaqueAt
	}
	if lc.Sh == nil {
		return lc.In.JSONArgs[lc.jsonOff+i].Start
	}
	s, _ := lc.Sh.Span(i + lc.shOff)
	return s
}

// Has reports whether an argument after Args[0] equals one of lits.
func (lc *langCmd) Has(lits ...string) bool {
	for i := 1; i < len(lc.Args); i++ {
		for _, l := range lits {
			if lc.lit[i] && lc.Args[i] == l {
				return true
			}
		}
	}
	return false
}

// HasPrefix reports whether an argument after Args[0] starts with one of ps.
func (lc *langCmd) HasPrefix(ps ...string) bool {
	for i := 1; i < len(lc.Args); i++ {
		for _, p := range ps {
			if lc.lit[i] && strings.HasPrefix(lc.Args[i], p) {
				return true
			}
		}
	}
	return false
}

// OptValue returns the value of option name (`--opt v` or `--opt=v`).
func (lc *langCmd) OptValue(names ...string) (string, bool) {
	for i := 1; i < len(lc.Args); i++ {
		for _, n := range names {
			if !lc.lit[i] {
				continue
			}
			if lc.Args[i] == n && i+1 < len(lc.Args) {
				return lc.Args[i+1], lc.lit[i+1]
			}
			if v, ok := strings.CutPrefix(lc.Args[i], n+"="); ok && strings.HasPrefix(n, "--") {
				return v, true
			}
		}
	}
	return "", false
}

// Verb returns lc's first word (options and their values left out) when it
// is one of verbs, "" otherwise.
func (lc *langCmd) Verb(valueOpts, verbs []string) string {
	if words, _ := lc.Words(valueOpts); len(words) > 0 && slices.Contains(verbs, words[0]) {
		return words[0]
	}
	return ""
}

// Runs reports whether lc's first words (options and their values left
// out) are words: `pnpm store prune`.
func (lc *langCmd) Runs(valueOpts []string, words ...string) bool {
	ws, _ := lc.Words(valueOpts)
	return len(ws) >= len(words) && slices.Equal(ws[:len(words)], words)
}

// Words returns the literal words after Args[0] that are not options (nor
// values of the options in valueOpts), up to the first non-literal word.
// Words()[0] is the subcommand; its index in Args is returned too.
func (lc *langCmd) Words(valueOpts []string) (words []string, idx []int) {
	for i := 1; i < len(lc.Args); i++ {
		a, ok := lc.Arg(i)
		if !ok {
			break
		}
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			if slices.Contains(valueOpts, a) {
				i++
			}
			continue
		}
		words = append(words, a)
		idx = append(idx, i)
	}
	return words, idx
}

// langVar is what the command lc sees in its environment under name: the
// stage model's scope (stagestate.Scope.Env) with the command's prefix.
func langVar(f *parser.File, lc *langCmd, name string) (string, bool) {
	return stagestate.Scope{File: f, In: lc.In}.Env(lc.Sh, lc.Assigns, name)
}

// langBoolish is how clap (uv) reads a boolean variable: true unless it is
// a false word. A value with a $reference counts as true (deliberate).
func langBoolish(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "n", "f", "off":
		return false
	}
	return true
}

// langRootImage follows FROM <stage> links to the image a stage starts from.
func langRootImage(st *parser.Stage) parser.ImageRef {
	for i := 0; st != nil && st.Base.StageRef != nil && i < 64; i++ {
		st = st.Base.StageRef
	}
	if st == nil {
		return parser.ImageRef{}
	}
	return st.Base
}

// langOfficial reports whether the stage starts from one of the Docker Hub
// images named (official "ruby" or an organisation image "continuumio/miniconda3").
func langOfficial(st *parser.Stage, names ...string) bool {
	ref := langRootImage(st)
	if ref.FromArg || (ref.Registry != "" && ref.Registry != "docker.io" && ref.Registry != "index.docker.io") {
		return false
	}
	repo := strings.TrimPrefix(ref.Repository, "library/")
	for _, n := range names {
		if strings.EqualFold(repo, n) {
			return true
		}
	}
	return false
}

// langShips reports whether the layers of stage st end up in the final
// image: st is the last stage or a stage the last one builds FROM.
func langShips(f *parser.File, st *parser.Stage) bool {
	if st == nil || len(f.Stages) == 0 {
		return true
	}
	for s := f.Stages[len(f.Stages)-1]; s != nil; s = s.Base.StageRef {
		if s == st {
			return true
		}
	}
	return false
}

// langNonRoot reports whether a USER instruction before in (in its stage or
// the stages it builds FROM) switched to a user other than root, so that
// HOME is not /root and a cache mount (owned by root) is not writable.
func langNonRoot(f *parser.File, in *parser.Instruction) bool {
	st, limit := in.Stage, in.Index
	for st != nil {
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			p := st.Instructions[i]
			if p.Index >= limit || p.Keyword != "user" {
				continue
			}
			args := p.Args()
			if len(args) == 0 {
				return false
			}
			u, _, _ := strings.Cut(args[0], ":")
			return u != "root" && u != "0"
		}
		st, limit = st.Base.StageRef, len(f.Instructions)
	}
	return false
}

// langLastInstall returns the last command that install names a
// subcommand of (its install subcommand, "" for other commands), with that
// subcommand, when no command after it satisfies isClean; nil when every
// install is followed by a cleanup in the same RUN (or there is none).
func langLastInstall(cmds []*langCmd, install func(*langCmd) string, isClean func(*langCmd) bool) (last *langCmd, sub string) {
	for _, lc := range cmds {
		switch {
		case install(lc) != "":
			last = lc
		case last != nil && isClean(lc):
			last = nil
		}
	}
	if last == nil {
		return nil, ""
	}
	return last, install(last)
}

// langAppend reports a finding whose fix runs cleanup after lc's statement
// in the same RUN (joined to its && chain). Where a cleanup cannot be
// chained (exec form, inside $(...), a quoted sh -c string that the text
// would break, a backgrounded statement) the finding is a Suggestion that
// says what to add.
func langAppend(c *rewrite.Context, r *rewrite.Rule, lc *langCmd, cleanup string, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	off := lc.Start()
	why := ""
	switch {
	case lc.Opaque:
		why = "the command is inside an sh -c string dockslim does not edit; append"
	case lc.Sh == nil:
		why = "exec-form RUN cannot chain a command; use shell form and append"
	case lc.Sh.InSubst:
		why = "the command runs inside $(...); append"
	case lc.Sh.Quoted && strings.ContainsAny(cleanup, "'\"$\\`"):
		why = "the command is inside a quoted sh -c string; append"
	default:
		if edits, ok := appendToChain(c.File, lc.Sh, cleanup); ok {
			c.Fixf(r, off, edits, "%s", msg)
			return
		}
		why = "the statement is backgrounded or ends in a heredoc; append"
	}
	c.Reportf(r, off, "%s (%s `&& %s` by hand)", msg, why, cleanup)
}

// langLastInstalls yields, RUN by RUN, langLastInstall of the RUN's
// commands: its last install that no cleanup follows, with the subcommand.
func langLastInstalls(f *parser.File, install func(*langCmd) string, isClean func(*langCmd) bool) iter.Seq2[*langCmd, string] {
	return func(yield func(*langCmd, string) bool) {
		for _, in := range langRunInstructions(f) {
			if last, sub := langLastInstall(langCommands(in), install, isClean); last != nil && !yield(last, sub) {
				return
			}
		}
	}
}

// langRunCommands yields every command of every RUN (langCommands).
func langRunCommands(f *parser.File) iter.Seq[*langCmd] {
	return func(yield func(*langCmd) bool) {
		for _, in := range langRunInstructions(f) {
			for _, lc := range langCommands(in) {
				if !yield(lc) {
					return
				}
			}
		}
	}
}

// langRunInstructions returns every RUN and ONBUILD RUN instruction.
func langRunInstructions(f *parser.File) []*parser.Instruction {
	var out []*parser.Instruction
	for _, in := range f.Instructions {
		if in.Is("run") {
			out = append(out, in)
		}
	}
	return out
}

// Raw is the source text of Args[i] as written (quotes and $references
// kept), for words that are not literal.
func (lc *langCmd) Raw(f *parser.File, i int) string {
	if i < 0 || i >= len(lc.Args) {
		return ""
	}
	if lc.Sh == nil {
		return lc.Args[i]
	}
	s, e := lc.Sh.Span(i + lc.shOff)
	if lc.Opaque {
		return lc.Sh.Script.Text[s:e]
	}
	return string(f.Src[s:e])
}

// langRmMentions reports whether lc is `rm` with an argument whose text
// contains one of the given fragments (a cleanup that is already there).
// langRmVar reports whether lc is an rm of "$NAME" or "$NAME/…" (the
// variable's value need not be known: `COMPOSER_HOME="$(mktemp -d)" … rm -rf
// "$COMPOSER_HOME"` removes whatever it names).
func langRmVar(lc *langCmd, name string) bool {
	if lc.Name != "rm" || lc.Sh == nil || lc.Opaque {
		return false
	}
	for i := lc.shOff + 1; i < len(lc.Sh.Args); i++ {
		parts := lc.Sh.Args[i].Parts
		if len(parts) == 1 {
			if dq, ok := parts[0].(*syntax.DblQuoted); ok {
				parts = dq.Parts
			}
		}
		if len(parts) == 0 {
			continue
		}
		if pe, ok := parts[0].(*syntax.ParamExp); ok && pe.Param != nil && pe.Param.Value == name && pe.Exp == nil && pe.Repl == nil && pe.Slice == nil {
			return true
		}
	}
	return false
}

func langRmMentions(f *parser.File, lc *langCmd, fragments ...string) bool {
	return langRmAny(f, lc, func(raw string) bool {
		for _, fr := range fragments {
			if fr != "" && strings.Contains(raw, fr) {
				return true
			}
		}
		return false
	})
}

// langRmAny reports whether lc is `rm` with an argument whose text (as
// written) satisfies match.
func langRmAny(f *parser.File, lc *langCmd, match func(raw string) bool) bool {
	if lc.Name != "rm" {
		return false
	}
	for i := 1; i < len(lc.Args); i++ {
		if match(lc.Raw(f, i)) {
			return true
		}
	}
	return false
}

// langFlag reports a finding whose fix inserts flag right after Args[i]
// (Suggestion for a command inside an sh -c string dockslim does not edit).
func langFlag(c *rewrite.Context, r *rewrite.Rule, lc *langCmd, i int, flag string, format string, args ...any) {
	if lc.Opaque {
		c.Reportf(r, lc.Start(), "%s (the command is inside an sh -c string dockslim does not edit; add %s by hand)", fmt.Sprintf(format, args...), flag)
		return
	}
	c.Fixf(r, lc.ArgStart(i), lc.FlagAfter(c.File, i, flag), format, args...)
}
