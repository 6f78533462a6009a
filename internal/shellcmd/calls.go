package shellcmd

import (
	"path"
	"sort"

	"github.com/dockslim/dockslim/parser"
)

// Call is one command a RUN runs, seen the same way whatever the RUN's
// form: argv as literal values, from the shell tree (shell form, a heredoc,
// an exec-form `sh -c` string that maps to the file), from an `sh -c`
// string that does not map to the file (Opaque: read, never edited), or
// from the exec-form array itself (Cmd nil).
type Call struct {
	In   *parser.Instruction
	Cmd  *Command // nil for exec form
	Name string   // base name of the program: "apt-get", "pip"
	Lits []string // literal argument values; "" when not literal
	Lit  []bool
	// Opaque is set for a command inside an `sh -c` string whose bytes are
	// not the script's bytes (escapes, expansions): its offsets are
	// approximate, so it is reported, never edited.
	Opaque bool
}

// Start is the Dockerfile offset of the call's program word.
func (c *Call) Start() int {
	if c.Cmd == nil {
		return c.In.JSONArgs[0].Start
	}
	s, _ := c.Cmd.Span(0)
	return s
}

// Invoke reads the call with a tool's grammar.
func (c *Call) Invoke(t *Tool) *Invocation { return t.Parse(c.Lits, c.Lit) }

// Calls returns every command of a RUN (or CMD, ENTRYPOINT) in source order.
// Passes ask for each RUN again and again: the list is cached on the
// instruction's script and shared, so callers must not modify it.
func Calls(in *parser.Instruction) []*Call {
	if in.Script != nil {
		return in.Script.Memo(callsKey{}, func() any { return calls(in) }).([]*Call)
	}
	return calls(in)
}

type callsKey struct{}

func calls(in *parser.Instruction) []*Call {
	if in.JSON && ExecScriptIndex(in) < 0 {
		if len(in.JSONArgs) == 0 {
			return nil
		}
		c := &Call{In: in, Name: path.Base(in.JSONArgs[0].Value)}
		for _, a := range in.JSONArgs {
			c.Lits = append(c.Lits, a.Value)
			c.Lit = append(c.Lit, true)
		}
		return []*Call{c}
	}
	var out []*Call
	add := func(cmd *Command, opaque bool) {
		c := &Call{In: in, Cmd: cmd, Name: cmd.Name, Opaque: opaque}
		c.Lits, c.Lit = make([]string, len(cmd.Args)), make([]bool, len(cmd.Args))
		for i := range cmd.Args {
			c.Lits[i], c.Lit[i] = cmd.Arg(i)
		}
		out = append(out, c)
	}
	for _, cmd := range AllWithExec(in) {
		add(cmd, false)
	}
	for _, cmd := range Opaque(in) {
		add(cmd, true)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start() < out[j].Start() })
	return out
}
