package layerorder

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleDockerignoreMissing is DS303.
var RuleDockerignoreMissing = &rewrite.Rule{
	ID:      "DS303",
	Name:    "dockerignore-missing",
	Summary: "the whole build context is copied and there is no .dockerignore; add one",
	Explanation: `COPY . /app sends and copies everything in the build context: the .git
folder, local virtualenvs and node_modules, __pycache__, build outputs, and
secrets such as .env. They make the image bigger, leak data, and, since they
change all the time, invalidate the layer cache on every build.

dockslim proposes a .dockerignore for the ecosystems the Dockerfile uses:
node_modules only when the Dockerfile installs Node packages itself, target/,
bin/ and obj/ only when it builds, .git unless the build runs git or versions
from git (setuptools-scm), .env when the context has one. It never excludes a
file or folder the Dockerfile copies by name, checked with moby's own pattern
matcher. The fix creates the file (--diff shows it as a new file); it is
unsafe because it changes what the image contains. Without a build context
dockslim proposes nothing.`,
	Before:        "COPY . /app   (no .dockerignore)",
	After:         ".dockerignore:\n# Keep these out of the build context and the image (proposed by dockslim).\n.git\n# Python\n**/__pycache__\n**/*.py[cod]\n.venv\n.pytest_cache",
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Warning,
}

// RuleDockerignoreIncomplete is DS304.
var RuleDockerignoreIncomplete = &rewrite.Rule{
	ID:      "DS304",
	Name:    "dockerignore-incomplete",
	Summary: ".dockerignore does not exclude files the image does not need",
	Explanation: `The Dockerfile copies the whole build context, and its .dockerignore lets
through entries that a build of this kind does not need (the same list
DS303 would propose: .git, node_modules, __pycache__, .venv, target/, ...).
dockslim reports the missing entries; it does not edit your .dockerignore.`,
	Before:        ".dockerignore:\n.git",
	After:         ".dockerignore:\n.git\n**/node_modules",
	Applicability: rewrite.Suggestion,
	Severity:      rewrite.Info,
}

// DockerignorePass is the layerorder-dockerignore pass.
var DockerignorePass = &rewrite.Pass{Name: "layerorder-dockerignore",
	Rules: []*rewrite.Rule{RuleDockerignoreMissing, RuleDockerignoreIncomplete}, Run: withContext(runDockerignore), WholeFile: mayCopyContext}

// mayCopyContext reports, from a Dockerfile's text alone, whether it may
// copy its whole build context (a COPY or ADD source that is the context's
// root or *, as broadCopy reads it) with a context to read: the pass's
// findings then depend on every stage. It errs towards yes (a heredoc line
// that looks like a COPY counts).
func mayCopyContext(src []byte, opts rewrite.Options) bool {
	if opts.ContextDir == "" {
		return false
	}
	inCopy, cont := false, false
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		words := strings.Fields(string(line))
		if len(words) == 0 || strings.HasPrefix(words[0], "#") {
			continue
		}
		args := words
		if !cont { // a new instruction: its keyword
			inCopy = strings.EqualFold(words[0], "copy") || strings.EqualFold(words[0], "add")
			args = words[1:]
		}
		for _, w := range args {
			rel := strings.TrimLeft(path.Clean(strings.Trim(w, `[]",'`)), "/")
			if inCopy && (rel == "" || rel == "." || rel == "*") {
				return true
			}
		}
		last := words[len(words)-1]
		cont = strings.HasSuffix(last, "\\") || strings.HasSuffix(last, "`")
	}
	return false
}

// ignoreEntry is a .dockerignore line dockslim may propose.
type ignoreEntry struct {
	pattern string
	probe   string // a context path the pattern must exclude
	group   string
}

