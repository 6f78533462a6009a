package parser

import (
	"slices"
	"strings"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Mounts returns the --mount flags of a RUN (or ONBUILD RUN), as buildkit
// reads them.
func (in *Instruction) Mounts() []*bkinstructions.Mount {
	if !in.Is("run") {
		return nil
	}
	if !in.mountsRead { // passes ask often; buildkit's parse is not free
		in.mounts, in.mountsRead = in.readMounts(), true
	}
	return in.mounts
}

func (in *Instruction) readMounts() []*bkinstructions.Mount {
	n := in.Node
	if in.Sub != "" && n.Next != nil && len(n.Next.Children) > 0 {
		n = n.Next.Children[0]
	}
	v, err := bkinstructions.ParseInstruction(n)
	if err != nil {
		return nil
	}
	rc, ok := v.(*bkinstructions.RunCommand)
	if !ok {
		return nil
	}
	// Mount fields are only read with an expander; variables stay as written.
	if rc.Expand(func(w string) (string, error) { return w, nil }) != nil {
		return nil
	}
	return bkinstructions.GetMounts(rc)
}

// CacheMountTargets returns the targets of the RUN's cache mounts.
func (in *Instruction) CacheMountTargets() []string {
	var out []string
	for _, m := range in.Mounts() {
		if m.Type == bkinstructions.MountTypeCache {
			out = append(out, m.Target)
		}
	}
	return out
}

// EnvPairs returns the key/value pairs an ENV instruction sets. The result
// is cached on the instruction and shared: callers must not modify it.
func (in *Instruction) EnvPairs() [][2]string {
	if in.Keyword != "env" {
		return nil
	}
	// Passes look variables up by walking back over the instructions
	// (EnvBefore), so this is asked for again and again; the node never
	// changes, and a File is used by one goroutine at a time.
	if !in.envRead {
		in.env, in.envRead = in.readEnvPairs(), true
	}
	return in.env
}

func (in *Instruction) readEnvPairs() [][2]string {
	var out [][2]string
	// buildkit keeps each pair as three nodes: name, value, separator
	// ("=", or "" for the legacy `ENV name value` form).
	for k := in.Node.Next; k != nil && k.Next != nil; k = k.Next.Next.Next {
		out = append(out, [2]string{k.Value, unquote(k.Next.Value)})
	}
	return out
}

// ArgDefs returns the names and defaults an ARG declares. The result is
// cached on the instruction (see EnvPairs) and shared: callers must not
// modify it.
func (in *Instruction) ArgDefs() (names []string, defaults map[string]*string) {
	if in.Keyword != "arg" {
		return nil, nil
	}
	if !in.argsRead {
		in.argNames, in.argDefaults = in.readArgDefs()
		in.argsRead = true
	}
	return in.argNames, in.argDefaults
}

func (in *Instruction) readArgDefs() (names []string, defaults map[string]*string) {
	defaults = map[string]*string{}
	for a := in.Node.Next; a != nil; a = a.Next {
		k, v, ok := strings.Cut(a.Value, "=")
		names = append(names, k)
		if ok {
			v = unquote(v)
			defaults[k] = &v
		} else {
			defaults[k] = nil
		}
	}
	return names, defaults
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// EnvBefore reports whether the variable name is set (by ENV, or declared by
// ARG) for the instruction in, looking at earlier instructions of its stage
// and of the stages it builds FROM. For ARG it reports the default, if any.
func (f *File) EnvBefore(in *Instruction, name string) (value string, ok bool) {
	st := in.Stage
	limit := in.Index
	for st != nil {
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			p := st.Instructions[i]
			if p.Index >= limit {
				continue
			}
			for _, kv := range p.EnvPairs() {
				if kv[0] == name {
					return kv[1], true
				}
			}
			if _, defs := p.ArgDefs(); defs != nil {
				if d, found := defs[name]; found {
					if d == nil {
						return "", true
					}
					return *d, true
				}
			}
		}
		if st.Base.StageRef == nil {
			break
		}
		st = st.Base.StageRef
		limit = len(f.Instructions)
	}
	return "", false
}

// MetaArg returns the default of a global ARG (declared before the first
// FROM), expanded as the builder expands it: with the global ARGs declared
// before it (`ARG BASE=python` then `ARG IMG=${BASE}:3.11` gives
// python:3.11). A default that uses an ARG without a known default (set
// only by --build-arg) is returned as written.
func (f *File) MetaArg(name string) (value *string, ok bool) {
	return f.metaArgBefore(name, len(f.Instructions), 0)
}

// ExpandMeta expands the global ARGs in word as a FROM line sees them;
// false when word uses one without a known default, or does not expand.
func (f *File) ExpandMeta(word string) (string, bool) {
	return f.expandMeta(word, len(f.Instructions), 0)
}

// metaArgBefore is MetaArg as seen at the k-th name of instruction index
// before: the last declaration of name ahead of that point.
func (f *File) metaArgBefore(name string, before, k int) (value *string, ok bool) {
	var at *Instruction
	atK := 0
	for _, in := range f.MetaArgs {
		names, defs := in.ArgDefs()
		for i, n := range names {
			if n == name && (in.Index < before || in.Index == before && i < k) {
				value, ok, at, atK = defs[n], true, in, i
			}
		}
	}
	if value == nil || !strings.Contains(*value, "$") {
		return value, ok
	}
	if v, expanded := f.expandMeta(*value, at.Index, atK); expanded {
		return &v, true
	}
	return value, true
}

// expandMeta expands word with the global ARGs declared before name k of
// instruction index before.
func (f *File) expandMeta(word string, before, k int) (string, bool) {
	if !strings.Contains(word, "$") {
		return word, true
	}
	env := metaEnv{f: f, before: before, k: k}
	res, err := bkshell.NewLex(rune(f.Escape)).ProcessWordWithMatches(word, env)
	if err != nil || len(res.Unmatched) > 0 {
		return "", false
	}
	return res.Result, true
}

// metaEnv is the global ARGs with a known default, as seen at a point of
// the header, for buildkit's word expansion.
type metaEnv struct {
	f         *File
	before, k int
}

func (e metaEnv) Get(name string) (string, bool) {
	v, ok := e.f.metaArgBefore(name, e.before, e.k)
	if !ok || v == nil || strings.Contains(*v, "$") {
		return "", false
	}
	return *v, true
}

func (e metaEnv) Keys() []string {
	var out []string
	for _, in := range e.f.MetaArgs {
		names, _ := in.ArgDefs()
		for _, n := range names {
			if _, ok := e.Get(n); ok && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}
