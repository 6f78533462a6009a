package rewrite

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/internal/textedit"
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
	ruleStep1       = &Rule{ID: "DS908", Name: "test-step1", Applicability: Safe}
	ruleStep2       = &Rule{ID: "DS909", Name: "test-step2", Applicability: Safe}
	ruleTail        = &Rule{ID: "DS910", Name: "test-tail", Applicability: Suggestion}
	ruleTransient   = &Rule{ID: "DS911", Name: "test-transient", Applicability: Suggestion}
	ruleAlways      = &Rule{ID: "DS912", Name: "test-always", Applicability: Suggestion}
)

// testEngine runs the test-only passes (and InvalidPass).
var testEngine = func() *Engine {
	e, err := NewEngine(testPasses()...)
	if err != nil {
		panic(err)
	}
	return e
}()

func testPasses() []*Pass {
	passes := []*Pass{InvalidPass}
	register := func(p *Pass) { passes = append(passes, p) }
	// Replaces "FROM" with "FROM --bogus-flag" → buildkit rejects it.
	register(&Pass{Name: "test-breaks-file", Rules: []*Rule{ruleBreaksFile}, Run: func(c *Context) {
		in := c.File.Instructions[0]
		if !strings.Contains(in.Text(c.File), "--bogus") {
			c.Fixf(ruleBreaksFile, in.Start, []textedit.Edit{{Start: in.Start + 4, End: in.Start + 4, Text: " --bogus"}}, "break it")
		}
	}})
	// Appends an unbalanced quote to every RUN.
	register(&Pass{Name: "test-breaks-shell", Rules: []*Rule{ruleBreaksShell}, Run: func(c *Context) {
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
	register(&Pass{Name: "test-upper", Rules: []*Rule{ruleUpper}, Run: upper(ruleUpper)})
	register(&Pass{Name: "test-upper-too", Rules: []*Rule{ruleUpperToo}, Run: upper(ruleUpperToo)})
	// Always appends one more "x": never converges.
	register(&Pass{Name: "test-never", Rules: []*Rule{ruleNever}, Run: func(c *Context) {
		end := len(c.File.Src)
		c.Fixf(ruleNever, end, []textedit.Edit{{Start: end, End: end, Text: "# x\n"}}, "more")
	}})
	// A chain over three rounds: DS908 turns "RUN step1" into two RUNs,
	// the second "RUN step2"; DS909 then appends " && finish" to it; DS910
	// then declines something on "RUN tail", citing the step's line. DS911
	// reports "RUN step2" only while it has no " && finish" (round 1), DS912
	// reports the FROM every round.
	register(&Pass{Name: "test-steps", Rules: []*Rule{ruleStep1, ruleStep2, ruleTail, ruleTransient, ruleAlways}, Run: func(c *Context) {
		c.Reportf(ruleAlways, c.File.Instructions[0].Start, "always")
		step := 0
		for _, in := range c.File.Instructions {
			switch t := string(c.File.Src[in.Start:in.ArgsEnd]); {
			case t == "RUN step1":
				c.Fixf(ruleStep1, in.Start, []textedit.Edit{{Start: in.Start, End: in.ArgsEnd, Text: "RUN echo prep\nRUN step2"}}, "split step1")
			case t == "RUN step2":
				c.Reportf(ruleTransient, in.ArgsStart, "step2 at line %d not done", in.StartLine)
				c.Fixf(ruleStep2, in.ArgsStart, []textedit.Edit{{Start: in.ArgsEnd, End: in.ArgsEnd, Text: " && finish"}}, "finish step2")
			case t == "RUN step2 && finish":
				step = in.StartLine
			case t == "RUN tail" && step > 0:
				c.Reportf(ruleTail, in.Start, "tail runs after the step at line %d (not `line %d`)", step, step)
			}
		}
	}})
	// Panics on a file that says "boom".
	register(&Pass{Name: "test-panics", Rules: []*Rule{rulePanics}, Run: func(c *Context) {
		if strings.Contains(string(c.File.Src), "boom") {
			panic("boom")
		}
	}})
	register(&Pass{Name: "test-unsafe", Rules: []*Rule{ruleUnsafe}, Run: func(c *Context) {
		for _, in := range c.File.Instructions {
			if in.Is("run") && !strings.Contains(in.Text(c.File), "# unsafe") {
				c.Fixf(ruleUnsafe, in.Start, []textedit.Edit{{Start: in.ArgsEnd, End: in.ArgsEnd, Text: " # unsafe"}}, "mark")
			}
		}
	}})
	return passes
}

func only(ids ...string) Options { return Options{Selector: Selector{Select: ids}} }

// TestDropsBrokenFixes: a fix whose result does not build (DS901) or whose
// RUN no longer parses as shell (DS902) is dropped with the reason.
func TestDropsBrokenFixes(t *testing.T) {
	const src = "FROM alpine\nRUN echo hi\n"
	for rule, reason := range map[string]string{"DS901": "would not build", "DS902": "do not parse as shell"} {
		res, err := testEngine.Run("Dockerfile", []byte(src), only(rule))
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Output) != src || len(res.Dropped) != 1 || !strings.Contains(res.Dropped[0].Reason, reason) {
			t.Fatalf("%s: want the fix dropped: output %q dropped %+v", rule, res.Output, res.Dropped)
		}
	}
}

func TestConflictingFixesApplyOnce(t *testing.T) {
	res, err := testEngine.Run("Dockerfile", []byte("FROM alpine\nrun echo hi\n"), only("DS903", "DS904"))
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Output) != "FROM alpine\nRUN echo hi\n" || len(res.Applied) != 1 || res.Unstable {
		t.Fatalf("output %q applied %d unstable %v", res.Output, len(res.Applied), res.Unstable)
	}
}

func TestUnstableIsBounded(t *testing.T) {
	res, err := testEngine.Run("Dockerfile", []byte("FROM alpine\n"), only("DS905"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Unstable || len(res.Applied) != maxRounds {
		t.Fatalf("unstable %v after %d fixes", res.Unstable, len(res.Applied))
	}
}

// A pass that panics on one file loses its findings on that file, and its
// error is in that file's Result only.
func TestPanickingPassIsContained(t *testing.T) {
	res, err := testEngine.Run("Dockerfile", []byte("FROM alpine\n# boom\n"), only("DS906"))
	if err != nil || res.Changed() {
		t.Fatalf("err %v changed %v", err, res.Changed())
	}
	if errs := res.InternalErrors; len(errs) != 1 || errs[0] != "pass test-panics: boom" {
		t.Fatalf("internal errors: %q", errs)
	}
	other, err := testEngine.Run("Dockerfile", []byte("FROM alpine\n"), only("DS906"))
	if err != nil || len(other.InternalErrors) != 0 {
		t.Fatalf("another file: err %v internal errors %q", err, other.InternalErrors)
	}
	f := parsertest.Load(t, "FROM alpine\n# boom\n")
	if a := testEngine.Analyze(f, only("DS906")); len(a.InternalErrors) != 1 || len(a.Findings) != 0 {
		t.Fatalf("Analyze: %+v", a)
	}
}

func TestUnsafeNeedsTheFlag(t *testing.T) {
	src := "FROM alpine\nRUN echo hi\n"
	res, _ := testEngine.Run("Dockerfile", []byte(src), only("DS907"))
	if res.Changed() || len(res.Pending) != 1 {
		t.Fatalf("without the flag: changed %v pending %d", res.Changed(), len(res.Pending))
	}
	o := only("DS907")
	o.UnsafeFixes = true
	res, _ = testEngine.Run("Dockerfile", []byte(src), o)
	if string(res.Output) != "FROM alpine\nRUN echo hi # unsafe\n" || len(res.Pending) != 0 {
		t.Fatalf("with the flag: %q", res.Output)
	}
}

// TestUnsafeRules: UnsafeRules limits the unsafe fixes to those rules';
// the others are pending, the safe fixes apply as usual.
func TestUnsafeRules(t *testing.T) {
	src := "FROM alpine\nrun echo hi\n"
	o := only("DS907", "DS903")
	o.UnsafeFixes, o.UnsafeRules = true, []string{"DS999"}
	res, _ := testEngine.Run("Dockerfile", []byte(src), o)
	if string(res.Output) != "FROM alpine\nRUN echo hi\n" || len(res.Pending) != 1 || res.Pending[0].Rule != ruleUnsafe {
		t.Fatalf("DS907 left out: %q, pending %v", res.Output, res.Pending)
	}
	o.UnsafeRules = []string{"DS907"}
	res, _ = testEngine.Run("Dockerfile", []byte(src), o)
	if string(res.Output) != "FROM alpine\nRUN echo hi # unsafe\n" || len(res.Pending) != 0 {
		t.Fatalf("DS907 chosen: %q, pending %v", res.Output, res.Pending)
	}
}

func TestSuppression(t *testing.T) {
	src := "FROM alpine\n# dockslim ignore=test-upper\nrun echo a\n# dockslim ignore\nrun echo b\nrun echo c\n"
	res, _ := testEngine.Run("Dockerfile", []byte(src), only("DS903"))
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
	if _, err := testEngine.Run("Dockerfile", []byte("FROM a\nENV PATH\n"), Options{}); err == nil || !strings.HasPrefix(err.Error(), "Dockerfile:2: ") {
		t.Fatalf("got %v", err)
	}
}

func TestLaterRoundFindingsOnInput(t *testing.T) {
	src := "FROM alpine\n\nRUN step1\nRUN tail\n"
	res, err := testEngine.Run("Dockerfile", []byte(src), only("DS908", "DS909", "DS910", "DS911", "DS912"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "FROM alpine\n\nRUN echo prep\nRUN step2 && finish\nRUN tail\n"; string(res.Output) != want {
		t.Fatalf("output %q", res.Output)
	}
	var got []string
	for _, fd := range res.Findings {
		got = append(got, fmt.Sprintf("r%d %s", fd.Round, fd))
	}
	want := []string{
		"r0 1:1: DS912 always", // every round, listed once
		"r0 3:1: DS908 split step1",
		// Round 1, at "step2" in text DS908 inserted: where it was inserted.
		"r1 3:1: DS909 finish step2",
		// Round 2, on round 2's line 5; the line it cites is round 2's 4.
		"r2 4:1: DS910 tail runs after the step at line 3 (not `line 4`)",
		// DS911 reported round 1's text only: neither input nor output has it.
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = nil
	for _, fd := range res.Applied {
		got = append(got, fmt.Sprintf("r%d %s", fd.Round, fd))
	}
	want = []string{"r0 3:1: DS908 split step1", "r1 3:1: DS909 finish step2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("applied:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMapLineRefs(t *testing.T) {
	to := func(n int) int { return n * 10 }
	cases := map[string]string{
		"the RUN at line 3 does x":         "the RUN at line 30 does x",
		"move lines 2, 3 and 4 above":      "move lines 20, 30 and 40 above",
		"Line 2: pip install":              "Line 20: pip install",
		"`echo line 2` at line 2":          "`echo line 2` at line 20",
		"line 99 is past the end, line 2x": "line 99 is past the end, line 2x",
		"pipeline 2, lines 1,2":            "pipeline 2, lines 10,2",
		"baseline 3; line 5.":              "baseline 3; line 50.",
	}
	for in, want := range cases {
		if got := mapLineRefs(in, 9, to); got != want {
			t.Errorf("mapLineRefs(%q) = %q, want %q", in, got, want)
		}
	}
}
