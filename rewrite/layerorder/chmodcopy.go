package layerorder

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleCopyChmod is DS420.
var RuleCopyChmod = &rewrite.Rule{
	ID:      "DS420",
	Name:    "copy-chmod",
	Summary: "a RUN chmod of the file the COPY before it copied stores the file twice; copy it with --chmod",
	Explanation: `A RUN that only changes the mode of a file makes a layer holding a second,
whole copy of that file (layers store files, not mode changes), and it runs
again whenever the file changes. COPY --chmod sets the mode in the copy
itself: one layer, one step.

dockslim merges the two when the RUN comes right after the COPY and is only
"chmod MODE FILE", FILE being where the COPY put its one source, a regular
file of the build context. An octal MODE is used as it is; a symbolic one
(+x, u+x,go+r) is applied to the source file's mode as the context has it
(RUN's umask is 022), so the copy gets the mode the RUN gave it.

The fix is unsafe: COPY --chmod needs BuildKit (Docker 23+ builds with it by
default), buildah or podman; Docker's legacy builder rejects it. And
dockslim cannot see the base image: were FILE a folder there, COPY would
write into it and chmod change the folder (well-known folders such as
/usr/local/bin are left alone).`,
	Before: `COPY entrypoint.sh /usr/local/bin/entrypoint
RUN chmod 755 /usr/local/bin/entrypoint`,
	After:         `COPY --chmod=755 entrypoint.sh /usr/local/bin/entrypoint`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
}

// CopyChmodPass is the layerorder-chmod pass.
var CopyChmodPass = &rewrite.Pass{Name: "layerorder-chmod", Rules: []*rewrite.Rule{RuleCopyChmod}, Run: runCopyChmod}

// knownDirs are folders of every Debian-like base image: a COPY to one of
// them without a trailing slash writes into it.
var knownDirs = []string{"/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin",
	"/usr/local/sbin", "/usr/local/lib", "/usr/lib", "/lib", "/etc", "/opt", "/srv", "/tmp", "/var", "/home", "/root"}

func runCopyChmod(c *rewrite.Context) {
	for _, st := range c.File.Stages {
		for i := 1; i < len(st.Instructions); i++ {
			cp, run := st.Instructions[i-1], st.Instructions[i]
			if !cp.Is("copy") || cp.Sub != "" || !run.Is("run") || run.Sub != "" {
				continue
			}
			src, dest, mode, ok := chmodAfterCopy(cp, run)
			if !ok || ignores(run, RuleCopyChmod) {
				continue
			}
			mergeChmod(c, st, cp, run, src, dest, mode)
		}
	}
}

// chmodAfterCopy matches `COPY SRC DEST` (no --from, --chmod, --link, one
// literal source) followed by a RUN that is only `chmod MODE DEST`.
func chmodAfterCopy(cp, run *parser.Instruction) (src, dest, mode string, ok bool) {
	for _, f := range cp.Flags {
		if f.Name != "chown" {
			return "", "", "", false
		}
	}
	args := cp.Args()
	if len(args) != 2 || len(cp.Heredocs) > 0 || len(run.Flags) > 0 || run.JSON || len(run.Heredocs) > 0 {
		return "", "", "", false
	}
	src, dest = unquote(args[0], cp.JSON), unquote(args[1], cp.JSON)
	if strings.ContainsAny(src+dest, "$*?[\\") || strings.Contains(src, "://") {
		return "", "", "", false
	}
	if strings.HasSuffix(dest, "/") {
		dest = path.Join(dest, path.Base(src))
	}
	calls := shellcmd.Calls(run)
	if len(calls) != 1 || calls[0].Name != "chmod" || len(calls[0].Lits) != 3 || slices.Contains(calls[0].Lit, false) {
		return "", "", "", false
	}
	mode, target := calls[0].Lits[1], calls[0].Lits[2]
	if strings.HasPrefix(mode, "-") || path.Clean(target) != path.Clean(dest) {
		return "", "", "", false
	}
	return src, path.Clean(dest), mode, true
}

