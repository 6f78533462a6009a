package pkgcache

import (
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
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
  - the file name is literal: curl -o/--output NAME, curl -O (the URL's last
    path segment), wget -O NAME, or wget URL (the URL's last segment);
  - download and extraction are plain commands of the same shell (not inside
    a loop, a condition, a subshell or $(...));
  - in that RUN, nothing but the extraction and read-only checks (sha256sum,
    md5sum, gpg, echo, printf, test) mentions the file, and nothing removes
    it already;
  - a relative name is only removed when no cd/pushd/popd runs after the
    download (the rm must run in the same folder);
  - no --mount of the RUN covers the file;
  - the file's name does not appear anywhere in the Dockerfile after that RUN
    (a later COPY --from, RUN or CMD could use it).
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

// download is a file that a command downloads.
type download struct {
	cmd  *shellcmd.Command
	path string // the literal path
	word string // shell text that names it (for rm)
}

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
		for i, cmd := range cmds {
			d, ok := downloadTarget(f, cmd)
			if !ok || cmd.Nested || cmd.InSubst || cmd.Piped {
				continue
			}
			archiveCleanup(c, in, cmds[i+1:], d)
		}
	}
}

func archiveCleanup(c *rewrite.Context, in *parser.Instruction, after []*shellcmd.Command, d download) {
	f := c.File
	base := path.Base(d.path)
	abs := d.path
	if !strings.HasPrefix(abs, "/") {
		if dir := cwdAt(in, d.cmd); dir != "" {
			abs = path.Join(dir, d.path)
		}
	}
	if strings.HasPrefix(abs, "/") {
		sc := stagestate.Scope{File: f, In: in}
		for _, o := range after {
			if stagestate.RemovesPath(sc, o, abs) {
				return // removed already: with its folder (rm -r /tmp/src), by a glob
			}
		}
	}
	var extract, last *shellcmd.Command
	for _, o := range after {
		if !mentionsName(f, o, base) {
			continue
		}
		switch {
		case isExtract(o, d.path) && o.Script == d.cmd.Script && !o.Nested && !o.InSubst && !o.Piped:
			extract, last = o, o
		case slices.Contains(fileReaders, o.Name):
			last = o
		default:
			return // moved, copied, removed, or used some other way
		}
	}
	if extract == nil || last.Script != d.cmd.Script {
		return
	}
	word := d.word
	if start, _ := d.cmd.Span(0); !strings.HasPrefix(d.path, "/") && changesDir(in, start) {
		// A cd after the last use (`tar xzf x.tgz && cd x && make`): the
		// rm names the archive by the folder it was downloaded in.
		lastStart, _ := last.Span(0)
		if !strings.HasPrefix(abs, "/") || changesDirBetween(in, start, lastStart) || !shellSafe(d.path) {
			return
		}
		word = abs
	}
	if strings.HasPrefix(d.path, "/") && mountOverlaps(in, d.path) {
		return
	}
	if strings.Contains(string(f.Src[in.End:]), base) {
		return // a later instruction may use it
	}
	if in.JSON && strings.ContainsAny(word, "\"\\") {
		return // the word cannot be written inside the JSON string as is
	}
	e, ok := shellcmd.AppendToChain(f, last, sudoPrefix(d.cmd)+"rm -f "+word)
	if !ok {
		return
	}
	start, _ := extract.Span(0)
	osFix(c, RuleArchiveNotRemoved, rewrite.Safe, start, []textedit.Edit{e},
		"%s is extracted and never removed: the archive stays in the layer next to its contents; remove it in the same RUN", d.path)
}

// mentionsName reports whether the source text of the command's statement
// contains name.
func mentionsName(f *parser.File, cmd *shellcmd.Command, name string) bool {
	a, b := cmd.Script.Span(cmd.Stmt)
	return strings.Contains(string(f.Src[a:b]), name)
}

// downloadTarget returns the file a curl or wget command writes, when its
// name is known.
func downloadTarget(f *parser.File, cmd *shellcmd.Command) (download, bool) {
	var d download
	var ok bool
	switch cmd.Name {
	case "curl":
		d, ok = curlTarget(f, cmd)
	case "wget":
		d, ok = wgetTarget(f, cmd)
	default:
		return d, false
	}
	if !ok || d.path == "" || d.path == "-" || strings.HasPrefix(d.path, "/dev/") {
		return d, false
	}
	d.cmd = cmd
	return d, true
}

