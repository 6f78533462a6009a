// Package makefile reads the parts of a GNU Makefile that tell where
// `make install` puts files: variable assignments (=, :=, ::=, ?=, +=,
// override, the command line and the environment winning as make decides),
// included files, and each rule's prerequisites and recipe lines with their
// file and line. It does not run make: what it cannot know for sure (a
// conditional assignment, $(shell ...), a function, an include the context
// lacks) it reports as unknown, never guesses.
package makefile

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// File is a parsed Makefile with the files it includes.
type File struct {
	Name    string
	assigns []assign
	rules   []*Rule // every rule line, in order
	// incomplete says why the variables cannot be known ("" when they
	// can): an include the build context lacks, a `!=` assignment.
	incomplete string
}

// Rule is one target's rule: its prerequisites (as written) and recipe.
type Rule struct {
	Target  string
	Prereqs string
	Recipe  []Line
	File    string
	Line    int
	// Cond is set for a rule inside ifeq/ifdef: make may not see it.
	Cond bool
}

// Line is a recipe line (the leading tab removed) and where it is.
type Line struct {
	Text string
	File string
	Line int
}

// Where is "file:line".
func (l Line) Where() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

type assign struct {
	name, op, value string
	override, cond  bool
	file            string
	line            int
}

// Reader gives the text of a file a Makefile includes (a path relative to
// the folder make runs in); ok is false when there is none.
type Reader func(name string) (text []byte, ok bool)

// maxIncludeDepth bounds nested includes, maxFiles the files included.
const (
	maxIncludeDepth = 8
	maxFiles        = 64
)

// Parse reads a Makefile named name; read resolves its includes.
func Parse(name string, src []byte, read Reader) *File {
	f := &File{Name: name}
	p := &parseState{f: f, read: read}
	p.parse(name, string(src), 0)
	return f
}

type parseState struct {
	f     *File
	read  Reader
	files int   // files parsed so far
	cond  int   // depth of ifeq/ifdef blocks
	rule  *Rule // the rule whose recipe follows
}

// logicalLine is a line with its backslash-newline continuations.
type logicalLine struct {
	text string
	line int
}

