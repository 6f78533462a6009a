package images

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Candidate is a smaller image that could replace a FROM image.
type Candidate struct {
	Image, Tag string
	// Variant is what the candidate is: "slim", "alpine", "jdk", "jre", "cli",
	// or "base" (ubuntu:<codename> for buildpack-deps:<codename>).
	Variant string
	// Current is true when the candidate tag is still rebuilt upstream.
	Current bool
	// Libc is "glibc" or "musl" ("" if unknown).
	Libc string
	// DropIn is true when the candidate is the same image on the same
	// distribution release with things removed (python:3.11 →
	// python:3.11-slim): a fix may swap it in once the RUN lines are known to
	// need nothing that was removed (see CheckCommand). False means a
	// different image, distribution, libc or variant: suggest it, don't apply it.
	DropIn bool
	// Reason is one line for the user on what changes.
	Reason string
}

// Ref returns the candidate as a Ref.
func (c Candidate) Ref() Ref { return Ref{c.Image, c.Tag} }

// How an image names its slim variant.
type slimStyle uint8

const (
	slimNone          slimStyle = iota // no slim tags; rule.noSlim says why
	slimBeforeSuite                    // python: 3.11 → 3.11-slim, 3.11-bookworm → 3.11-slim-bookworm
	slimLast                           // node: 18-bookworm → 18-bookworm-slim; debian: bookworm → bookworm-slim
	slimPHP                            // php: X-apache / X-fpm → X-cli (not a drop-in)
	slimOpenJDK                        // openjdk (deprecated) → eclipse-temurin:<major>-jdk / -jre
	slimJRE                            // eclipse-temurin: X / X-jdk → X-jre
	slimBuildpackDeps                  // buildpack-deps:bookworm → debian:bookworm-slim
)

// How an image names its alpine variant.
type alpineStyle uint8

const (
	alpineNone        alpineStyle = iota
	alpineSuffix                  // 3.11 → 3.11-alpine, 3.11-alpine3.21
	alpineDashVersion             // eclipse-temurin: 17-jre → 17-jre-alpine, 17-jre-alpine-3.21
)

type variantRule struct {
	slim   slimStyle
	alpine alpineStyle
	// modifiers are tag words that stay after the inserted variant word:
	// perl 5-threaded → 5-slim-threaded, nginx 1.30-perl → 1.30-alpine-perl.
	modifiers []string
	noSlim    string // why there are no slim candidates (slimNone)
	noAlpine  string // why there are no alpine candidates (alpineNone)
}

// variantRules encodes, per official image, how its smaller variants are
// named. Every derived name is then looked up in the index: a candidate is
// only returned when that tag was really published. Images not listed get no
// candidates rather than a guess.
var variantRules = map[string]variantRule{
	"python":          {slim: slimBeforeSuite, alpine: alpineSuffix},
	"pypy":            {slim: slimBeforeSuite, noAlpine: "pypy publishes no alpine tags"},
	"ruby":            {slim: slimBeforeSuite, alpine: alpineSuffix},
	"rust":            {slim: slimBeforeSuite, alpine: alpineSuffix},
	"perl":            {slim: slimBeforeSuite, modifiers: []string{"threaded"}, noAlpine: "perl publishes no alpine tags"},
	"haskell":         {slim: slimBeforeSuite, noAlpine: "haskell publishes no alpine tags"},
	"node":            {slim: slimLast, alpine: alpineSuffix},
	"erlang":          {slim: slimLast, alpine: alpineSuffix},
	"elixir":          {slim: slimLast, alpine: alpineSuffix},
	"debian":          {slim: slimLast, noAlpine: "debian has no alpine variant: alpine is another distribution (musl, apk)"},
	"php":             {slim: slimPHP, alpine: alpineSuffix},
	"openjdk":         {slim: slimOpenJDK, noAlpine: "openjdk is deprecated; see SlimCandidates for eclipse-temurin, then AlpineCandidates(\"eclipse-temurin\", ...)"},
	"eclipse-temurin": {slim: slimJRE, alpine: alpineDashVersion},
	"buildpack-deps":  {slim: slimBuildpackDeps, noAlpine: "buildpack-deps is Debian/Ubuntu only"},
	"golang": {alpine: alpineSuffix,
		noSlim: "golang publishes no -slim tags: build in golang and copy the binary into a small runtime stage (for example debian:<suite>-slim, or alpine/scratch for a static binary)"},
	"gcc": {noSlim: "gcc publishes no slim or alpine tags: compile in gcc and copy the result into a small runtime stage",
		noAlpine: "gcc publishes no alpine tags"},
	"ubuntu":    {noSlim: "ubuntu has no slim variant: the image is already minimal", noAlpine: "ubuntu has no alpine variant"},
	"alpine":    {noSlim: "alpine is already minimal", noAlpine: "alpine is already Alpine"},
	"nginx":     {alpine: alpineSuffix, modifiers: []string{"perl", "otel"}},
	"httpd":     {alpine: alpineSuffix},
	"redis":     {alpine: alpineSuffix},
	"postgres":  {alpine: alpineSuffix},
	"memcached": {alpine: alpineSuffix},
	"haproxy":   {alpine: alpineSuffix},
}

