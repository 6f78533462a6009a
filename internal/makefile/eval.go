package makefile

import (
	"fmt"
	"path"
	"strings"
)

// Env is what make gets from outside the Makefile.
type Env struct {
	// CommandLine are the NAME=value words of make's command line: they
	// win over the Makefile's assignments (except `override`).
	CommandLine map[string]string
	// Environ are the environment variables make sees: they win over
	// `?=` only.
	Environ map[string]string
}

type origin int

const (
	fromDefault origin = iota
	fromEnviron
	fromFile
	fromCommandLine
	fromOverride
)

type value struct {
	text    string
	simple  bool   // already expanded (:=, the environment, the command line)
	unknown string // why the value cannot be known
	origin  origin
	where   string // the file:line of its assignment
}

// Vars are a File's variables as make sees them when it runs recipes.
type Vars struct {
	vars map[string]*value
}

// defaults are GNU make's built-in variables that install recipes use.
var defaults = [][2]string{{"MAKE", "make"}, {"RM", "rm -f"}, {"CC", "cc"}, {"CXX", "g++"}, {"AR", "ar"},
	{"SHELL", "/bin/sh"}, {"MAKEFLAGS", ""}}

// Vars evaluates every assignment of the file in order under env.
func (f *File) Vars(env Env) *Vars { return f.state(env, len(f.assigns)) }

// state evaluates the first n assignments.
func (f *File) state(env Env, n int) *Vars {
	v := &Vars{vars: map[string]*value{}}
	for _, d := range defaults {
		v.vars[d[0]] = &value{text: d[1], simple: true, origin: fromDefault}
	}
	for k, x := range env.Environ {
		if k != "SHELL" {
			v.vars[k] = &value{text: x, simple: true, origin: fromEnviron}
		}
	}
	for k, x := range env.CommandLine {
		v.vars[k] = &value{text: x, simple: true, origin: fromCommandLine}
	}
	for _, a := range f.assigns[:n] {
		v.assign(a)
	}
	return v
}

func (v *Vars) assign(a assign) {
	old := v.vars[a.name]
	if old != nil && old.origin == fromCommandLine && !a.override {
		return
	}
	nv := &value{text: a.value, origin: fromFile, where: fmt.Sprintf("%s:%d", a.file, a.line)}
	if a.override {
		nv.origin = fromOverride
	}
	switch {
	case a.cond:
		nv.unknown = fmt.Sprintf("%s:%d sets %s under a condition (ifeq/ifdef) or for one target", a.file, a.line, a.name)
	case a.op == "?=" && old != nil && old.origin != fromDefault:
		return
	case a.op == "?=" && old != nil:
		return // a built-in value (CC ?= gcc keeps cc)
	case a.op == ":=" || a.op == "::=":
		nv.simple = true
		nv.text, nv.unknown = v.expandWhy(a.value, nil)
	case a.op == "+=" && old != nil:
		nv = &value{text: old.text + " " + a.value, simple: old.simple, unknown: old.unknown, origin: old.origin, where: nv.where}
		if old.simple {
			x, why := v.expandWhy(a.value, nil)
			nv.text, nv.unknown = old.text+" "+x, firstOf(old.unknown, why)
		}
	case a.op == "!=":
		nv.unknown = fmt.Sprintf("%s:%d sets %s from a shell command", a.file, a.line, a.name)
	}
	v.vars[a.name] = nv
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Value returns a variable's expanded value ("" when undefined, as in
// make); err says why it cannot be known.
func (v *Vars) Value(name string) (string, error) {
	return v.Expand("$("+name+")", nil)
}

// Origin says where a variable's value comes from: "Makefile:3", "the
// command line", "the environment" ("" when undefined).
func (v *Vars) Origin(name string) string {
	x := v.vars[name]
	switch {
	case x == nil || x.origin == fromDefault:
		return ""
	case x.origin == fromCommandLine:
		return "the command line"
	case x.origin == fromEnviron:
		return "the environment"
	}
	return x.where
}

// Defined reports whether a variable has a value from the Makefile, the
// command line or the environment.
func (v *Vars) Defined(name string) bool {
	x := v.vars[name]
	return x != nil && x.origin != fromDefault
}

// Expand expands text as make expands a recipe line; auto gives the
// automatic variables ($@, $<, $^, $*), nil when there are none.
func (v *Vars) Expand(text string, auto map[string]string) (string, error) {
	s, why := v.expandWhy(text, auto)
	if why != "" {
		return "", fmt.Errorf("%s", why)
	}
	return s, nil
}

// maxDepth bounds recursive expansion (a variable that refers to itself).
const maxDepth = 32

func (v *Vars) expandWhy(text string, auto map[string]string) (string, string) {
	e := &expander{v: v, auto: auto}
	s := e.expand(text, 0)
	return s, e.why
}

type expander struct {
	v    *Vars
	auto map[string]string
	why  string
	busy map[string]bool // the variables being expanded
	n    int             // lookups so far (a bound on pathological files)
}

// maxLookups bounds the variable lookups of one expansion.
const maxLookups = 100000

func (e *expander) fail(format string, args ...any) string {
	if e.why == "" {
		e.why = fmt.Sprintf(format, args...)
	}
	return ""
}

func (e *expander) expand(s string, depth int) string {
	if depth > maxDepth {
		return e.fail("variables nest too deep")
	}
	if e.why != "" {
		return "" // already unknown: the rest does not matter
	}
	if !strings.Contains(s, "$") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			sb.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case '$':
			sb.WriteByte('$')
			i++
		case '(', '{':
			j := skipRef(s, i)
			if j >= len(s) {
				return e.fail("an unterminated $%c", c)
			}
			sb.WriteString(e.ref(s[i+2:j], depth))
			i = j
		default:
			sb.WriteString(e.lookup(string(c), depth))
			i++
		}
	}
	return sb.String()
}

