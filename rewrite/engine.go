package rewrite

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Engine is a rule catalogue: an ordered list of passes and the rules they
// report. It holds no state of a run; one Engine serves any number of files
// at once. rewrite/all builds dockslim's (all.New); tests build their own.
type Engine struct {
	passes []*Pass
	rules  []*Rule // by id
	byID   map[string]*Rule
	// partBytes is the least size of a part of a large file (see
	// runParts): 0 the default, negative never.
	partBytes int
}

// NewEngine makes an engine of passes, run in the order given. Pass names,
// rule ids and rule names must be unique (names case-insensitively); a
// collision is an error, never a panic.
func NewEngine(passes ...*Pass) (*Engine, error) {
	e := &Engine{passes: append([]*Pass(nil), passes...), byID: map[string]*Rule{}}
	var errs []error
	passNames := map[string]bool{}
	ruleNames := map[string]string{} // lower-case name → id
	for _, p := range passes {
		if p == nil || p.Run == nil {
			errs = append(errs, fmt.Errorf("rewrite: pass %v has no Run", p))
			continue
		}
		if passNames[p.Name] {
			errs = append(errs, fmt.Errorf("rewrite: pass %q listed twice", p.Name))
		}
		passNames[p.Name] = true
		for _, r := range p.Rules {
			if prev, dup := e.byID[r.ID]; dup {
				if prev != r {
					errs = append(errs, fmt.Errorf("rewrite: rule id %s used by two rules (%s, %s)", r.ID, prev.Name, r.Name))
				} else {
					errs = append(errs, fmt.Errorf("rewrite: rule %s is in two passes", r.ID))
				}
				continue
			}
			if id, dup := ruleNames[strings.ToLower(r.Name)]; dup {
				errs = append(errs, fmt.Errorf("rewrite: rule name %q used by %s and %s", r.Name, id, r.ID))
			}
			ruleNames[strings.ToLower(r.Name)] = r.ID
			e.byID[r.ID] = r
			e.rules = append(e.rules, r)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(e.rules, func(i, j int) bool { return e.rules[i].ID < e.rules[j].ID })
	return e, nil
}

// Passes returns the engine's passes, in the order they run.
func (e *Engine) Passes() []*Pass { return append([]*Pass(nil), e.passes...) }

// Rules returns every rule of the engine, by id.
func (e *Engine) Rules() []*Rule { return append([]*Rule(nil), e.rules...) }

// LookupRule finds a rule by id or name (case-insensitive).
func (e *Engine) LookupRule(idOrName string) *Rule {
	if r, ok := e.byID[strings.ToUpper(idOrName)]; ok {
		return r
	}
	for _, r := range e.rules {
		if strings.EqualFold(r.Name, idOrName) {
			return r
		}
	}
	return nil
}

// UnknownSelectors returns the entries that match no rule of the engine.
func (e *Engine) UnknownSelectors(xs []string) []string {
	var bad []string
	for _, x := range xs {
		found := false
		for _, r := range e.rules {
			if match(x, r) > 0 {
				found = true
				break
			}
		}
		if !found {
			bad = append(bad, x)
		}
	}
	return bad
}