// logicalLines joins continuation lines; recipe lines keep their
// backslash-newlines (the shell reads them), other lines get a space.
func logicalLines(src string) []logicalLine {
	raw := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var out []logicalLine
	for i := 0; i < len(raw); i++ {
		start := i
		text := raw[i]
		recipe := strings.HasPrefix(text, "\t")
		for strings.HasSuffix(text, `\`) && !strings.HasSuffix(text, `\\`) && i+1 < len(raw) {
			i++
			if recipe {
				text += "\n" + raw[i]
			} else {
				text = strings.TrimSuffix(text, `\`) + " " + strings.TrimLeft(raw[i], " \t")
			}
		}
		out = append(out, logicalLine{text: text, line: start + 1})
	}
	return out
}

func (p *parseState) parse(name, src string, depth int) {
	lines := logicalLines(src)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l.text, "\t") && p.rule != nil {
			p.rule.Recipe = append(p.rule.Recipe, Line{Text: l.text[1:], File: name, Line: l.line})
			continue
		}
		text := strings.TrimSpace(stripComment(l.text))
		if text == "" {
			continue
		}
		word, rest, _ := strings.Cut(text, " ")
		switch word {
		case "ifeq", "ifneq", "ifdef", "ifndef":
			p.cond++
			continue
		case "else":
			continue
		case "endif":
			p.cond = max(p.cond-1, 0)
			continue
		case "define":
			i = p.define(name, strings.TrimSpace(rest), lines, i)
			continue
		case "include", "-include", "sinclude":
			p.rule = nil
			p.include(name, strings.TrimSpace(rest), word != "include", depth)
			continue
		case "export", "unexport", "vpath":
			if !strings.Contains(rest, "=") {
				continue
			}
			text = strings.TrimSpace(rest)
		}
		p.statement(name, text, l.line)
	}
}

// stripComment removes a # comment (not one escaped as \#).
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] != '\\') {
			return s[:i]
		}
	}
	return s
}

// statement reads an assignment or a rule line.
func (p *parseState) statement(name, text string, line int) {
	override := false
	if rest, ok := strings.CutPrefix(text, "override "); ok {
		override, text = true, strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(text, "export "); ok {
		text = strings.TrimSpace(rest)
	}
	if v, op, value, ok := splitAssign(text); ok {
		p.rule = nil
		if op == "!=" {
			p.f.incomplete = fmt.Sprintf("%s:%d sets %s from a shell command", name, line, v)
		}
		p.f.assigns = append(p.f.assigns, assign{name: v, op: op, value: value, override: override,
			cond: p.cond > 0, file: name, line: line})
		return
	}
	targets, prereqs, ok := strings.Cut(text, ":")
	if !ok {
		p.rule = nil
		return
	}
	prereqs = strings.TrimPrefix(prereqs, ":") // double-colon rule
	if v, _, _, ok := splitAssign(strings.TrimSpace(prereqs)); ok {
		// A target-specific variable: its value differs per target,
		// so it is not known for the whole file.
		p.f.assigns = append(p.f.assigns, assign{name: v, op: "=", cond: true, file: name, line: line})
		p.rule = nil
		return
	}
	recipe := ""
	prereqs, recipe, hasRecipe := strings.Cut(prereqs, ";")
	r := &Rule{Target: strings.TrimSpace(targets), Prereqs: strings.TrimSpace(prereqs), File: name, Line: line, Cond: p.cond > 0}
	if hasRecipe && strings.TrimSpace(recipe) != "" {
		r.Recipe = append(r.Recipe, Line{Text: strings.TrimSpace(recipe), File: name, Line: line})
	}
	p.f.rules = append(p.f.rules, r)
	p.rule = r
}

// splitAssign splits "NAME op value" (op one of = := ::= ?= += !=), when the
// text is an assignment: the first operator comes before any lone ':'.
func splitAssign(text string) (name, op, value string, ok bool) {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '$':
			i = skipRef(text, i)
		case '=':
			op = "="
			if i > 0 && strings.ContainsRune("?+!:", rune(text[i-1])) {
				op = text[i-1:i] + "="
				if op == ":=" && i > 1 && text[i-2] == ':' {
					op = "::="
				}
			}
			name = strings.TrimSpace(text[:i+1-len(op)])
			if name == "" || strings.ContainsAny(name, " \t:") {
				return "", "", "", false
			}
			return name, op, strings.TrimSpace(text[i+1:]), true
		case ':':
			if i+1 < len(text) && (text[i+1] == '=' || text[i+1] == ':') {
				continue
			}
			return "", "", "", false
		}
	}
	return "", "", "", false
}

// skipRef returns the index of the last byte of the reference at s[i]
// ('$'): its closing parenthesis, len(s) when there is none.
func skipRef(s string, i int) int {
	if i+1 >= len(s) || s[i+1] != '(' && s[i+1] != '{' {
		return i + 1
	}
	open, close := s[i+1], byte(')')
	if open == '{' {
		close = '}'
	}
	depth := 0
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s)
}

// define reads a define ... endef block starting at lines[i] and returns
// the index of its endef line.
func (p *parseState) define(name, header string, lines []logicalLine, i int) int {
	v, op, _, ok := splitAssign(header + " ")
	if !ok {
		v, op = strings.TrimSpace(header), "="
	}
	var body []string
	j := i + 1
	for ; j < len(lines) && strings.TrimSpace(lines[j].text) != "endef"; j++ {
		body = append(body, lines[j].text)
	}
	p.f.assigns = append(p.f.assigns, assign{name: v, op: op, value: strings.Join(body, "\n"),
		cond: p.cond > 0, file: name, line: lines[i].line})
	p.rule = nil
	return j
}

// include parses the files an include line names.
func (p *parseState) include(from, names string, optional bool, depth int) {
	expanded, err := p.f.state(Env{}, len(p.f.assigns)).Expand(names, nil)
	if err != nil {
		if !optional {
			p.f.incomplete = fmt.Sprintf("%s includes %s, which dockslim cannot resolve", from, names)
		}
		return
	}
	for _, n := range strings.Fields(expanded) {
		src, found := []byte(nil), false
		if p.read != nil && depth < maxIncludeDepth && p.files < maxFiles {
			p.files++
			src, found = p.read(path.Clean(n))
		}
		switch {
		case found:
			p.parse(n, string(src), depth+1)
		case !optional:
			p.f.incomplete = fmt.Sprintf("%s includes %s, which the build context does not have", from, n)
		}
	}
}

// Names lists the variables the file assigns, in order, once each.
func (f *File) Names() []string {
	var out []string
	for _, a := range f.assigns {
		if !slices.Contains(out, a.name) {
			out = append(out, a.name)
		}
	}
	return out
}

// Incomplete says why the file's variables cannot be known ("" when they can).
func (f *File) Incomplete() string { return f.incomplete }

// Rule returns the rule for target as make sees it under v, or nil: the
// prerequisites of every rule line for it and the last recipe given.
// Targets written with variables ($(BINDIR)/app) are expanded with the
// final values (make expands them as it reads; a variable changed after
// the rule is not followed).
func (f *File) Rule(target string, v *Vars) *Rule {
	var lines []*Rule
	for _, r := range f.rules {
		targets := r.Target
		if strings.Contains(targets, "$") {
			t, err := v.Expand(targets, nil)
			if err != nil {
				continue
			}
			targets = t
		}
		if slices.Contains(strings.Fields(targets), target) {
			lines = append(lines, r)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	out := *lines[0]
	out.Target = target
	var prereqs []string
	for _, r := range lines {
		prereqs = append(prereqs, r.Prereqs)
		if len(r.Recipe) > 0 {
			out.Recipe, out.File, out.Line = r.Recipe, r.File, r.Line
		}
		out.Cond = out.Cond || r.Cond
	}
	out.Prereqs = strings.TrimSpace(strings.Join(prereqs, " "))
	return &out
}

// Step is a recipe line make would run, expanded.
type Step struct {
	Line
	// Command is the expanded text, without the @ - + prefixes.
	Command string
	// Target is the rule's target ($@).
	Target string
}

// Steps returns the recipe lines make runs for target, expanded under v:
// first those of the prerequisites that follow selects (and theirs), then
// the target's own. err says why they cannot be known: no rule, a rule
// inside a conditional, a value dockslim cannot know.
func (f *File) Steps(target string, v *Vars, follow func(prereq string) bool) ([]Step, error) {
	var out []Step
	seen := map[string]bool{}
	var walk func(t string, depth int) error
	walk = func(t string, depth int) error {
		if seen[t] || depth > maxIncludeDepth {
			return nil
		}
		seen[t] = true
		r := f.Rule(t, v)
		if r == nil {
			return fmt.Errorf("%s has no rule for %s", f.Name, t)
		}
		if r.Cond {
			return fmt.Errorf("%s:%d defines %s inside a condition (ifeq/ifdef)", r.File, r.Line, t)
		}
		prereqs, err := v.Expand(r.Prereqs, nil)
		if err != nil {
			return err
		}
		words := strings.Fields(prereqs)
		for _, p := range words {
			if p != "|" && follow(p) {
				if err := walk(p, depth+1); err != nil {
					return err
				}
			}
		}
		auto := map[string]string{"@": t, "^": strings.Join(words, " "), "+": strings.Join(words, " "), "<": "", "*": "", "?": ""}
		if len(words) > 0 {
			auto["<"] = words[0]
		}
		for _, l := range r.Recipe {
			text, err := v.Expand(l.Text, auto)
			if err != nil {
				return fmt.Errorf("%s: %w", l.Where(), err)
			}
			out = append(out, Step{Line: l, Command: strings.TrimLeft(strings.TrimSpace(text), "@-+ \t"), Target: t})
		}
		return nil
	}
	if f.incomplete != "" {
		return nil, fmt.Errorf("%s", f.incomplete)
	}
	err := walk(target, 0)
	return out, err
}
