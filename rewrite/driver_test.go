package rewrite

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/textedit"
)

// Test-only rules, selected explicitly so real passes stay out of the way.
var (
	ruleBreaksFile  = &Rule{ID: "DS901", Name: "test-breaks-file", Applicability: Safe}
	ruleBreaksShell = &Rule{ID: "DS902", Name: "test-breaks-shell", Applicability: Safe}
	ruleUpper       = &Rule{ID: "DS903", Name: "test-upper", Applicability: Safe}
	ruleUpperToo    = &Rule{ID: "DS904", Name: "test-upper-too", Applicability: Safe}
	ruleNever       = &Rule{ID: "DS905", Name: "test-never-converges", Applicability: Safe}
	rulePanics      = &Rule{ID: "DS906", Name: "test-panics", Applicability: Safe}
	ruleUnsafe      = &Rule{ID: "DS907", Name: "test-unsafe", Applicability: Unsafe}
)

func init() {
	// Replaces "FROM" with "FROM --bogus-flag" → buildkit rejects it.
	Register(&Pass{Name: "test-breaks-file", Rules: []*Rule{ruleBreaksFile}, Run: func(c *Context) {
		in := c.File.Instructions[0]
		if !strings.Contains(in.Text(c.File), "--bogus") {
			c.Fixf(ruleBreaksFile, in.Start, []textedit.Edit{{Start: in.Start + 4, End: in.Start + 4, Text: " --bogus"}}, "break it")
		}
	}})
	// Appends an unbalanced quote to every RUN.
	Register(&Pass{Name: "test-breaks-shell", Rules: []*Rule{ruleBreaksShell}, Run: func(c *Context) {
		for _, in := range c.File.Instructions {
			if in.Is("run") && in.Script != nil && in.Script.Err == nil {
				c.Fixf(ruleBreaksShell, in.ArgsEnd, []textedit.Edit{{Start: in.ArgsEnd, End: in.ArgsEnd, Text: " '"}}, "unbalanced quote")
			}
		}
	}})
	// Two rules that both want to upper-case the same "run" keyword.
	upper := func(r *Rule) func(c *Context) {
		return func(c *Context) {
			for _, in := range c.File.Instructions {
				if t := in.Text(c.File); strings.HasPrefix(t, "run ") {
					c.Fixf(r, in.Start, []textedit.Edit{{Start: in.Start, End: in.Start + 3, Text: "RUN"}}, "upper-case")
				}
			}
		}
	}
	Register(&Pass{Name: "test-upper", Rules: []*Rule{ruleUpper}, Run: upper(ruleUpper)})
	Register(&Pass{Name: "test-upper-too", Rules: []*Rule{ruleUpperToo}, Run: upper(ruleUpperToo)})
	// Always appends one more "x": never converges.
	Register(&Pass{Name: "test-never", Rules: []*Rule{ruleNever}, Run: func(c *Context) {
		end := len(c.File.Src)
		c.Fixf(ruleNever, end, []textedit.Edit{{Start: end, End: end, Text: "# x\n"}}, "more")
	}})
	Register(&Pass{Name: "test-panics", Rules: []*Rule{rulePanics}, Run: func(c *Context) { panic("boom") }})
	Register(&Pass{Name: "test-unsafe", Rules: []*Rule{ruleUnsafe}, Run: func(c *Context) {
		for _, in := range c.File.Instructions {
			if in.Is("run") && !strings.Contains(in.Text(c.File), "# unsafe") {
				c.Fixf(ruleUnsafe, in.Start, []textedit.Edit{{Start: in.ArgsEnd, End: in.ArgsEnd, Text: " # unsafe"}}, "mark")
			}
		}
	}})
}

func only(ids ...string) Options { return Options{Selector: Selector{Select: ids}} }

func TestDropsFixThatBreaksTheFile(t *testing.T) {
	src := "FROM alpine\nRUN echo hi\n"
	res, err := Run("Dockerfile", []byte(src), only("DS901"))
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Output) != src || len(res.Dropped) != 1 || !strings.Contains(res.Dropped[0].Reason, "would not build") {
		t.Fatalf("want the fix dropped: output %q dropped %+v", res.Output, res.Dropped)
	}
}

