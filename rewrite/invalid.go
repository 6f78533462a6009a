package rewrite

// RuleInvalid reports a Dockerfile that buildkit's instruction parser
// rejects. dockslim still reads it, but applies no fix that makes it worse.
var RuleInvalid = &Rule{
	ID:      "DS001",
	Name:    "invalid-dockerfile",
	Summary: "buildkit rejects this Dockerfile; it would not build",
	Explanation: `The file parses as a Dockerfile, but buildkit's instruction parser rejects it
(an unknown flag, a missing argument, no FROM...). docker build would fail on it.
dockslim reports it and applies no fix that would add such an error. Fix the
instruction named in the message by hand.`,
	Before:        "FROM alpine\nCOPY --user=app . /app",
	After:         "FROM alpine\nCOPY --chown=app . /app",
	Applicability: Suggestion,
	Severity:      Error,
}

// InvalidPass reports RuleInvalid.
var InvalidPass = &Pass{Name: "invalid", Rules: []*Rule{RuleInvalid}, Run: func(c *Context) {
	if e := c.File.Invalid; e != nil {
		off := 0
		if e.Line > 0 {
			off = c.File.LineStart(e.Line)
		}
		c.Reportf(RuleInvalid, off, "%s", e.Msg)
	}
}}
