package multistage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/gomod"
	"github.com/dockslim/dockslim/parser"
)

// A Go build whose cgo setting dockslim does not see (CGO_ENABLED unset, a
// C compiler in the builder) links the C library. It is provably cgo-free,
// and so can be built with CGO_ENABLED=0 for the static runtime, when:
//
//   - the build context has a go.mod, no Go file that go build compiles
//     imports "C" or a package of a module known to need cgo, and no
//     go.mod or go.sum names such a module (gomod.ScanCgo reads every Go
//     file of the context, a superset of what the stage copies);
//   - nothing else brings Go sources into the stage: no COPY --from, no ADD
//     of a URL or an archive, and every command its RUNs run before the
//     build is one that brings none (goBringsSources);
//   - the build asks for nothing that needs cgo (-race, -msan, -asan,
//     -linkshared, a -buildmode other than exe or pie, external linking,
//     gccgo) and CGO_ENABLED is not set to 1, GO111MODULE not to off.

// goCgoFree says why the stage's Go builds are not provably cgo-free (""
// when they are).
func (si *stageInfo) goCgoFree(builds []goBuild) string {
	if !si.hasContext() {
		return "the build context is not available, so dockslim cannot tell whether the program uses cgo"
	}
	last := builds[len(builds)-1].c.in
	if v, ok := si.env(last, nil, "GO111MODULE"); ok && v == "off" {
		return "GO111MODULE=off builds in GOPATH mode, from sources dockslim does not see"
	}
	for _, b := range builds {
		if v, ok := si.env(b.c.in, &b.c, "CGO_ENABLED"); ok && v != "0" {
			return fmt.Sprintf("the go build at line %d sets CGO_ENABLED=%s", b.c.in.StartLine, v)
		}
		if why := b.needsCgo(); why != "" {
			return fmt.Sprintf("the go build at line %d uses %s, which needs cgo", b.c.in.StartLine, why)
		}
	}
	for _, in := range si.st.Instructions[1:] {
		if in.Index > last.Index {
			break
		}
		if why := si.goSourcesOf(in); why != "" {
			return why
		}
	}
	scan := si.c.Options.Env.Memo(cgoScanKey{si.c.Options.ContextDir}, func() any {
		return gomod.ScanCgo(si.c.BuildContext)
	}).(gomod.CgoScan)
	return scan.Why
}

// cgoScanKey keys a context's cgo scan in the run's memo.
type cgoScanKey struct{ dir string }

// needsCgo names a flag of the build that needs cgo ("" when none does).
func (b goBuild) needsCgo() string {
	for _, f := range []string{"race", "msan", "asan", "linkshared"} {
		if v, ok := b.flags[f]; ok && v != "false" {
			return "-" + f
		}
	}
	if m, ok := b.flags["buildmode"]; ok && m != "exe" && m != "pie" && m != "default" {
		return "-buildmode=" + m
	}
	if c, ok := b.flags["compiler"]; ok && c != "gc" {
		return "-compiler=" + c
	}
	ld := b.flags["ldflags"]
	if strings.Contains(ld, "-linkmode") || strings.Contains(ld, "-extld") {
		return "external linking (-ldflags " + ld + ")"
	}
	return ""
}

// goSourcesOf says why an instruction of the build stage may bring Go
// sources dockslim cannot read ("" when it brings none or only files of
// the build context).
func (si *stageInfo) goSourcesOf(in *parser.Instruction) string {
	switch {
	case in.Is("copy") || in.Is("add"):
		if fl, ok := in.Flag("from"); ok {
			return fmt.Sprintf("%s --from=%s at line %d brings files dockslim cannot read", strings.ToUpper(in.Keyword), fl.Value, in.StartLine)
		}
		if in.Is("add") {
			args := in.Args()
			for _, a := range args[:max(len(args)-1, 0)] {
				if strings.Contains(a, "://") || strings.HasPrefix(a, "git@") || isArchive(a) {
					return fmt.Sprintf("ADD %s at line %d brings files dockslim cannot read", a, in.StartLine)
				}
			}
		}
	case in.Is("run"):
		cs, ok := commandsOf(in)
		if !ok {
			return fmt.Sprintf("the RUN at line %d does not parse as shell, so dockslim cannot tell what it brings", in.StartLine)
		}
		for _, c := range cs {
			if why := goBringsSources(c); why != "" {
				return fmt.Sprintf("the RUN at line %d %s", in.StartLine, why)
			}
		}
	}
	return ""
}

// isArchive reports whether ADD would unpack a local file.
func isArchive(name string) bool {
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// goQuietCommands bring no source files into a build stage: shell and
// file housekeeping, users, certificates.
var goQuietCommands = []string{"cd", "mkdir", "chmod", "chown", "cp", "mv", "ln", "rm", "touch", "echo", "printf",
	"true", "set", "export", "ls", "cat", "pwd", "test", "[", "which", "sleep", "useradd", "groupadd", "adduser",
	"addgroup", "update-ca-certificates"}

// goQuietVerbs are the go subcommands that bring no source.
var goQuietVerbs = []string{"mod", "vet", "test", "version", "env", "list", "get", "install", "clean", "build"}

// goBringsSources says why a command of the build stage may bring Go
// sources or C libraries cgo would link ("" when it cannot).
func goBringsSources(c command) string {
	name := c.name()
	switch {
	case name == "":
		return "runs a command dockslim cannot read"
	case slices.Contains(goQuietCommands, name):
		return ""
	case name == "go":
		if !slices.Contains(goQuietVerbs, c.arg(1)) {
			return "runs go " + c.arg(1) + ", which may write Go sources"
		}
		if c.arg(1) == "get" {
			for _, a := range c.argv[2:] {
				if m, ok := gomod.NeedsCgo(strings.Split(a, "@")[0]); ok {
					return "gets " + m + ", which needs cgo"
				}
			}
		}
		return ""
	case name == "git" && c.arg(1) == "config":
		return ""
	case name == "apt-get" || name == "apt" || name == "apk":
		for _, a := range c.argv[1:] {
			if isDev(a) {
				return "installs " + a + ", a C library the program may link through cgo"
			}
		}
		return ""
	}
	return "runs " + name + ", which may bring sources dockslim cannot read"
}
