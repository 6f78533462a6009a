package multistage

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/textedit"
)

// How the runtime stage gets what a C build installs: the DESTDIR tree the
// install already uses, the install prefix when it is the program's own
// and everything goes there, or else a DESTDIR the fix adds to the install
// command (make install DESTDIR=/out, DESTDIR=/out cmake --install ...),
// when the install honours it.

// nativeDest is the runtime stage's copy of the installed files.
type nativeDest struct {
	art      artifact
	what     string
	staging  []textedit.Edit // adds DESTDIR to the install command
	ldconfig bool            // the runtime stage refreshes the loader cache
}

// chooseDest picks how the runtime stage gets the installed files, or
// declines naming what is missing.
func (si *stageInfo) chooseDest(b *nativeBuild, fa installFacts, repo string) (*nativeDest, *decline) {
	in := b.install.in
	if strings.Contains(fa.prefix+fa.destdir, "$") {
		return nil, declinef(in.Start, "the install prefix uses a variable dockslim cannot follow")
	}
	if fa.destdir != "" {
		d := path.Clean(fa.destdir)
		if d == "/" {
			return nil, declinef(in.Start, "DESTDIR=/ installs into the system folders")
		}
		if fa.writes != nil && !fa.destdirOK {
			return nil, declinef(in.Start, "%s, so the files under DESTDIR %s are not all the install puts in place", fa.destdirWhy, d)
		}
		return &nativeDest{art: artifact{path: d + "/", dst: "/"}, what: "the files installed under DESTDIR " + d,
			ldconfig: fa.needsLdconfig(fa.prefix)}, nil
	}
	shared := sharedPrefix(fa.prefix, repo)
	if fa.prefix != "" && fa.prefixWhy == "" && !shared {
		pr := path.Clean(fa.prefix)
		return &nativeDest{art: artifact{path: pr, chown: "auto"}, what: fmt.Sprintf("the files installed in %s (%s)", pr, fa.prefixFrom),
			ldconfig: fa.needsLdconfig(pr)}, nil
	}
	why := fa.prefixWhy
	switch {
	case why == "" && fa.prefix == "":
		why = "no PREFIX, DESTDIR or configure --prefix says where make install puts files"
	case why == "" && shared:
		why = fmt.Sprintf("the install prefix %s is shared with the builder's own files", path.Clean(fa.prefix))
	}
	if !fa.destdirOK {
		return nil, declinef(in.Start, "%s, so dockslim cannot tell where the install puts files", fa.whyNot(why))
	}
	edits, stageWhy := si.stagingEdits(b)
	if stageWhy != "" {
		return nil, declinef(in.Start, "%s; staging the install with DESTDIR would not do: %s", why, stageWhy)
	}
	dir := si.stagingDir()
	for i := range edits {
		edits[i].Text = strings.ReplaceAll(edits[i].Text, "@DIR@", dir)
	}
	prefix := fa.prefix
	if fa.prefixWhy != "" {
		prefix = "" // not where everything goes
	}
	return &nativeDest{art: artifact{path: dir + "/", dst: "/"}, staging: edits,
		what:     fmt.Sprintf("the files the install stages under DESTDIR %s (%s)", dir, why),
		ldconfig: fa.needsLdconfig(prefix)}, nil
}

// whyNot joins why the prefix does not do (why) and why DESTDIR does not.
func (fa installFacts) whyNot(why string) string {
	switch {
	case why == fa.destdirWhy:
		return why
	case fa.writes != nil:
		// The same recipe line, outside the prefix and without DESTDIR.
		if x, y := fa.writes.outside(fa.prefix, true), fa.writes.noDestdir(); fa.prefix != "" && x != nil && y != nil && *x == *y {
			return fmt.Sprintf("%s writes %s, outside the prefix %s and without $(DESTDIR)", x.where, x.path, path.Clean(fa.prefix))
		}
	}
	return why + ", and " + fa.destdirWhy
}