// wordText is the shell text of argument i, when it is a literal usable
// as is in a new command.
func wordText(f *parser.File, cmd *shellcmd.Command, i int) (string, bool) {
	if _, ok := cmd.Arg(i); !ok {
		return "", false
	}
	a, b := cmd.Span(i)
	t := string(f.Src[a:b])
	return t, !strings.ContainsAny(t, "\n`")
}

// shellSafe reports whether s can be written in a command unquoted.
func shellSafe(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+-/@%=:,", r)) {
			return false
		}
	}
	return true
}

// urlBase is the last path segment of a literal URL, when it is a plain
// file name.
func urlBase(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok || strings.ContainsAny(rest, "?#$") {
		return ""
	}
	_, p, ok := strings.Cut(rest, "/")
	if !ok || p == "" || strings.HasSuffix(p, "/") {
		return ""
	}
	b := path.Base(p)
	if !shellSafe(b) || strings.Contains(b, "/") {
		return ""
	}
	return b
}

// urlArgs returns the URL-looking arguments; n counts non-literal ones too.
func urlArgs(f *parser.File, cmd *shellcmd.Command) (lits []string, n int) {
	for i := 1; i < len(cmd.Args); i++ {
		a, b := cmd.Span(i)
		if !strings.Contains(string(f.Src[a:b]), "://") {
			continue
		}
		n++
		if v, ok := cmd.Arg(i); ok {
			lits = append(lits, v)
		}
	}
	return lits, n
}

// curl's short options that take a value
const curlShortValue = "dHuoeAbcrTwxXmCEKFYyzPQtUD"

// curl's long options that take a separate value (the common ones)
var curlLongValue = []string{"--header", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--user",
	"--user-agent", "--referer", "--cookie", "--cookie-jar", "--retry", "--retry-delay", "--retry-max-time",
	"--connect-timeout", "--max-time", "--proto", "--proto-redir", "--cacert", "--capath", "--cert", "--key",
	"--proxy", "--request", "--resolve", "--range", "--write-out", "--form", "--limit-rate", "--tlsv1.2",
	"--ciphers", "--interface", "--max-redirs", "--speed-limit", "--speed-time", "--upload-file", "--netrc-file"}

func curlTarget(f *parser.File, cmd *shellcmd.Command) (download, bool) {
	var d download
	remote := false
	outIdx := -1
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok {
			continue
		}
		switch {
		case a == "-o" || a == "--output":
			outIdx = i + 1
			i++
		case a == "-O" || a == "--remote-name":
			remote = true
		case a == "-J" || a == "--remote-header-name" || a == "--output-dir" || a == "--remote-name-all" ||
			a == "-K" || a == "--config" || a == "--create-dirs":
			return d, false
		case strings.HasPrefix(a, "--"):
			if slices.Contains(curlLongValue, a) {
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			short := shortOpts{values: curlShortValue, refuse: "JK", out: 'o', accept: shellSafe,
				flag: func(ch rune) { remote = remote || ch == 'O' }}
			if !short.scan(a[1:], i, &d, &outIdx, &i) {
				return d, false
			}
		}
	}
	return finishTarget(f, cmd, d, outIdx, remote)
}

// shortOpts reads a cluster of curl's or wget's short options (the letters
// after "-"): a letter in refuse makes dockslim decline; a letter in values
// takes the rest of the cluster, or else the next word, as its value; the
// output letter out names the file (a value accept refuses declines); flag
// sees the letters that take no value.
type shortOpts struct {
	values, refuse string
	out            rune
	accept         func(string) bool
	flag           func(rune)
}