func TestDropsFixThatBreaksShell(t *testing.T) {
	src := "FROM alpine\nRUN echo hi\n"
	res, err := Run("Dockerfile", []byte(src), only("DS902"))
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Output) != src || len(res.Dropped) != 1 || !strings.Contains(res.Dropped[0].Reason, "do not parse as shell") {
		t.Fatalf("want the fix dropped: output %q dropped %+v", res.Output, res.Dropped)
	}
}

func TestConflictingFixesApplyOnce(t *testing.T) {
	res, err := Run("Dockerfile", []byte("FROM alpine\nrun echo hi\n"), only("DS903", "DS904"))
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Output) != "FROM alpine\nRUN echo hi\n" || len(res.Applied) != 1 || res.Unstable {
		t.Fatalf("output %q applied %d unstable %v", res.Output, len(res.Applied), res.Unstable)
	}
}

func TestUnstableIsBounded(t *testing.T) {
	res, err := Run("Dockerfile", []byte("FROM alpine\n"), only("DS905"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Unstable || len(res.Applied) != maxRounds {
		t.Fatalf("unstable %v after %d fixes", res.Unstable, len(res.Applied))
	}
}

func TestPanickingPassIsContained(t *testing.T) {
	InternalErrors()
	res, err := Run("Dockerfile", []byte("FROM alpine\n"), only("DS906"))
	if err != nil || res.Changed() {
		t.Fatalf("err %v changed %v", err, res.Changed())
	}
	if errs := InternalErrors(); len(errs) != 1 || !strings.Contains(errs[0], "boom") {
		t.Fatalf("internal errors: %v", errs)
	}
}

func TestUnsafeNeedsTheFlag(t *testing.T) {
	src := "FROM alpine\nRUN echo hi\n"
	res, _ := Run("Dockerfile", []byte(src), only("DS907"))
	if res.Changed() || len(res.Pending) != 1 {
		t.Fatalf("without the flag: changed %v pending %d", res.Changed(), len(res.Pending))
	}
	o := only("DS907")
	o.UnsafeFixes = true
	res, _ = Run("Dockerfile", []byte(src), o)
	if string(res.Output) != "FROM alpine\nRUN echo hi # unsafe\n" || len(res.Pending) != 0 {
		t.Fatalf("with the flag: %q", res.Output)
	}
}

func TestSuppression(t *testing.T) {
	src := "FROM alpine\n# dockslim ignore=test-upper\nrun echo a\n# dockslim ignore\nrun echo b\nrun echo c\n"
	res, _ := Run("Dockerfile", []byte(src), only("DS903"))
	want := "FROM alpine\n# dockslim ignore=test-upper\nrun echo a\n# dockslim ignore\nrun echo b\nRUN echo c\n"
	if string(res.Output) != want {
		t.Fatalf("got %q", res.Output)
	}
}

func TestSelector(t *testing.T) {
	r := &Rule{ID: "DS123", Name: "some-rule"}
	cases := []struct {
		sel, ign []string
		want     bool
	}{
		{nil, nil, true},
		{[]string{"ALL"}, nil, true},
		{nil, []string{"ALL"}, false},
		{[]string{"DS1"}, nil, true},
		{[]string{"DS2"}, nil, false},
		{[]string{"DS123"}, []string{"DS1"}, true},
		{[]string{"DS1"}, []string{"DS123"}, false},
		{[]string{"some-rule"}, nil, true},
		{nil, []string{"some-rule"}, false},
		{[]string{"ds123"}, nil, true},
	}
	for _, c := range cases {
		if got := (Selector{Select: c.sel, Ignore: c.ign}).Enabled(r); got != c.want {
			t.Errorf("select %v ignore %v: got %v", c.sel, c.ign, got)
		}
	}
}

func TestParseErrorIsReturned(t *testing.T) {
	if _, err := Run("Dockerfile", []byte("FROM a\nENV PATH\n"), Options{}); err == nil || !strings.HasPrefix(err.Error(), "Dockerfile:2: ") {
		t.Fatalf("got %v", err)
	}
}