func runDockerignore(c *rewrite.Context, a *analysis) {
	var first *broad
	for _, in := range a.f.Instructions {
		if b := a.broadCopy(in); b != nil && b.whole {
			first = b
			break
		}
	}
	if first == nil {
		return
	}
	entries := a.ignoreEntries()
	if len(entries) == 0 {
		return
	}
	if !a.ctx.hasIgnore {
		rel, err := newFilePath(a.f.Name, a.ctx.dir)
		if err != nil {
			return
		}
		content := renderIgnore(entries)
		var pats []string
		for _, e := range entries {
			pats = append(pats, e.pattern)
		}
		msg := fmt.Sprintf("`%s` copies the whole build context and there is no .dockerignore: add one that excludes %s",
			shortText(a.f, first.in), strings.Join(pats, ", "))
		c.Report(rewrite.Finding{Rule: RuleDockerignoreMissing, Offset: first.in.Start, Message: msg,
			Fix: &rewrite.Fix{Applicability: rewrite.Unsafe, Description: msg,
				NewFiles: []rewrite.NewFile{{Path: filepath.ToSlash(rel), Content: []byte(content)}}}})
		return
	}
	var missing []string
	for _, e := range entries {
		if !a.ctx.excluded(e.probe) {
			missing = append(missing, e.pattern)
		}
	}
	if len(missing) > 0 {
		c.Reportf(RuleDockerignoreIncomplete, first.in.Start,
			"`%s` copies the whole build context, and .dockerignore does not exclude %s, which the image does not need",
			shortText(a.f, first.in), strings.Join(missing, ", "))
	}
}

// newFilePath is the context's .dockerignore relative to the Dockerfile's
// folder (NewFile paths are relative to it).
func newFilePath(dockerfile, ctxDir string) (string, error) {
	from, err := filepath.Abs(filepath.Dir(filepath.FromSlash(dockerfile)))
	if err != nil {
		return "", err
	}
	to, err := filepath.Abs(filepath.Join(ctxDir, ".dockerignore"))
	if err != nil {
		return "", err
	}
	return filepath.Rel(from, to)
}

func renderIgnore(entries []ignoreEntry) string {
	var sb strings.Builder
	sb.WriteString("# Keep these out of the build context and the image (proposed by dockslim).\n")
	group := ""
	for _, e := range entries {
		if e.group != group && e.group != "" {
			sb.WriteString("# " + e.group + "\n")
		}
		group = e.group
		sb.WriteString(e.pattern + "\n")
	}
	return sb.String()
}

// ignoreEntries lists what the context should exclude for this Dockerfile,
// minus anything it copies by name.
func (a *analysis) ignoreEntries() []ignoreEntry {
	ecos := a.ecosystems()
	var out []ignoreEntry
	add := func(group string, pats ...string) {
		for _, p := range pats {
			probe := strings.TrimPrefix(p, "**/")
			probe = strings.ReplaceAll(probe, "*", "x")
			probe = strings.ReplaceAll(probe, "[cod]", "c")
			out = append(out, ignoreEntry{pattern: p, probe: probe, group: group})
		}
	}
	if !a.usesGit() {
		add("", ".git")
	}
	if a.ctx.exists(".env") {
		add("", ".env")
	}
	if ecos["python"] {
		add("Python", "**/__pycache__", "**/*.py[cod]", ".venv", ".pytest_cache")
	}
	if ecos["node-install"] {
		add("Node.js", "**/node_modules")
	}
	if ecos["php-install"] && !a.ctx.exists("vendor/modules.txt") { // Go vendoring is source
		add("PHP", "vendor")
	}
	if ecos["ruby-install"] {
		add("Ruby", "vendor/bundle")
	}
	if ecos["rust-build"] || ecos["maven-build"] {
		add("build output", "target")
	}
	if ecos["gradle-build"] {
		add("Gradle", "build", ".gradle")
	}
	if ecos["dotnet-build"] {
		add(".NET", "**/bin", "**/obj")
	}
	named := a.namedSources()
	return slices.DeleteFunc(out, func(e ignoreEntry) bool {
		return candidateMatchers(a.env).matchesAny(e.pattern, named)
	})
}

// literalRuns returns the runs of pattern between wildcards (*, ?, [...])
// and path separators; nil when the pattern escapes a character or has an
// unclosed class, so that the caller leaves the answer to the matcher.
func literalRuns(pattern string) []string {
	if strings.ContainsRune(pattern, '\\') || strings.Count(pattern, "[") != strings.Count(pattern, "]") {
		return nil
	}
	return strings.FieldsFunc(stripClasses(pattern), func(r rune) bool {
		return r == '*' || r == '?' || r == '/' || r == 0
	})
}