// SlimCandidates returns the published slim variants of image:tag, best first
// (still-rebuilt tags first; the same build under several names is listed
// once). tag "" means latest. When there are none, why says so: the tag is
// unknown, already slim or alpine, or the image has no slim variant (golang,
// ubuntu, gcc, ...).
//
// Besides same-image slim tags (DropIn), it reports replacements that are
// not drop-ins: php X-apache/X-fpm → X-cli (only for CLI use), openjdk →
// eclipse-temurin:<major>-jdk (build stages) and -jre (runtime stages),
// eclipse-temurin X-jdk → X-jre, buildpack-deps:<suite> → debian:<suite>-slim.
func SlimCandidates(image, tag string) (cands []Candidate, why string) {
	im, i, why := find(image, tag)
	if im == nil {
		return nil, why
	}
	rule, ok := variantRules[image]
	if !ok {
		return nil, fmt.Sprintf("no variant naming rule for %s; not guessing", image)
	}
	ref := Ref{image, tag}
	switch rule.slim {
	case slimNone:
		if rule.noSlim == "" {
			return nil, image + " publishes no slim tags"
		}
		return nil, rule.noSlim
	case slimPHP:
		return im.phpCLI(i, ref)
	case slimOpenJDK:
		return temurinFor(im, i, ref)
	case slimBuildpackDeps:
		return im.buildpackBase(i, ref)
	case slimJRE:
		return im.temurinJRE(i, ref)
	}
	toks := tokens(im.Tag(i))
	if contains(toks, "slim") {
		return nil, ref.String() + " is already a slim variant"
	}
	if isAlpineTag(toks) {
		return nil, ref.String() + " is already Alpine-based (musl): a slim Debian tag would be larger"
	}
	family, codename := im.distro(i)
	cands = im.derive(i, func(t string) []string { return slimNames(rule, t) }, func(j int) (Candidate, bool) {
		f, c := im.distro(j)
		if f != family || codename != "" && c != "" && c != codename {
			return Candidate{}, false // a slim tag of another release is not this tag's variant
		}
		return Candidate{
			Image: image, Tag: im.Tag(j), Variant: "slim", Libc: libcOf(f, c), DropIn: true,
			Reason: slimReason(image, f, c),
		}, true
	})
	if len(cands) == 0 {
		return nil, fmt.Sprintf("no slim variant of %s was published", ref)
	}
	return cands, ""
}

// slimNames derives the slim tag names for tag under rule.
func slimNames(rule variantRule, tag string) []string {
	switch rule.slim {
	case slimLast:
		if tag == "latest" {
			return []string{"slim"}
		}
		return []string{tag + "-slim"}
	case slimBeforeSuite:
		if tag == "latest" {
			return []string{"slim"}
		}
		toks := strings.Split(tag, "-")
		k := 0
		for k < len(toks) && !isSuite(toks[k]) && !contains(rule.modifiers, toks[k]) {
			k++
		}
		out := append(append(append([]string{}, toks[:k]...), "slim"), toks[k:]...)
		return []string{strings.Join(out, "-")}
	}
	return nil
}

