package pkgcache

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleAddedFileRemoved is DS134.
var RuleAddedFileRemoved = &rewrite.Rule{
	ID:      "DS134",
	Name:    "added-file-removed-later",
	Summary: "a file ADDed or COPYed and extracted or deleted in a later RUN still ships in the ADD/COPY layer; fetch or mount it in that RUN",
	Explanation: `"ADD https://example.com/tool.tgz /tmp/" followed by "RUN tar -xzf
/tmp/tool.tgz -C /opt && rm /tmp/tool.tgz" ships the archive anyway: the ADD
made a layer of its own, and a later layer only hides the file. The same
holds for "COPY app.deb /tmp/" and "RUN dpkg -i /tmp/app.deb && rm
/tmp/app.deb".

dockslim makes the RUN bring the file itself and deletes the ADD/COPY:
  - ADD of an http(s) URL: the RUN downloads it first, with curl ("curl
    -fsSL -o FILE URL") or wget ("wget -q -O FILE URL"), whichever the stage
    is known to have (an earlier command of the stage runs or installs it,
    or its base image ships it: the buildpack-deps based images have both,
    Alpine's busybox has wget); ADD --checksum=sha256:... becomes a
    "sha256sum -c" of the file; a folder the ADD would have made is made
    with mkdir -p. ADD's --chown/--chmod need no equivalent: the RUN runs
    as root and the file is gone when it ends;
  - a local file (COPY, or ADD of a file that is not a tar archive, which
    ADD would unpack): "RUN --mount=type=bind,source=SRC,target=FILE" (from=
    for COPY --from), and the rm of the file goes (a mount cannot be
    removed). Only in a file that already uses RUN --mount or a "# syntax="
    line: BuildKit and buildah (1.28 included) build it, the classic
    builder does not. Otherwise, and for COPY --chmod (a mount keeps the
    source's mode), a command that may write the file, or an rm that
    removes it with other files, it is reported without a fix.
The fix is safe when that RUN removes the file, the RUN comes right after
the ADD/COPY (only instructions that run nothing between: ENV, ARG, LABEL,
WORKDIR, USER...), and it runs as root. It is unsafe when other RUNs run in
between (they could read the file through a folder or a glob), or when the
RUN extracts the file but never removes it (the fix removes it; nothing
later in the Dockerfile names it, but the application could read it). A
RUN that reads the file before the one that removes it, a non-root RUN,
or a stage without curl or wget: reported, with the reason. Exec-form and
heredoc RUNs are not read.`,
	Before:        "ADD https://example.com/tool.tgz /tmp/tool.tgz\nRUN tar -xzf /tmp/tool.tgz -C /opt && rm /tmp/tool.tgz",
	After:         "RUN curl -fsSL -o /tmp/tool.tgz https://example.com/tool.tgz && tar -xzf /tmp/tool.tgz -C /opt && rm /tmp/tool.tgz",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// AddedFilePass is the added-file pass.
var AddedFilePass = &rewrite.Pass{Name: "addedfile", Rules: []*rewrite.Rule{RuleAddedFileRemoved}, Run: runAddedFile}

// added is a file one ADD or COPY brings, and the later RUN that uses it.
type added struct {
	in       *parser.Instruction // the ADD / COPY
	src, dst string
	url      bool
	from     string // COPY --from
	file     string // its path in the image
	run      *parser.Instruction
	first    *shellcmd.Command   // the RUN's first command that names it
	rms      []*shellcmd.Command // the RUN's commands that remove it
	extract  *shellcmd.Command   // the RUN's command that extracts it
	others   []*shellcmd.Command // the RUN's other commands that name it
	unsafe   string              // why the fix is unsafe ("" when safe)
	decline  string              // why there is no fix
	bindable bool                // the file may take a RUN --mount
}

func runAddedFile(c *rewrite.Context) {
	bindable := usesMounts(c.File)
	for _, in := range c.File.Instructions {
		a, ok := addedOf(c, in)
		if !ok || !a.findRun(c.File) {
			continue
		}
		a.bindable = bindable
		a.report(c)
	}
}

// usesMounts reports whether the file already uses RUN --mount or a
// `# syntax=` frontend, so that a bind mount does not change which
// builders build it.
func usesMounts(f *parser.File) bool {
	if !canMount(f) {
		return false
	}
	for _, d := range f.Directives {
		if strings.EqualFold(d.Name, "syntax") {
			return true
		}
	}
	for _, in := range f.Instructions {
		if _, ok := in.Flag("mount"); ok {
			return true
		}
	}
	return false
}

// localNonArchive are extensions of local files that ADD copies as they
// are (it unpacks local tar archives).
var localNonArchive = []string{".zip", ".deb", ".rpm", ".jar", ".whl", ".sh", ".run", ".bin", ".apk", ".msi", ".exe"}

// addedOf reads an ADD or COPY of one file to an absolute path.
func addedOf(c *rewrite.Context, in *parser.Instruction) (added, bool) {
	a := added{in: in}
	if in.Sub != "" || in.Stage == nil || !in.Is("add") && !in.Is("copy") {
		return a, false
	}
	for _, fl := range in.Flags {
		switch fl.Name {
		case "chown", "link", "checksum":
		case "chmod":
			a.decline = "COPY --chmod sets a mode that a mount of the source does not have"
		case "from":
			if in.Is("add") || strings.ContainsAny(fl.Value, "$,=") {
				return a, false
			}
			a.from = fl.Value
		default:
			return a, false
		}
	}
	args := in.Args()
	if len(args) != 2 || strings.ContainsAny(args[0]+args[1], "$\"'*?[\\,= ") || !strings.HasPrefix(args[1], "/") {
		return a, false
	}
	a.src, a.dst = args[0], args[1]
	a.url = in.Is("add") && (strings.HasPrefix(a.src, "https://") || strings.HasPrefix(a.src, "http://"))
	if a.url && (strings.HasSuffix(a.src, ".git") || strings.Contains(a.src, "?") || strings.Contains(a.src, "#")) {
		return a, false
	}
	base := path.Base(a.src)
	if in.Is("add") && !a.url && !slices.Contains(localNonArchive, path.Ext(base)) {
		return a, false // a local tar archive is unpacked by ADD itself
	}
	if _, ok := in.Flag("checksum"); ok && !a.url {
		return a, false
	}
	if strings.HasSuffix(a.dst, "/") {
		if !a.url && !a.isFile(c) {
			return a, false // a folder's contents would land in dst itself
		}
		a.file = path.Join(a.dst, base)
	}
	return a, base != "" && base != "." && base != "/"
}

// isFile reports whether the local source is a regular file of the build
// context (COPY --from and a missing context: not known).
func (a *added) isFile(c *rewrite.Context) bool {
	if a.from != "" || c.BuildContext == nil {
		return false
	}
	st, err := fs.Stat(c.BuildContext, strings.TrimPrefix(path.Clean("/"+a.src), "/"))
	return err == nil && st.Mode().IsRegular()
}

// findRun finds the later RUN of the stage that removes or extracts the
// file, and what runs in between; false when there is none to report.
func (a *added) findRun(f *parser.File) (found bool) {
	sc := stagestate.Scope{File: f}
	var reader *parser.Instruction // a RUN that uses it before
	defer func() {
		if found && reader != nil {
			a.decline = fmt.Sprintf("the RUN at line %d uses it before", reader.StartLine)
		}
	}()
	for _, in := range a.in.Stage.Instructions {
		if in.Index <= a.in.Index {
			continue
		}
		if (in.Is("copy") || in.Is("add")) && a.file != "" && a.overwrites(in) {
			return false
		}
		if !in.Is("run") || in.Sub != "" {
			continue
		}
		sc.In = in
		if a.usesIn(sc, in) {
			if a.run != nil {
				return true
			}
			if reader == nil {
				reader = in // it may still be removed later
			}
			continue
		}
		if a.unsafe == "" {
			a.unsafe = fmt.Sprintf("the RUN at line %d runs in between and could read it through its folder", in.StartLine)
		}
	}
	return false
}

// overwrites reports whether a later COPY / ADD writes the file again.
func (a *added) overwrites(in *parser.Instruction) bool {
	args := in.Args()
	return len(args) > 0 && pathsOverlap(args[len(args)-1], a.file)
}

// candidates are the paths the file may have: dst, or dst/<name> when dst
// is a folder that exists already (COPY x.deb /tmp).
func (a *added) candidates() []string {
	if a.file != "" {
		return []string{a.file}
	}
	return []string{a.dst, path.Join(a.dst, path.Base(a.src))}
}

// usesIn reads a RUN that names the file: it sets a.run when the RUN
// removes or extracts it, a.decline when it uses it some other way first.
// It returns false when the RUN does not name it.
func (a *added) usesIn(sc stagestate.Scope, in *parser.Instruction) bool {
	text := in.Text(sc.File)
	named := false
	for _, p := range a.candidates() {
		named = named || strings.Contains(text, p) || strings.Contains(text, path.Base(p)) && path.Base(p) != path.Base(a.dst)
	}
	if !named {
		return false
	}
	if in.JSON || len(in.HeredocScripts) > 0 || in.Script == nil {
		a.run = nil // what it does with the file is not read here
		return true
	}
	for _, p := range a.candidates() {
		if a.readRun(sc, in, p) {
			a.file = p
			return true
		}
	}
	a.run = nil // it uses the file, which the image then needs
	return true
}

// readRun reads the RUN's commands for the file at p: its removals, its
// extraction, its first mention. False when it neither removes nor
// extracts p.
func (a *added) readRun(sc stagestate.Scope, in *parser.Instruction, p string) bool {
	d := download{path: p, word: p}
	a.rms, a.extract, a.first, a.others = nil, nil, nil, nil
	for _, cmd := range allCmds(in) {
		s, e := cmd.Script.Span(cmd.Stmt)
		if !strings.Contains(string(sc.File.Src[s:e]), path.Base(p)) {
			continue
		}
		if a.first == nil {
			a.first = cmd
		}
		switch {
		case stagestate.RemovesPath(sc, cmd, p):
			a.rms = append(a.rms, cmd)
		case isExtract(sc, cmd, d):
			a.extract = cmd
		default:
			a.others = append(a.others, cmd)
		}
	}
	a.run = in
	return len(a.rms) > 0 || a.extract != nil
}

// report makes DS134's finding for a file a later RUN removes or extracts.
func (a *added) report(c *rewrite.Context) {
	f := c.File
	kw := strings.ToUpper(a.in.Keyword)
	verb := "removed"
	if len(a.rms) == 0 {
		verb = "extracted"
	}
	what := fmt.Sprintf("%s (%s at line %d) is %s by the RUN at line %d, but the %s's layer still ships it", a.file, kw, a.in.StartLine, verb, a.run.StartLine, kw)
	why := a.decline
	if why == "" {
		why = a.runsAsRoot()
	}
	if why == "" && len(a.rms) == 0 && strings.Contains(string(f.Src[a.run.End:]), path.Base(a.file)) {
		return // a later instruction may use it: the image needs it
	}
	var edits []textedit.Edit
	var how string
	if why == "" && a.url {
		edits, how, why = a.urlEdits(f)
	} else if why == "" {
		edits, how, why = a.bindEdits(f)
	}
	if why != "" {
		c.Reportf(RuleAddedFileRemoved, a.in.Start, "%s; dockslim does not move it into the RUN: %s", what, why)
		return
	}
	app, note := rewrite.Safe, ""
	switch {
	case a.unsafe != "":
		app, note = rewrite.Unsafe, " (unsafe: "+a.unsafe+")"
	case len(a.rms) == 0:
		app, note = rewrite.Unsafe, " (unsafe: the fix also removes it after the extraction; nothing later in the Dockerfile names it, but the application could read it)"
	}
	osFix(c, RuleAddedFileRemoved, app, a.in.Start, edits, "%s: %s%s", what, how, note)
}

// runsAsRoot says why the RUN does not run as root ("" when it does): the
// file it fetches or mounts must be readable, and a fetch writable.
func (a *added) runsAsRoot() string {
	hist := stageHistory(a.run)
	for i := len(hist) - 1; i >= 0; i-- {
		if !hist[i].Is("user") || hist[i].Sub != "" {
			continue
		}
		args := hist[i].Args()
		if len(args) == 0 {
			break
		}
		if u, _, _ := strings.Cut(args[0], ":"); u == "root" || u == "0" {
			return ""
		}
		return fmt.Sprintf("the RUN at line %d runs as USER %s", a.run.StartLine, args[0])
	}
	return ""
}

// existingDirs are folders every Linux base image has: a download there
// needs no mkdir.
var existingDirs = []string{"/", "/tmp", "/var/tmp", "/root", "/opt", "/usr/local", "/usr/local/bin", "/etc", "/srv", "/home"}

// urlEdits downloads the URL in the RUN, before the command that first
// names the file, and deletes the ADD.
func (a *added) urlEdits(f *parser.File) (edits []textedit.Edit, how, why string) {
	tool, why := downloader(f, a.run, strings.HasPrefix(a.src, "https://"))
	if why != "" {
		return nil, "", why
	}
	probe, ok := shellcmd.InsertBeforeChain(f, a.first, "X")
	if !ok || a.first.Nested || a.first.InSubst {
		return nil, "", "the command that first uses it is not a plain command of the RUN's && chain"
	}
	sep := probe.Text[1:]
	var cmds []string
	if dir := path.Dir(a.file); !slices.Contains(existingDirs, dir) {
		cmds = append(cmds, "mkdir -p "+dir)
	}
	if tool == "curl" {
		cmds = append(cmds, "curl -fsSL -o "+a.file+" "+a.src)
	} else {
		cmds = append(cmds, "wget -q -O "+a.file+" "+a.src)
	}
	if fl, ok := a.in.Flag("checksum"); ok {
		sum, found := strings.CutPrefix(fl.Value, "sha256:")
		if !found || strings.ContainsAny(sum, "\"'$` ") {
			return nil, "", "its --checksum is not a sha256 digest"
		}
		cmds = append(cmds, fmt.Sprintf(`echo "%s  %s" | sha256sum -c -`, sum, a.file))
	}
	probe.Text = strings.Join(cmds, sep) + sep
	edits = []textedit.Edit{probe, deleteInstruction(f, a.in)}
	if len(a.rms) == 0 {
		e, ok := shellcmd.AppendToChain(f, a.extract, "rm -f "+a.file)
		if !ok {
			return nil, "", "the extraction's && chain cannot take an rm"
		}
		edits = append(edits, e)
	}
	return edits, fmt.Sprintf("download it in that RUN with %s and delete the ADD", tool), ""
}

// bindReaders are commands that only read a file they name: a read-only
// bind mount serves them.
var bindReaders = []string{"tar", "bsdtar", "unzip", "dpkg", "apt-get", "apt", "rpm", "yum", "dnf", "sh", "bash",
	"cp", "install", "java", "python", "python3", "pip", "pip3", "gunzip", "zcat", "cat"}

// bindEdits mounts the local file into the RUN, takes its rm out and
// deletes the COPY.
func (a *added) bindEdits(f *parser.File) (edits []textedit.Edit, how, why string) {
	mount := "--mount=type=bind,"
	if a.from != "" {
		mount += "from=" + a.from + ","
	}
	mount += "source=" + a.src + ",target=" + a.file
	if !a.bindable {
		return nil, "", "a RUN " + mount + " would serve it, and the file uses neither RUN --mount nor a # syntax= line (the classic builder cannot build it)"
	}
	for _, o := range a.others {
		if !slices.Contains(fileReaders, o.Name) && !slices.Contains(bindReaders, o.Name) || o.Name == "gunzip" && !o.Has("-c") {
			return nil, "", fmt.Sprintf("%s may write to it, and a mount is read-only", o.Name)
		}
	}
	if mountOverlaps(a.run, a.file) {
		return nil, "", "a --mount of the RUN covers it already"
	}
	for _, rm := range a.rms {
		paths, ok := rmPaths(rm)
		if !ok || len(paths) != 1 || path.Clean(paths[0]) != a.file {
			return nil, "", "an rm of the RUN removes it with other files, and a mount cannot be removed"
		}
	}
	rmEdits, ok := removeCommands(f, a.rms)
	if !ok {
		return nil, "", "its rm is not a plain command of the RUN's && chain"
	}
	edits = append(rmEdits, textedit.Edit{Start: a.run.ArgsStart, End: a.run.ArgsStart, Text: mount + " "}, deleteInstruction(f, a.in))
	return edits, fmt.Sprintf("mount it in that RUN (RUN %s) and delete the %s", mount, strings.ToUpper(a.in.Keyword)), ""
}

// downloader is the download tool the stage has before run: curl or wget
// that an earlier command runs or installs, else what its base image
// ships; why says what is missing.
func downloader(f *parser.File, run *parser.Instruction, https bool) (tool, why string) {
	installed := ""
	for _, p := range stageHistory(run) {
		if !p.Is("run") || p.Sub != "" {
			continue
		}
		for _, cmd := range allCmds(p) {
			switch {
			case (cmd.Name == "curl" || cmd.Name == "wget") && !cmd.Nested && !cmd.InSubst:
				return cmd.Name, ""
			case slices.Contains([]string{"apt-get", "apt", "apk", "yum", "dnf", "microdnf"}, cmd.Name) && (cmd.Has("install") || cmd.Has("add")):
				for _, t := range []string{"curl", "wget"} {
					if installed == "" && cmd.Has(t) {
						installed = t
					}
				}
			}
		}
	}
	if installed != "" {
		if st := stagestate.Of(f).Run(run); https && st != nil && st.Before.CAKnown && !st.Before.CACerts {
			return "", "the stage installs " + installed + " without CA certificates, which an https download needs"
		}
		return installed, ""
	}
	root := langRootImage(run.Stage)
	image := strings.TrimPrefix(root.Repository, "library/")
	if root.FromArg || root.Scratch || root.Registry != "" && root.Registry != "docker.io" {
		return "", "the stage is not known to have curl or wget"
	}
	if _, ok := images.FullLayer(image, root.Tag); ok {
		return "curl", ""
	}
	if fam, _ := images.Distro(image, root.Tag); fam == images.Alpine {
		return "wget", "" // busybox's
	}
	return "", "the stage is not known to have curl or wget (no earlier command runs or installs one, and its base image " + root.Raw + " does not ship one)"
}