// scan reads the cluster letters of the word at i: the output file goes to
// d (or, in the next word, to *outIdx), and *next moves past a value in the
// next word. It returns false to decline.
func (o shortOpts) scan(letters string, i int, d *download, outIdx, next *int) bool {
	for j, ch := range letters {
		if strings.ContainsRune(o.refuse, ch) {
			return false
		}
		if !strings.ContainsRune(o.values, ch) {
			if o.flag != nil {
				o.flag(ch)
			}
			continue
		}
		val := letters[j+1:]
		if ch == o.out {
			if val == "" {
				*outIdx = i + 1
			} else if o.accept(val) {
				d.path, d.word = val, val
			} else {
				return false
			}
		}
		if val == "" {
			*next = i + 1
		}
		return true
	}
	return true
}

// wget's short options that take a value
const wgetShortValue = "oaOPiBtTwQUeIXDARl"

func wgetTarget(f *parser.File, cmd *shellcmd.Command) (download, bool) {
	var d download
	outIdx := -1
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok {
			continue
		}
		switch {
		case a == "-O" || a == "--output-document":
			outIdx = i + 1
			i++
		case strings.HasPrefix(a, "--output-document="):
			v := a[len("--output-document="):]
			if !shellSafe(v) && v != "-" {
				return d, false
			}
			d.path, d.word = v, v
		case a == "--content-disposition" || a == "--directory-prefix" || strings.HasPrefix(a, "--directory-prefix=") ||
			a == "--input-file" || a == "-r" || a == "--recursive" || a == "-m" || a == "--mirror" || a == "-x" ||
			a == "--force-directories" || a == "-N" || a == "--timestamping":
			return d, false
		case strings.HasPrefix(a, "--"):
			// long options take their value with "="
		case strings.HasPrefix(a, "-") && len(a) > 1:
			short := shortOpts{values: wgetShortValue, refuse: "Pirm", out: 'O',
				accept: func(v string) bool { return shellSafe(v) || v == "-" }}
			if !short.scan(a[1:], i, &d, &outIdx, &i) {
				return d, false
			}
		}
	}
	return finishTarget(f, cmd, d, outIdx, true)
}

// finishTarget finishes curl's and wget's option scans: the file is the
// output option's value (at outIdx, or already in d), else, when the tool
// names the file after the URL (remote), the URL's last path element.
func finishTarget(f *parser.File, cmd *shellcmd.Command, d download, outIdx int, remote bool) (download, bool) {
	if outIdx >= 0 {
		v, ok := cmd.Arg(outIdx)
		w, wok := wordText(f, cmd, outIdx)
		if !ok || !wok {
			return d, false
		}
		d.path, d.word = v, w
		return d, true
	}
	if d.path != "" {
		return d, true
	}
	if !remote {
		return d, false
	}
	urls, n := urlArgs(f, cmd)
	if n != 1 || len(urls) != 1 {
		return d, false
	}
	b := urlBase(urls[0])
	d.path, d.word = b, b
	return d, b != ""
}

// isExtract reports whether cmd extracts the archive at p (tar -x, unzip).
func isExtract(cmd *shellcmd.Command, p string) bool {
	switch cmd.Name {
	case "tar", "bsdtar":
		file, extract := tarFile(cmd)
		return extract && file == p
	case "unzip":
		for i := 1; i < len(cmd.Args); i++ {
			a, ok := cmd.Arg(i)
			if !ok {
				return false
			}
			if a == "-d" || a == "-P" {
				i++
				continue
			}
			if strings.HasPrefix(a, "-") {
				continue
			}
			return a == p
		}
	}
	return false
}

// tar's short options that take a value
const tarShortValue = "CbTXNgLVKHI"

// tarFile returns the archive a tar command reads or writes (-f) and
// whether it extracts.
func tarFile(cmd *shellcmd.Command) (file string, extract bool) {
	for i := 1; i < len(cmd.Args); i++ {
		a, ok := cmd.Arg(i)
		if !ok {
			continue
		}
		next := func() string {
			v, _ := cmd.Arg(i + 1)
			i++
			return v
		}
		switch {
		case a == "--extract" || a == "--get":
			extract = true
		case strings.HasPrefix(a, "--file="):
			file = a[len("--file="):]
		case a == "--file":
			file = next()
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
						file = letters[j+1:]
					} else if old && strings.ContainsAny(letters[:j], tarShortValue) {
						return "", false // old-style values in an order dockslim does not follow
					} else {
						file = next()
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
	return file, extract
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