func slimReason(image, family, codename string) string {
	base := release(family, codename)
	r := fmt.Sprintf("same %s on minimal %s: no compilers, make, git, curl/wget or -dev headers", image, base)
	switch image {
	case "node":
		r += ", and no ca-certificates/openssl"
	case "rust":
		r = fmt.Sprintf("same rust on minimal %s: keeps gcc and libc6-dev for linking; no make, git, curl or -dev headers", base)
	}
	return r
}

// AlpineCandidates returns the published Alpine variants of image:tag, best
// first: the floating X-alpine tag, then tags pinned to an Alpine release,
// newest first. All are musl-based, so none is a drop-in (DropIn is false).
// When there are none, why says so.
func AlpineCandidates(image, tag string) (cands []Candidate, why string) {
	im, i, why := find(image, tag)
	if im == nil {
		return nil, why
	}
	rule, ok := variantRules[image]
	if !ok {
		return nil, fmt.Sprintf("no variant naming rule for %s; not guessing", image)
	}
	ref := Ref{image, tag}
	if rule.alpine == alpineNone {
		if rule.noAlpine != "" {
			return nil, rule.noAlpine
		}
		return nil, image + " publishes no alpine tags"
	}
	if isAlpineTag(tokens(im.Tag(i))) {
		return nil, ref.String() + " is already Alpine-based"
	}
	cands = im.derive(i, func(t string) []string { return im.alpineNames(rule, t) }, func(j int) (Candidate, bool) {
		_, c := im.distro(j)
		return Candidate{
			Image: image, Tag: im.Tag(j), Variant: "alpine", Libc: "musl",
			Reason: release(Alpine, c) + " (musl libc, apk): apt-get, glibc-linked binaries and wheels/extensions built for glibc do not work",
		}, true
	})
	if len(cands) == 0 {
		return nil, fmt.Sprintf("no alpine variant of %s was published", ref)
	}
	return cands, ""
}

// alpineNames derives the alpine tag names for tag: the floating one, then
// the published ones pinned to an Alpine release (newest first).
func (im *image) alpineNames(rule variantRule, tag string) []string {
	var head, mods []string
	for _, tok := range strings.Split(tag, "-") {
		switch {
		case contains(rule.modifiers, tok):
			mods = append(mods, tok)
		case tok == "slim" || tok == "minimal" || isSuite(tok) || strings.HasPrefix(tok, "ubi") && isDigits(tok[3:]):
			// distribution words: dropped
		default:
			head = append(head, tok)
		}
	}
	prefix := "alpine"
	if len(head) > 0 && !(len(head) == 1 && head[0] == "latest") {
		prefix = strings.Join(head, "-") + "-alpine"
	}
	suffix := ""
	if len(mods) > 0 {
		suffix = "-" + strings.Join(mods, "-")
	}
	names := []string{prefix + suffix}
	type pinned struct {
		name string
		ver  []int
	}
	var pins []pinned
	for _, j := range im.withPrefix(prefix) {
		rest, ok := strings.CutSuffix(im.Tag(j)[len(prefix):], suffix)
		if rule.alpine == alpineDashVersion {
			var dash bool
			rest, dash = strings.CutPrefix(rest, "-")
			ok = ok && dash
		}
		if ok && isVersion(rest) && im.Current(j) {
			pins = append(pins, pinned{im.Tag(j), versionParts(rest)})
		}
	}
	sort.Slice(pins, func(a, b int) bool { return versionLess(pins[b].ver, pins[a].ver) })
	for _, p := range pins {
		names = append(names, p.name)
	}
	return names
}

