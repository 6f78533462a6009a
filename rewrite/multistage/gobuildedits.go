package multistage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
)

// stripFlags are the linker flags that drop the symbol table (-s) and the
// DWARF debug information (-w) from a Go binary: a third or so of its size.
var stripFlags = []string{"-s", "-w"}

// cgoOffEdit makes a build run with CGO_ENABLED=0, a prefix of its
// command; why is set when dockslim cannot add one there (exec form, an
// `sh -c` string, behind a wrapper such as nice or timeout that would run
// the assignment as a program).
func (si *stageInfo) cgoOffEdit(b goBuild) (e textedit.Edit, why string) {
	sh := b.c.sh
	if sh == nil || sh.Quoted {
		return e, fmt.Sprintf("the go build at line %d is in exec form or an sh -c string, where dockslim does not add CGO_ENABLED=0", b.c.in.StartLine)
	}
	for _, w := range sh.Wrappers {
		if w != "env" {
			return e, fmt.Sprintf("the go build at line %d runs behind %s, where dockslim does not add CGO_ENABLED=0", b.c.in.StartLine, w)
		}
	}
	start, _ := sh.Span(0)
	return textedit.Edit{Start: start, End: start, Text: "CGO_ENABLED=0 "}, ""
}

// stripEdits add -trimpath and -ldflags="-s -w" to a build, merged into
// its own -ldflags value when it has one ("-X main.v=1" → "-s -w -X
// main.v=1"), never twice, and not over GOFLAGS that set them. A value
// dockslim cannot extend safely (a per-package pattern, text with
// expansions outside quotes) is left alone, and so is a command in exec
// form or an `sh -c` string.
func (si *stageInfo) stripEdits(b goBuild) []textedit.Edit {
	sh := b.c.sh
	if sh == nil || sh.Quoted || len(sh.Args) < 2 {
		return nil
	}
	goflags, _ := si.env(b.c.in, &b.c, "GOFLAGS")
	var add []string
	if _, ok := b.flags["trimpath"]; !ok && !strings.Contains(goflags, "-trimpath") {
		add = append(add, "-trimpath")
	}
	var edits []textedit.Edit
	switch {
	case b.ldflags >= 0:
		if e, ok := si.mergeLdflags(b); ok {
			edits = append(edits, e)
		}
	case !strings.Contains(goflags, "-ldflags"):
		add = append(add, `-ldflags="`+strings.Join(stripFlags, " ")+`"`)
	}
	if len(add) > 0 {
		_, at := sh.Span(1) // after "build"
		edits = append(edits, textedit.Edit{Start: at, End: at, Text: " " + strings.Join(add, " ")})
	}
	return edits
}

// mergeLdflags puts the strip flags the build's -ldflags value lacks at
// its front; ok is false when there is nothing to add or dockslim cannot
// add them safely.
func (si *stageInfo) mergeLdflags(b goBuild) (textedit.Edit, bool) {
	sh := b.c.sh
	start, end := sh.Span(b.ldflags)
	if b.ldflagsEq {
		start += strings.Index(string(si.f.Src[start:end]), "=") + 1
	} else if b.ldflags+1 < len(sh.Args) {
		start, end = sh.Span(b.ldflags + 1)
	} else {
		return textedit.Edit{}, false
	}
	raw := string(si.f.Src[start:end])
	missing := missingStrip(raw)
	if len(missing) == 0 || raw == "" {
		return textedit.Edit{}, false
	}
	text := strings.Join(missing, " ")
	switch raw[0] {
	case '"', '\'':
		return textedit.Edit{Start: start + 1, End: start + 1, Text: text + " "}, true
	}
	if strings.ContainsAny(raw, "\"'$\\`") {
		return textedit.Edit{}, false
	}
	return textedit.Edit{Start: start, End: end, Text: `"` + text + " " + raw + `"`}, true
}

// missingStrip lists the strip flags an -ldflags value (as written) lacks;
// nil when it has both, or when it starts with a package pattern
// (all=-s), which dockslim leaves alone.
func missingStrip(raw string) []string {
	fields := strings.Fields(strings.NewReplacer(`"`, " ", "'", " ").Replace(raw))
	if len(fields) > 0 && !strings.HasPrefix(fields[0], "-") && strings.Contains(fields[0], "=") {
		return nil
	}
	var out []string
	for _, f := range stripFlags {
		if !slices.ContainsFunc(fields, func(x string) bool {
			x = "-" + strings.TrimLeft(x, "-")
			return x == f || x == f+"=true" || x == f+"=1"
		}) {
			out = append(out, f)
		}
	}
	return out
}