// sharedPrefix reports whether an install prefix holds the builder's own
// files too: /, /usr and below (but /usr/local), and /usr/local on gcc,
// which installs itself there.
func sharedPrefix(prefix, repo string) bool {
	if prefix == "" {
		return false
	}
	pr := path.Clean(prefix)
	return pr == "/" || pr == "/usr" || strings.HasPrefix(pr, "/usr/") && pr != "/usr/local" || pr == "/usr/local" && repo == "gcc"
}

// needsLdconfig reports whether the runtime stage must refresh the loader
// cache after the copy: the install may put a shared library (a Makefile's
// recipe or a CMake project shows whether it does) where the loader looks
// (under /usr or /lib; prefix "" is unknown). A prefix of its own
// (/opt/app) is not in the loader's configuration, so ldconfig would
// change nothing.
func (fa installFacts) needsLdconfig(prefix string) bool {
	if fa.noLibs {
		return false
	}
	pr := path.Clean(prefix)
	return prefix == "" || pr == "/" || covers("/usr", pr) || covers("/lib", pr)
}

// afterInstall are the commands that may follow the install in its RUN
// when the install is staged: none of them looks for the installed files.
var afterInstall = []string{"rm", "ldconfig", "cd", "true", "echo", "apt-get", "apt", "ctest"}

// stagingEdits adds DESTDIR=@DIR@ to the install command; why says why it
// cannot (exec form, an earlier install into the system, a later command
// that uses the installed files).
func (si *stageInfo) stagingEdits(b *nativeBuild) ([]textedit.Edit, string) {
	c := b.install
	if c.sh == nil {
		return nil, fmt.Sprintf("the install at line %d is not a shell command dockslim can edit", c.in.StartLine)
	}
	if len(b.earlier) > 0 {
		e := b.earlier[0].install
		return nil, fmt.Sprintf("the RUN at line %d installs into the system first (%s), and those files would not reach the runtime stage", e.in.StartLine, firstWords([]command{*e}))
	}
	after := false
	for _, x := range views(c.in) {
		if x.sh == c.sh {
			after = true
			continue
		}
		if after && !slices.Contains(afterInstall, x.name()) {
			return nil, fmt.Sprintf("the RUN at line %d runs %s after the install, which would not find the files staged under DESTDIR", c.in.StartLine, x.name())
		}
	}
	if c.name() == "make" {
		return []textedit.Edit{{Start: c.sh.End(), End: c.sh.End(), Text: " DESTDIR=@DIR@"}}, ""
	}
	start, _ := c.sh.Span(0)
	return []textedit.Edit{{Start: start, End: start, Text: "DESTDIR=@DIR@ "}}, ""
}

// stagingDir is a folder for the staged install that the file does not
// mention yet.
func (si *stageInfo) stagingDir() string {
	for _, d := range []string{"/out", "/staging", "/destdir"} {
		if !strings.Contains(string(si.f.Src), d) {
			return d
		}
	}
	return "/tmp/dockslim-destdir"
}

// coverEarlier checks the installs before the program's (vendored
// libraries): the runtime stage gets their files only when its copy covers
// the prefix they went to; then the loader cache may need a refresh.
func (si *stageInfo) coverEarlier(b *nativeBuild, dest *nativeDest) *decline {
	for _, e := range b.earlier {
		fa := si.installFacts(&e)
		in := e.install.in
		what := fmt.Sprintf("the RUN at line %d installs with %s", in.StartLine, firstWords([]command{*e.install}))
		switch {
		case fa.destdir != "" && !covers(strings.TrimSuffix(dest.art.path, "/"), path.Clean(fa.destdir)):
			return declinef(in.Start, "%s under DESTDIR %s, which the runtime stage would not get", what, path.Clean(fa.destdir))
		case fa.destdir != "":
		case fa.prefix == "" || fa.prefixWhy != "":
			return declinef(in.Start, "%s where dockslim cannot tell (%s), and the program may need those files at run time", what, firstNonEmpty(fa.prefixWhy, "no prefix"))
		case dest.art.dst != "" || !covers(dest.art.path, path.Clean(fa.prefix)):
			return declinef(in.Start, "%s into %s, which the runtime stage would not get", what, path.Clean(fa.prefix))
		}
		dest.ldconfig = dest.ldconfig || fa.needsLdconfig(fa.prefix)
	}
	return nil
}
