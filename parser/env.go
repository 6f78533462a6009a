package parser

import (
	"strings"

	bkinstructions "github.com/moby/buildkit/frontend/dockerfile/instructions"
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

// MetaArg returns the default of a global ARG (declared before the first FROM).
func (f *File) MetaArg(name string) (value *string, ok bool) {
	for _, in := range f.MetaArgs {
		if _, defs := in.ArgDefs(); defs != nil {
			if d, found := defs[name]; found {
				value, ok = d, true
			}
		}
	}
	return value, ok
}