// derive applies names to tag i and to each of its aliases, keeps the names
// that exist, drops duplicates (the same build under another name), builds
// candidates with build, and sorts still-rebuilt tags first.
func (im *image) derive(i int, names func(string) []string, build func(j int) (Candidate, bool)) []Candidate {
	var out []Candidate
	var seen []int
	// Aliases that start with the same words as the tag go first, so
	// haskell:9.14 gives 9.14-slim-bookworm (via 9.14-bookworm) rather than
	// 9.14.1-slim-bookworm; otherwise the library file's order is kept.
	tag := im.Tag(i)
	aliases := im.aliasTags(i)
	sort.SliceStable(aliases, func(a, b int) bool {
		return sharedWords(tag, aliases[a]) > sharedWords(tag, aliases[b])
	})
	sources := append([]string{tag}, aliases...)
	for _, src := range sources {
	next:
		for _, name := range names(src) {
			j, ok := im.Find(name)
			if !ok {
				continue
			}
			for _, s := range seen {
				if im.sameStanza(s, j) {
					continue next
				}
			}
			c, ok := build(j)
			if !ok {
				continue
			}
			c.Current = im.Current(j)
			if !c.Current {
				c.Reason += fmt.Sprintf("; no longer updated upstream since %s", day(im.LastSeen(j)))
			}
			seen = append(seen, j)
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Current && !out[b].Current })
	return out
}

// temurinJRE maps an eclipse-temurin JDK tag to its JRE sibling, for
// runtime stages: 17 → 17-jre, 17-jdk-noble → 17-jre-noble.
func (im *image) temurinJRE(i int, ref Ref) ([]Candidate, string) {
	if contains(tokens(im.Tag(i)), "jre") {
		return nil, ref.String() + " is already the JRE variant"
	}
	jreName := func(tag string) []string {
		toks := strings.Split(tag, "-")
		if k := index(toks, "jdk"); k >= 0 {
			toks[k] = "jre"
			return []string{strings.Join(toks, "-")}
		}
		if tag == "latest" {
			return nil
		}
		return []string{strings.Join(append([]string{toks[0], "jre"}, toks[1:]...), "-")}
	}
	cands := im.derive(i, jreName, func(j int) (Candidate, bool) {
		return Candidate{
			Image: im.Name, Tag: im.Tag(j), Variant: "jre", Libc: libcOf(im.distro(j)),
			Reason: "JRE only, no javac/jar/jlink: for the runtime stage; keep the JDK to build",
		}, true
	})
	if len(cands) == 0 {
		return nil, "no JRE variant of " + ref.String() + " was published"
	}
	return cands, ""
}

// phpCLI handles php, which has no slim tags: its apache and fpm variants
// have a cli sibling, smaller in software but only usable for CLI scripts.
func (im *image) phpCLI(i int, ref Ref) ([]Candidate, string) {
	toks := strings.Split(im.Tag(i), "-")
	k := index(toks, "apache")
	if k < 0 {
		k = index(toks, "fpm")
	}
	if k < 0 {
		return nil, "php publishes no -slim tags; " + ref.String() + " has no web server to drop (its smaller variants are the -alpine tags)"
	}
	server := toks[k]
	toks[k] = "cli"
	j, ok := im.Find(strings.Join(toks, "-"))
	if !ok {
		return nil, "php publishes no -slim tags and no cli sibling of " + ref.String()
	}
	f, c := im.distro(j)
	cand := Candidate{
		Image: "php", Tag: im.Tag(j), Variant: "cli", Current: im.Current(j), Libc: libcOf(f, c),
		Reason: fmt.Sprintf("cli variant has no %s: only a replacement when the container runs PHP from the command line, and not necessarily smaller", server),
	}
	return []Candidate{cand}, ""
}

