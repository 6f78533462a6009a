package pkgcache

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleArchiveNotRemoved is DS131.
var RuleArchiveNotRemoved = &rewrite.Rule{
	ID:      "DS131",
	Name:    "archive-not-removed",
	Summary: "a downloaded archive is extracted and never removed; remove it in the same RUN",
	Explanation: `"curl -o x.tgz URL && tar -xzf x.tgz" keeps the archive in the layer next to
what it unpacked: the image carries the same bytes twice. Deleting it in a
later RUN does not help; the layer that downloaded it keeps it.

dockslim appends "rm -f x.tgz" to the && chain that extracts it (tar with -x,
or unzip), in the chain's layout. The fix is safe because it is only made
when the analysis proves nothing else needs the file:
  - the file name is known: curl -o/--output NAME, curl -O (the URL's last
    path segment, in --output-dir DIR when given), wget -O NAME, or wget URL
    (the URL's last segment, in -P DIR when given). A name written with
    variables ($VAR, ${VAR}: ENV, ARG, or the RUN's own shell variables) is
    removed by the same words, never by an ARG's default (--build-arg can
    change it), and only when no command of the RUN after the download
    assigns, reads into or unsets those variables; a variable that has no
    known value must at least be declared (an ARG without a default);
  - the extraction names it the same way: the same path, the same words
    with the same variables, or an unquoted glob (tar xzf *.tar.gz) that
    matches it in the same folder; the rm still names the file itself, so
    nothing else the glob matches is removed; tar -C DIR and unzip -d DIR
    only say where the contents go;
  - download and extraction are plain commands of the same shell (not inside
    a loop, a condition, a subshell or $(...));
  - in that RUN, nothing but the extraction and read-only checks (sha256sum,
    md5sum, gpg, echo, printf, test) mentions the file, and nothing removes
    it already;
  - a relative name is only removed when no cd/pushd/popd runs after the
    download (the rm must run in the same folder);
  - no --mount of the RUN covers the file;
  - the file's name does not appear after that RUN in its stage, or in a
    stage built FROM it or copying from it (a later COPY --from, RUN or CMD
    could use it); for a name written with variables, neither does its
    literal end (".tar.gz" of node-v${V}.tar.gz), or the variable when
    nothing follows it.
Otherwise dockslim does nothing: it cannot tell.`,
	Before:        "RUN curl -fsSL -o /tmp/node.tgz https://example.com/node.tgz && tar -xzf /tmp/node.tgz -C /opt",
	After:         "RUN curl -fsSL -o /tmp/node.tgz https://example.com/node.tgz && tar -xzf /tmp/node.tgz -C /opt && rm -f /tmp/node.tgz",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
	Parfum:        []string{"tarSomethingRmTheSomething"},
}

// ArchivePass is the archive pass.
var ArchivePass = &rewrite.Pass{Name: "archive", Rules: []*rewrite.Rule{RuleArchiveNotRemoved}, Run: runArchive}

// commands that only read a file they name
var fileReaders = []string{"sha1sum", "sha256sum", "sha512sum", "sha384sum", "sha224sum", "md5sum", "b2sum", "cksum",
	"gpg", "gpgv", "echo", "printf", "test", "[", "ls", "file", "du", "stat"}

func runArchive(c *rewrite.Context) {
	f := c.File
	for _, in := range f.Instructions {
		if !in.Is("run") {
			continue
		}
		cmds := allCmds(in)
		sc := stagestate.Scope{File: f, In: in}
		for i, cmd := range cmds {
			d, ok := downloadTarget(sc, cmd)
			if !ok || cmd.Nested || cmd.InSubst || cmd.Piped {
				continue
			}
			archiveCleanup(c, in, cmds[i+1:], d)
		}
	}
}

