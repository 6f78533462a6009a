package multistage

import (
	"fmt"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// chooseRuntime applies the configuration to the runtime image a
// recogniser picked: the rule's runtime-base replaces it; otherwise a
// Docker Hub image is named through the registry mirror when the
// builder's FROM is.
func (si *stageInfo) chooseRuntime(rule *rewrite.Rule, p *plan) *decline {
	bases := si.c.Options.Bases
	ref := bases.RuntimeBase[rule.ID]
	if ref == "" {
		p.runtime.ref = si.mirrored(p.runtime.ref)
		if p.fallback != nil {
			fb := *p.fallback
			fb.ref = si.mirrored(fb.ref)
			p.fallback = &fb
		}
		return nil
	}
	where := fmt.Sprintf("runtime-base of %s in %s", rule.ID, rewrite.ConfigSource)
	cands := []runtimeImage{p.runtime}
	if p.fallback != nil {
		cands = append(cands, *p.fallback)
	}
	rt, known, why := si.configuredRuntime(ref, cands, bases.NoAlpine)
	if why != "" {
		return declinef(si.st.From.Start, "%s (the %s) %s", ref, where, why)
	}
	p.configured = fmt.Sprintf("%s is the %s, instead of %s", ref, where, p.runtime.ref)
	if !known {
		p.configured += ", and dockslim, which has no facts about it, takes it to be a drop-in for that image"
	}
	p.runtime, p.fallback = rt, nil
	return nil
}

// mirrored names a Docker Hub image through the builder FROM's mirror.
func (si *stageInfo) mirrored(ref string) string {
	if parser.SplitImageRef(ref).Registry != "" {
		return ref // another registry (gcr.io/distroless)
	}
	return si.image.Mirrored(ref)
}

// configuredRuntime is the runtime image ref with the facts of the
// recogniser's choice it matches (cands: the runtime, then the one used
// when it needs a shell). An image dockslim has no facts about is taken
// as the user says: a drop-in for the first choice. A known image must
// match a choice's distribution, release and, for a language image, the
// image and version; why says why it does not.
func (si *stageInfo) configuredRuntime(ref string, cands []runtimeImage, noAlpine bool) (rt runtimeImage, known bool, why string) {
	hub, _ := si.f.Unmirror(ref)
	r, _, official := images.ParseRef(hub)
	fam, suite := "", ""
	if official {
		fam, suite = images.Distro(r.Image, r.Tag)
	}
	if fam == images.Alpine && noAlpine {
		return rt, true, "is Alpine (musl), and alpine = false in " + rewrite.ConfigSource
	}
	if fam == "" {
		rt = cands[0]
		rt.ref = ref
		return rt, false, ""
	}
	var want []string
	for _, c := range cands {
		if matches(r, fam, suite, c) {
			c.ref = ref
			return c, true, ""
		}
		want = append(want, describeRuntime(c))
	}
	return rt, true, fmt.Sprintf("is %s; it does not fit: the runtime stage needs the distribution and release of %s, and the same image and version line for a language image",
		strings.TrimSpace(fam+" "+suite), strings.Join(want, " or "))
}

// matches reports whether the official image r (of family fam, release
// suite) can stand in for the runtime image c: the same distribution and
// release, and for a language image the same image and version line.
func matches(r images.Ref, fam, suite string, c runtimeImage) bool {
	if fam != c.family || c.suite != "" && suite != c.suite {
		return false
	}
	cr, _, ok := images.ParseRef(c.ref)
	if !ok || cr.Image == "debian" || cr.Image == "alpine" {
		return ok // any image of the same release has what the base has
	}
	return r.Image == cr.Image && sameVersionLine(r.Tag, cr.Tag)
}

// sameVersionLine reports whether two tags' versions (3.11.9-slim, 3.11)
// agree as far as both go: 3.11.9 is on the 3.11 line, 3.12 is not.
func sameVersionLine(a, b string) bool {
	va, _, _ := strings.Cut(a, "-")
	vb, _, _ := strings.Cut(b, "-")
	pa, pb := strings.Split(va, "."), strings.Split(vb, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			return false
		}
	}
	return true
}

// describeRuntime says what a runtime choice is, for a decline.
func describeRuntime(c runtimeImage) string {
	return fmt.Sprintf("%s (%s)", c.ref, strings.TrimSpace(c.family+" "+c.suite))
}