// stripClasses replaces each [...] character class by a NUL (a separator
// for literalRuns).
func stripClasses(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '[' {
			if j := strings.IndexByte(p[i:], ']'); j > 0 {
				b.WriteByte(0)
				i += j
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// matcherCache holds the compiled matchers of the candidate patterns for a
// run (it lives in rewrite.Env): a fixed handful, asked about in every round
// of every file, and compiling one is a regular expression each time.
// patternmatcher compiles lazily on first match, which is not safe for
// concurrent use, hence the lock around use.
type matcherCache struct {
	sync.Mutex
	m map[string]*patternmatcher.PatternMatcher
}

type matcherCacheKey struct{}

// candidateMatchers is the run's matcher cache.
func candidateMatchers(env *rewrite.Env) *matcherCache {
	return env.Memo(matcherCacheKey{}, func() any { return &matcherCache{} }).(*matcherCache)
}

// matchesAny reports whether pattern (or its parent rule) matches one of
// paths; a pattern that does not compile counts as matching, so that it is
// never proposed.
func (candidates *matcherCache) matchesAny(pattern string, paths []string) bool {
	// A glob's literal runs match only themselves: a path that lacks one
	// cannot match, which settles most candidates without compiling them.
	lits := literalRuns(pattern)
	var maybe []string
	for _, p := range paths {
		if containsAll(p, lits) {
			maybe = append(maybe, p)
		}
	}
	if len(maybe) == 0 {
		return false
	}
	paths = maybe
	candidates.Lock()
	defer candidates.Unlock()
	pm, ok := candidates.m[pattern]
	if !ok {
		pm, _ = patternmatcher.New([]string{pattern})
		if candidates.m == nil {
			candidates.m = map[string]*patternmatcher.PatternMatcher{}
		}
		candidates.m[pattern] = pm
	}
	if pm == nil {
		return true
	}
	for _, p := range paths {
		if m, err := pm.MatchesOrParentMatches(p); err != nil || m {
			return true
		}
	}
	return false
}

// ecosystems are what the Dockerfile installs and builds ("python",
// "node-install", "maven-build", ...) and what the context root holds.
func (a *analysis) ecosystems() map[string]bool {
	out := map[string]bool{}
	for _, in := range a.f.Instructions {
		if !in.Is("run") || in.Stage == nil {
			continue
		}
		m := a.models[in.Stage]
		for _, it := range m.runItems(in) {
			if it.cmd == nil {
				continue
			}
			t := describe(fromShell(it.cmd), it.cwd)
			if t == nil {
				continue
			}
			out[t.eco] = true
			if t.kind == kindInstall || t.kind == kindProject {
				out[t.eco+"-install"] = true
			}
			if t.kind == kindBuild {
				out[t.eco+"-build"] = true
				out[t.eco+"-install"] = true
			}
		}
	}
	for _, f := range []string{"requirements.txt", "pyproject.toml", "Pipfile", "setup.py"} {
		if a.ctx.file(f) {
			out["python"] = true
		}
	}
	return out
}

// usesGit reports whether the build needs the .git folder: a RUN runs git,
// or the Python project takes its version from git.
func (a *analysis) usesGit() bool {
	for _, in := range a.f.Instructions {
		if !in.Is("run") {
			continue
		}
		for _, c := range shellcmd.All(in) {
			if c.Name == "git" {
				return true
			}
		}
	}
	for _, f := range []string{"pyproject.toml", "setup.cfg", "setup.py", "package.json"} {
		text, _ := a.ctx.read(f)
		for _, k := range []string{"setuptools_scm", "setuptools-scm", "hatch-vcs", "versioningit", "dunamai", "git-describe"} {
			if strings.Contains(text, k) {
				return true
			}
		}
	}
	return false
}

// namedSources are the context paths COPY/ADD and bind mounts name
// explicitly (not the whole context), with wildcards expanded.
func (a *analysis) namedSources() []string {
	var out []string
	addSrc := func(s string) {
		rel := strings.TrimLeft(path.Clean(s), "/")
		if rel == "" || rel == "." || rel == "*" || strings.Contains(rel, "://") {
			return
		}
		out = append(out, rel)
		if strings.ContainsAny(rel, "*?[") {
			out = append(out, a.ctx.glob(rel)...)
		}
	}
	for _, in := range a.f.Instructions {
		switch {
		case in.Is("copy") || in.Is("add"):
			if _, ok := in.Flag("from"); ok || len(in.Heredocs) > 0 {
				continue
			}
			_, srcs := copyDest(in)
			if in.Sub != "" {
				args := in.Args()
				if len(args) > 1 {
					srcs = args[:len(args)-1]
				}
			}
			for _, s := range srcs {
				addSrc(s)
			}
		case in.Is("run"):
			for _, mt := range in.Mounts() {
				if mt.Type == "bind" && mt.From == "" && mt.Source != "" {
					addSrc(mt.Source)
				}
			}
		}
	}
	return out
}