func archiveCleanup(c *rewrite.Context, in *parser.Instruction, after []*shellcmd.Command, d download) {
	f := c.File
	sc := stagestate.Scope{File: f, In: in}
	abs := d.path
	if d.path != "" && !strings.HasPrefix(abs, "/") {
		if dir := cwdAt(in, d.cmd); dir != "" {
			abs = path.Join(dir, d.path)
		}
	}
	if strings.HasPrefix(abs, "/") {
		for _, o := range after {
			if stagestate.RemovesPath(sc, o, abs) {
				return // removed already: with its folder (rm -r /tmp/src), by a glob
			}
		}
	}
	if reassigned(d.cmd.Script, d.vars, d.cmd.Args[0].Pos().Offset()) {
		return // the rm would not name the same file
	}
	extract, last, ok := archiveUses(sc, after, d)
	if !ok || extract == nil || last.Script != d.cmd.Script {
		return
	}
	word := d.word
	if start, _ := d.cmd.Span(0); !strings.HasPrefix(d.word, "/") && changesDir(in, start) {
		// A cd after the last use (`tar xzf x.tgz && cd x && make`): the
		// rm names the archive by the folder it was downloaded in.
		lastStart, _ := last.Span(0)
		dir := cwdAt(in, d.cmd)
		if dir == "" || changesDirBetween(in, start, lastStart) || strings.ContainsAny(d.word, `"'\`) {
			return
		}
		word = path.Join(dir, d.word)
	}
	if strings.HasPrefix(abs, "/") && mountOverlaps(in, abs) || d.path == "" && len(in.Mounts()) > 0 {
		return
	}
	if laterMention(laterText(f, in), d) {
		return // a later instruction may use it
	}
	if in.JSON && strings.ContainsAny(word, "\"\\") {
		return // the word cannot be written inside the JSON string as is
	}
	edits, ok := appendToChain(f, last, sudoPrefix(d.cmd)+"rm -f "+word)
	if !ok {
		return
	}
	start, _ := extract.Span(0)
	name := d.path
	if name == "" {
		name = d.word
	}
	osFix(c, RuleArchiveNotRemoved, rewrite.Safe, start, edits,
		"%s is extracted and never removed: the archive stays in the layer next to its contents; remove it in the same RUN", name)
}

// archiveUses finds, among the commands after the download, the one that
// extracts it and the last one that reads it; ok is false when another
// command uses the file some other way (moves, copies, removes it).
func archiveUses(sc stagestate.Scope, after []*shellcmd.Command, d download) (extract, last *shellcmd.Command, ok bool) {
	for _, o := range after {
		if isExtract(sc, o, d) {
			if o.Script != d.cmd.Script || o.Nested || o.InSubst || o.Piped {
				return nil, nil, false
			}
			extract, last = o, o
			continue
		}
		if !mentionsName(sc.File, o, d) {
			continue
		}
		if !slices.Contains(fileReaders, o.Name) {
			return nil, nil, false
		}
		last = o
	}
	return extract, last, true
}

// mentionsName reports whether the source text of the command's statement
// names the download: its name as expanded or as written, or one of the
// variables that name it.
func mentionsName(f *parser.File, cmd *shellcmd.Command, d download) bool {
	a, b := cmd.Script.Span(cmd.Stmt)
	text := string(f.Src[a:b])
	if strings.Contains(text, d.base()) || strings.Contains(text, path.Base(d.word)) {
		return true
	}
	for _, v := range d.vars {
		if strings.Contains(text, v) {
			return true
		}
	}
	return false
}

// laterText is the text after a RUN that can see what it leaves: the rest
// of its stage, and every stage that builds FROM it or copies or mounts
// from it (stagestate.Readers), comments included; stages that cannot see
// the file may name one of their own alike.
func laterText(f *parser.File, in *parser.Instruction) string {
	if in.Stage == nil {
		return string(f.Src[in.End:])
	}
	var b strings.Builder
	for _, st := range stagestate.Of(f).Readers(in.Stage) {
		start := st.From.Start
		if len(st.From.Comments) > 0 {
			start = st.From.Comments[0].Start
		}
		if st == in.Stage {
			start = in.End
		}
		end := st.Instructions[len(st.Instructions)-1].End
		if st == f.Stages[len(f.Stages)-1] {
			end = len(f.Src) // comments after the last instruction
		}
		if start < end {
			b.Write(f.Src[start:end])
		}
	}
	return b.String()
}

// laterMention reports whether the text of later instructions may name
// the download: its name, or, when variables name it, the literal end of
// that name (".tar.gz" of node-v${V}.tar.gz), or the variable itself when
// nothing follows it.
func laterMention(later string, d download) bool {
	if d.path != "" && strings.Contains(later, path.Base(d.path)) || strings.Contains(later, path.Base(d.word)) {
		return true
	}
	if len(d.vars) == 0 {
		return false
	}
	base := path.Base(d.word)
	tail := base[strings.LastIndex(base, "$")+1:]
	tail = strings.TrimLeft(strings.TrimPrefix(tail, "{"), "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
	tail = strings.Trim(strings.TrimPrefix(tail, "}"), `"`)
	if tail != "" {
		return strings.Contains(later, tail)
	}
	for _, v := range d.vars {
		if strings.Contains(later, v) {
			return true
		}
	}
	return false
}

// isExtract reports whether cmd extracts the download d (tar -x, unzip):
// its archive operand names the same file, as expanded, as written with
// the same variables, or by a glob that matches it in the same folder.
func isExtract(sc stagestate.Scope, cmd *shellcmd.Command, d download) bool {
	var file string
	idx := -1
	switch cmd.Name {
	case "tar", "bsdtar":
		var extract bool
		file, idx, extract = tarFile(cmd)
		if !extract {
			return false
		}
	case "unzip":
		idx = unzipFile(cmd)
	default:
		return false
	}
	if idx >= 0 {
		v, ok := cmd.Arg(idx)
		if !ok {
			if v, ok = sc.Word(cmd, cmd.Args[idx]); !ok {
				a, b := cmd.Span(idx)
				return d.path == "" && unquote(string(sc.File.Src[a:b])) == unquote(d.word)
			}
		} else if a, b := cmd.Span(idx); strings.ContainsAny(v, "*?[") && string(sc.File.Src[a:b]) == v {
			return globMatches(v, d.path)
		}
		file = v
	}
	return d.path != "" && file == d.path
}

// globMatches reports whether an unquoted glob operand matches the file p,
// both relative (to the same folder) or both absolute.
func globMatches(glob, p string) bool {
	if p == "" || strings.HasPrefix(glob, "/") != strings.HasPrefix(p, "/") {
		return false
	}
	ok, _ := path.Match(glob, p)
	return ok
}

// unquote drops the double quotes of a word's text ("$F" and $F name the
// same file when the value has no spaces, which a file name here has not).
func unquote(s string) string { return strings.ReplaceAll(s, `"`, "") }

// unzipFile is the index of unzip's archive operand, or -1.
func unzipFile(cmd *shellcmd.Command) int {
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok {
			return i
		}
		if a == "-d" || a == "-P" || a == "-x" {
			if a == "-x" {
				return -1 // exclusions follow: not followed here
			}
			i++
			continue
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		return i
	}
	return -1
}

// tar's short options that take a value
const tarShortValue = "CbTXNgLVKHI"

// tarFile returns the archive a tar command reads or writes (-f): its
// literal name, or the index of the word that names it (-1 when the name
// is part of an option word), and whether it extracts.
func tarFile(cmd *shellcmd.Command) (file string, idx int, extract bool) {
	idx = -1
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok {
			continue
		}
		next := func() {
			i++
			idx, file = i, ""
		}
		switch {
		case a == "--extract" || a == "--get":
			extract = true
		case strings.HasPrefix(a, "--file="):
			file, idx = a[len("--file="):], -1
		case a == "--file":
			next()
		case a == "--directory" || a == "--exclude" || a == "--transform" || a == "--owner" || a == "--group":
			i++
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-") || i == 1:
			old := !strings.HasPrefix(a, "-")
			letters := strings.TrimPrefix(a, "-")
			for j, ch := range letters {
				if ch == 'x' {
					extract = true
				}
				if ch == 'f' {
					if !old && j+1 < len(letters) {
						file, idx = letters[j+1:], -1
					} else if old && strings.ContainsAny(letters[:j], tarShortValue) {
						return "", -1, false // old-style values in an order dockslim does not follow
					} else {
						next()
					}
					break
				}
				if !old && strings.ContainsRune(tarShortValue, ch) {
					if j+1 == len(letters) {
						i++
					}
					break
				}
			}
		}
	}
	if idx >= len(cmd.Args) {
		return "", -1, false
	}
	return file, idx, extract
}

// cwdAt is the absolute folder cmd runs in, when the top-level commands of
// its script before it say so: a `cd /abs` (later relative cds joined to
// it); "" when unknown (no cd: the image's WORKDIR is not followed here).
func cwdAt(in *parser.Instruction, cmd *shellcmd.Command) string {
	dir := ""
	at, _ := cmd.Span(0)
	for _, c := range shellcmd.Commands(cmd.Script) {
		if s, _ := c.Span(0); s >= at {
			break
		}
		switch c.Name {
		case "pushd", "popd":
			return ""
		case "cd":
			if c.Nested || c.InSubst || c.Piped || len(c.Args) != 2 {
				return ""
			}
			v, ok := c.Arg(1)
			switch {
			case !ok || v == "-" || strings.HasPrefix(v, "~"):
				return ""
			case strings.HasPrefix(v, "/"):
				dir = path.Clean(v)
			case dir != "":
				dir = path.Join(dir, v)
			default:
				return ""
			}
		}
	}
	return dir
}

// changesDirBetween reports a cd, pushd or popd of the RUN between two offsets.
func changesDirBetween(in *parser.Instruction, from, to int) bool {
	for _, cmd := range allCmds(in) {
		switch cmd.Name {
		case "cd", "pushd", "popd":
			if s, _ := cmd.Span(0); s > from && s < to {
				return true
			}
		}
	}
	return false
}