// temurinFor maps a (deprecated) openjdk tag to eclipse-temurin: the JDK for
// build stages, the JRE for runtime stages.
func temurinFor(im *image, i int, ref Ref) ([]Candidate, string) {
	toks := tokens(im.Tag(i))
	major := leadingDigits(toks[0])
	temurin := getImage("eclipse-temurin")
	if major == "" || temurin == nil {
		return nil, "openjdk is deprecated; no Java major version in " + ref.String()
	}
	alpine := ""
	if isAlpineTag(toks) {
		alpine = "-alpine"
	}
	kinds := []string{"jdk", "jre"}
	if contains(toks, "jre") {
		kinds = []string{"jre"}
	}
	var cands []Candidate
	for _, kind := range kinds {
		j, ok := temurin.Find(major + "-" + kind + alpine)
		if !ok {
			continue
		}
		f, c := temurin.distro(j)
		reason := "openjdk is deprecated; eclipse-temurin is the maintained OpenJDK build (" + release(f, c) + ")"
		if kind == "jdk" {
			reason += ": for build stages"
		} else {
			reason += ": JRE only (no javac), for runtime stages"
		}
		cands = append(cands, Candidate{
			Image: "eclipse-temurin", Tag: temurin.Tag(j), Variant: kind,
			Current: temurin.Current(j), Libc: libcOf(f, c), Reason: reason,
		})
	}
	if len(cands) == 0 {
		return nil, fmt.Sprintf("openjdk is deprecated, but eclipse-temurin has no %s-jdk/%s-jre tags", major, major)
	}
	return cands, ""
}

// buildpackBase maps buildpack-deps:<suite>[-curl|-scm] to the distribution's
// own small image (debian:<suite>-slim, ubuntu:<codename>).
func (im *image) buildpackBase(i int, ref Ref) ([]Candidate, string) {
	family, codename := im.distro(i)
	layer, _ := FullLayer("buildpack-deps", im.Tag(i))
	target, variant := Ref{"debian", codename + "-slim"}, "slim"
	if family == Ubuntu {
		target, variant = Ref{"ubuntu", codename}, "base"
	}
	base := getImage(target.Image)
	j, ok := base.lookup(target.Tag)
	if codename == "" || !ok {
		return nil, "no base image found for " + ref.String()
	}
	lacks := map[string]string{
		LayerCurl: "curl, wget, gnupg",
		LayerSCM:  "curl, wget, gnupg, git, ssh, procps",
		LayerFull: "curl, wget, gnupg, git, ssh, procps, gcc, make and the -dev libraries",
	}[layer]
	return []Candidate{{
		Image: target.Image, Tag: target.Tag, Variant: variant, Current: base.Current(j), Libc: "glibc",
		Reason: fmt.Sprintf("same %s without the buildpack-deps layers: no %s", release(family, codename), lacks),
	}}, ""
}

// find looks up image:tag, explaining a miss.
func find(image, tag string) (*image, int, string) {
	im := getImage(image)
	if im == nil {
		return nil, 0, image + " is not an official image in the index"
	}
	i, ok := im.lookup(tag)
	if !ok {
		return nil, 0, Ref{image, tag}.String() + " is not in the official-images index"
	}
	return im, i, ""
}

func isSuite(tok string) bool {
	return isDebianCodename(tok) || tok == "sid" || slices.Contains(ubuntuTokens, tok)
}

func isAlpineTag(toks []string) bool {
	for _, t := range toks {
		if t == "alpine" || strings.HasPrefix(t, "alpine") && isVersion(t[len("alpine"):]) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// sharedWords counts the leading "-"-separated words a and b have in common.
func sharedWords(a, b string) int {
	wa, wb := strings.Split(a, "-"), strings.Split(b, "-")
	n := 0
	for n < len(wa) && n < len(wb) && wa[n] == wb[n] {
		n++
	}
	return n
}

func leadingDigits(s string) string {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return s[:n]
}

func versionParts(v string) []int {
	var out []int
	for _, p := range strings.Split(v, ".") {
		n, _ := strconv.Atoi(p)
		out = append(out, n)
	}
	return out
}

func versionLess(a, b []int) bool {
	for k := 0; k < len(a) && k < len(b); k++ {
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return len(a) < len(b)
}