// ref expands the inside of $(...): a function call, a substitution
// reference or a variable.
func (e *expander) ref(inner string, depth int) string {
	if fn, args, ok := strings.Cut(inner, " "); ok && !strings.Contains(fn, "$") {
		return e.call(fn, args, depth)
	}
	name := e.expand(inner, depth+1)
	if v, subst, ok := strings.Cut(name, ":"); ok {
		from, to, ok := strings.Cut(subst, "=")
		if !ok || strings.Contains(from, "%") {
			return e.fail("$(%s) is a substitution dockslim does not follow", inner)
		}
		words := strings.Fields(e.lookup(v, depth))
		for i, w := range words {
			if s, ok := strings.CutSuffix(w, from); ok {
				words[i] = s + to
			}
		}
		return strings.Join(words, " ")
	}
	return e.lookup(name, depth)
}

// lookup expands a variable by name.
func (e *expander) lookup(name string, depth int) string {
	if e.n++; e.n > maxLookups {
		return e.fail("the variables expand too much")
	}
	switch {
	case len(name) == 2 && strings.ContainsRune("DF", rune(name[1])) && strings.ContainsRune("@<^*", rune(name[0])):
		x := e.lookup(name[:1], depth)
		if name[1] == 'D' {
			return path.Dir(x)
		}
		return path.Base(x)
	case len(name) == 1 && strings.ContainsRune("@<^*?+|%", rune(name[0])):
		x, ok := e.auto[name]
		if !ok {
			return e.fail("$%s has no value here", name)
		}
		return x
	}
	x := e.v.vars[name]
	switch {
	case x == nil:
		return ""
	case x.unknown != "":
		return e.fail("%s", x.unknown)
	case x.simple:
		return x.text
	case e.busy[name]:
		return e.fail("%s refers to itself", name)
	}
	if e.busy == nil {
		e.busy = map[string]bool{}
	}
	e.busy[name] = true
	defer delete(e.busy, name)
	return e.expand(x.text, depth+1)
}

// call expands the functions whose result dockslim can know; the others
// ($(shell), $(foreach), ...) make the text unknown.
func (e *expander) call(fn, args string, depth int) string {
	switch fn {
	case "strip", "notdir", "dir", "addprefix", "addsuffix", "subst", "firstword", "wildcard":
	default:
		return e.fail("$(%s ...) is a function dockslim does not evaluate", fn)
	}
	parts := strings.SplitN(args, ",", 3)
	for i := range parts {
		parts[i] = e.expand(parts[i], depth+1)
	}
	words := strings.Fields(parts[len(parts)-1])
	mapWords := func(f func(string) string) string {
		for i, w := range words {
			words[i] = f(w)
		}
		return strings.Join(words, " ")
	}
	switch {
	case fn == "strip":
		return strings.Join(words, " ")
	case fn == "notdir":
		return mapWords(path.Base)
	case fn == "dir":
		return mapWords(func(w string) string { return path.Dir(w) + "/" })
	case fn == "firstword" && len(words) > 0:
		return words[0]
	case fn == "firstword":
		return ""
	case fn == "wildcard":
		// The files a relative pattern matches are in the tree: an
		// operand the install reads, never a destination outside it.
		return mapWords(func(w string) string {
			if strings.HasPrefix(w, "/") {
				return e.fail("$(wildcard %s) depends on the image's files", w)
			}
			return w
		})
	case len(parts) < 2:
		return e.fail("$(%s) lacks arguments", fn)
	case fn == "addprefix":
		return mapWords(func(w string) string { return parts[0] + w })
	case fn == "addsuffix":
		return mapWords(func(w string) string { return w + parts[0] })
	case len(parts) < 3:
		return e.fail("$(subst) lacks arguments")
	}
	return strings.ReplaceAll(parts[2], parts[0], parts[1])
}