// unquote drops the quotes buildkit keeps in shell-form arguments.
func unquote(s string, json bool) string {
	if !json && len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// mergeChmod proposes COPY --chmod in place of the RUN, or says why not.
func mergeChmod(c *rewrite.Context, st *parser.Stage, cp, run *parser.Instruction, src, dest, mode string) {
	if slices.Contains(knownDirs, dest) || workdirBefore(st, cp, dest) {
		return // a folder: chmod changes the folder, not the file
	}
	decline := func(why string, args ...any) {
		c.Reportf(RuleCopyChmod, run.Start, "RUN chmod at line %d stores a second copy of %s; not merged into the COPY: "+why,
			append([]any{run.StartLine, dest}, args...)...)
	}
	if c.BuildContext == nil {
		decline("without the build context dockslim cannot tell that %s is a file, nor its mode", src)
		return
	}
	p, ok := rewrite.ContextPath(src)
	var info fs.FileInfo
	var err error
	if ok {
		info, err = fs.Stat(c.BuildContext, p)
	}
	switch {
	case ok && err == nil && info.IsDir():
		return // chmod of the folder alone: no copy of its files
	case !ok || err != nil || !info.Mode().IsRegular():
		decline("%s is not a regular file of the build context", src)
		return
	}
	octal, ok := chmodResult(uint32(info.Mode().Perm()), mode)
	if !ok {
		decline("dockslim reads octal modes and symbolic ones made of u, g, o, a, +, -, = and r, w, x, not %q", mode)
		return
	}
	start := run.Start
	if len(run.Comments) > 0 {
		start = run.Comments[0].Start
	}
	edits := []textedit.Edit{{Start: cp.ArgsStart, End: cp.ArgsStart, Text: "--chmod=" + octal + " "}, {Start: start, End: run.End}}
	c.Fixf(RuleCopyChmod, run.Start, edits,
		"RUN chmod at line %d stores a second copy of %s (%s) in a layer of its own and runs again whenever it changes; COPY --chmod=%s sets the mode in the copy (needs BuildKit, buildah or podman)",
		run.StartLine, dest, sizeText(info.Size()), octal)
}

// workdirBefore reports whether a WORKDIR before in (in its stage) makes
// dest a folder.
func workdirBefore(st *parser.Stage, in *parser.Instruction, dest string) bool {
	for _, x := range st.Instructions {
		if x.Index >= in.Index {
			break
		}
		if x.Is("workdir") && len(x.Args()) == 1 && path.Clean(x.Args()[0]) == dest {
			return true
		}
	}
	return false
}

// chmodResult is the octal mode chmod MODE gives a file of mode perm:
// MODE octal, or symbolic clauses [ugoa]*[+-=][rwx]* joined by commas.
func chmodResult(perm uint32, mode string) (string, bool) {
	if v, err := strconv.ParseUint(mode, 8, 32); err == nil && len(mode) <= 4 {
		return fmt.Sprintf("%o", v), true
	}
	const umask = 0o022
	for _, clause := range strings.Split(mode, ",") {
		i := strings.IndexAny(clause, "+-=")
		if i < 0 || strings.Trim(clause[:i], "ugoa") != "" || strings.Trim(clause[i+1:], "rwx") != "" {
			return "", false
		}
		who := uint32(0)
		for _, w := range clause[:i] {
			who |= map[rune]uint32{'u': 0o700, 'g': 0o070, 'o': 0o007, 'a': 0o777}[w]
		}
		masked := who == 0
		if masked {
			who = 0o777
		}
		bits := uint32(0)
		for _, p := range clause[i+1:] {
			bits |= map[rune]uint32{'r': 0o444, 'w': 0o222, 'x': 0o111}[p]
		}
		bits &= who
		if masked {
			bits &^= umask
		}
		switch clause[i] {
		case '+':
			perm |= bits
		case '-':
			perm &^= bits
		case '=':
			perm = perm&^who | bits
		}
	}
	return fmt.Sprintf("%o", perm), true
}

// sizeText is a file size for a message ("57 bytes", "3.6 KB", "12.0 MB").
func sizeText(b int64) string {
	if b < 1e3 {
		return fmt.Sprintf("%d bytes", b)
	}
	if b < 1e6 {
		return fmt.Sprintf("%.1f KB", float64(b)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}
