package multistage

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// goRuntime picks the runtime stage's image for the plan's Go builds: for
// a static binary (CGO_ENABLED=0 set, an Alpine builder without a C
// compiler, or a build provably cgo-free, which then gets CGO_ENABLED=0),
// distroless static, built stripped; otherwise the builder's release with
// the runtime libraries of the -dev packages the build installed.
func (si *stageInfo) goRuntime(p *plan, builds []goBuild) *decline {
	alpine := isAlpineTag(si.tag())
	fallback, fallbackWhy := si.goFallback()
	static, d := si.goStatic(builds, alpine)
	if d != nil {
		return d
	}
	var notes []string
	if !static {
		why := si.goMakeStatic(p, builds)
		static = why == ""
		if static {
			notes = append(notes, `the build gets CGO_ENABLED=0: no Go file of the build context imports "C" and no module it requires needs cgo`)
		} else {
			notes = append(notes, "cgo stays on: "+why)
		}
	}
	nonrootWhy := ""
	if static {
		n := len(p.builderEdits)
		for _, b := range builds {
			p.builderEdits = append(p.builderEdits, si.stripEdits(b)...)
		}
		if len(p.builderEdits) > n {
			notes = append(notes, `-trimpath -ldflags="-s -w" leave file paths, symbols and debug information out of the binary`)
		}
		p.runtime, nonrootWhy = si.staticRuntime(p)
		p.fallback = fallback
	} else {
		if fallback == nil {
			return declinef(si.st.From.Start, "cgo is on (CGO_ENABLED is not 0), so the binary links the builder's C library, and %s", fallbackWhy)
		}
		p.runtime = *fallback
	}
	p.describe = func(rt runtimeImage) string {
		out := notes
		switch {
		case rt.ref == distrolessNonroot.ref:
			out = append(out, "it runs as the image's nonroot user (65532)")
		case rt.family == "distroless" && nonrootWhy != "":
			out = append(out, "it runs as root, not :nonroot: "+nonrootWhy)
		}
		return strings.Join(out, "; ")
	}
	if !static && fallback.family == images.Alpine {
		// cgo links musl and what the build installed: the runtime
		// installs what the binaries need by soname.
		if d := si.alpineRuntime(p, *fallback, p.build, p.artifactPaths()); d != nil {
			return d
		}
	}
	if fallback != nil && fallback.family == images.Debian {
		return si.goDebianRuntime(p, *fallback, static)
	}
	return nil
}

// goMakeStatic gives every build of a provably cgo-free stage
// CGO_ENABLED=0; why says why it does not (and then edits nothing).
func (si *stageInfo) goMakeStatic(p *plan, builds []goBuild) (why string) {
	if why := si.goCgoFree(builds); why != "" {
		return why
	}
	var edits []textedit.Edit
	for _, b := range builds {
		if v, ok := si.env(b.c.in, &b.c, "CGO_ENABLED"); ok && v == "0" {
			continue
		}
		e, why := si.cgoOffEdit(b)
		if why != "" {
			return why
		}
		edits = append(edits, e)
	}
	p.builderEdits = append(p.builderEdits, edits...)
	return ""
}

// distrolessNonroot is distroless static's :nonroot variant: the same
// files, with USER 65532 (nonroot) and WORKDIR /home/nonroot.
var distrolessNonroot = runtimeImage{ref: "gcr.io/distroless/static-debian12:nonroot", family: "distroless"}

// nonrootPaths are where the nonroot user may write (or that are not files
// of the image at all); an absolute path elsewhere that the image's
// settings name may be one the program writes, and root owns it.
var nonrootPaths = []string{"/tmp", "/home/nonroot", "/dev", "/proc", "/sys", "/etc/ssl", "/usr/share/zoneinfo"}

// staticRuntime picks the runtime of a static Go binary: distroless
// static's :nonroot variant, unless the stage sets its own USER (kept, on
// the plain image) or something it declares shows that running as an
// unprivileged user could fail (why says what; the plain image, which runs
// as root like the original, then).
func (si *stageInfo) staticRuntime(p *plan) (rt runtimeImage, why string) {
	if si.last("user") != nil {
		return distrolessStatic, ""
	}
	for _, in := range si.st.Instructions {
		if why := si.nonrootBlocker(in, p); why != "" {
			return distrolessStatic, why
		}
	}
	return distrolessNonroot, ""
}

// nonrootBlocker says why an instruction could fail when the image runs as
// the nonroot user: a privileged port, a volume (created owned by root), a
// path it names outside nonrootPaths.
func (si *stageInfo) nonrootBlocker(in *parser.Instruction, p *plan) string {
	at := fmt.Sprintf("%s at line %d", strings.ToUpper(in.Keyword), in.StartLine)
	switch in.Keyword {
	case "expose":
		for _, a := range in.Args() {
			v, _ := si.expand(in, a)
			first, _, _ := strings.Cut(strings.SplitN(v, "/", 2)[0], "-")
			port, err := strconv.Atoi(first)
			if err != nil {
				return fmt.Sprintf("%s exposes %s, a port dockslim cannot read, and the nonroot user cannot bind ports below 1024", at, a)
			}
			if port < 1024 {
				return fmt.Sprintf("%s exposes port %d, which the nonroot user cannot bind", at, port)
			}
		}
	case "volume":
		return at + " declares a volume, which is created owned by root"
	case "env":
		for _, kv := range in.EnvPairs() {
			if kv[0] == "PATH" || strings.HasPrefix(kv[0], "GO") || strings.HasPrefix(kv[0], "CGO_") {
				continue // the toolchain's settings
			}
			if pth := rootPath(kv[1], p); pth != "" {
				return fmt.Sprintf("%s sets %s to %s, which the nonroot user may not be able to write", at, kv[0], pth)
			}
		}
	case "cmd", "entrypoint", "healthcheck":
		if in != si.last(in.Keyword) {
			return ""
		}
		argvs, _, _ := programsOf(in)
		for _, argv := range argvs {
			for _, a := range argv[min(1, len(argv)):] {
				if pth := rootPath(a, p); pth != "" {
					return fmt.Sprintf("%s names %s, which the nonroot user may not be able to write", at, pth)
				}
			}
		}
	}
	return ""
}

// rootPath returns the first absolute path in s ("--db=/data/x.db",
// "sqlite:/data/x") that is neither under nonrootPaths nor a file the
// runtime stage copies, or "".
func rootPath(s string, p *plan) string {
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" \t=:,;", r) }) {
		if !strings.HasPrefix(tok, "/") || strings.HasPrefix(tok, "//") || tok == "/" {
			continue
		}
		safe := false
		for _, d := range nonrootPaths {
			safe = safe || covers(d, tok)
		}
		for _, a := range p.artifacts {
			safe = safe || covers(a.path, tok)
		}
		if !safe {
			return tok
		}
	}
	return ""
}
