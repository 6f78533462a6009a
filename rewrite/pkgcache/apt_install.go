package pkgcache

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

func aptRecommends(c *rewrite.Context, call *osCall) {
	if call.Any(func(a string) bool {
		return strings.HasPrefix(a, "--no-install-recommends") || strings.HasPrefix(a, "--install-recommends") ||
			strings.Contains(strings.ToLower(a), "install-recommends")
	}) || osConfigured(call.In, "APT::Install-Recommends") {
		return
	}
	if ins := modelInstall(c.File, call); ins != nil && ins.Unknown > 0 {
		c.Reportf(RuleAptNoRecommends, call.Start(call.Sub),
			"%s install: --no-install-recommends would keep recommended packages out, but some packages are named through variables dockslim cannot resolve, so it cannot tell which of them later steps need; add the flag by hand (with the packages they need)", call.Name)
		return
	}
	edits := call.InsertAfter(c.File, call.Sub, "--no-install-recommends")
	var keeps, whys []string
	for _, k := range stagestate.NeededRecommends {
		if client := recommendNeeded(c.File, call, k); client != "" {
			keeps = append(keeps, k.Pkg)
			whys = append(whys, fmt.Sprintf("%s, a recommended package that %s needs %s", k.Pkg, client, k.For))
		}
	}
	if len(keeps) == 0 {
		call.osFix(c, RuleAptNoRecommends, call.Start(call.Sub), edits,
			"%s install: add --no-install-recommends so that recommended packages stay out of the image", call.Name)
		return
	}
	keep := addPackages(c.File, call, keeps)
	if keep == nil {
		c.Reportf(RuleAptNoRecommends, call.Start(call.Sub),
			"%s install: --no-install-recommends would drop %s, and dockslim cannot add the package to this command; add both by hand", call.Name, strings.Join(whys, "; "))
		return
	}
	call.osFix(c, RuleAptNoRecommends, call.Start(call.Sub), append(edits, keep...),
		"%s install: add --no-install-recommends so that recommended packages stay out of the image, and %s", call.Name, strings.Join(whys, "; and "))
}

// modelInstall is the stage model's view of the install call runs (its
// packages with variables resolved), or nil.
func modelInstall(f *parser.File, call *osCall) *stagestate.Install {
	r := stagestate.Of(f).Run(call.In)
	if r == nil {
		return nil
	}
	for i := range r.Installs {
		ins := &r.Installs[i]
		if call.Cmd == nil && ins.Cmd == nil || call.Cmd != nil && ins.Cmd != nil && ins.Start == call.Start(0) {
			return ins
		}
	}
	return nil
}

// recommendNeeded returns the first package of the install that loses k
// without its recommends (curl for ca-certificates, gcc for libc6-dev),
// when the stage does not already have k (shipped by the base, installed
// earlier or in this command, brought by a dependency); else "".
func recommendNeeded(f *parser.File, call *osCall, k stagestate.Recommended) (client string) {
	var pkgs []string
	if ins := modelInstall(f, call); ins != nil {
		pkgs = ins.Packages // variables resolved
	}
	for _, p := range pkgs {
		if p == k.Pkg || k.Brings(p) {
			return "" // named, or a dependency of another package
		}
		if client == "" && k.Loses(p) {
			client = p
		}
	}
	if client == "" {
		return ""
	}
	if r := stagestate.Of(f).Run(call.In); r != nil {
		if k.Has(r.Before) {
			return ""
		}
		for _, ins := range r.Installs {
			if ins.Cmd != nil && call.Cmd != nil && ins.Cmd == call.Cmd {
				break
			}
			if slices.Contains(ins.Packages, k.Pkg) {
				return ""
			}
		}
	}
	return client
}

func aptYes(c *rewrite.Context, call *osCall) {
	if aptAssumesYes(call.Lits) || osConfigured(call.In, "Assume-Yes") {
		return
	}
	call.osFix(c, RuleAptAssumeYes, call.Start(call.Sub), call.InsertAfter(c.File, call.Sub, "-y"),
		"%s %s: add -y, a build cannot answer apt's confirmation prompt", call.Name, call.Subcmd())
}

// aptAssumesYes reports whether apt's arguments already answer yes.
func aptAssumesYes(lits []string) bool {
	quiet := 0
	for i := 1; i < len(lits); i++ {
		a := lits[i]
		switch {
		case a == "--yes" || a == "--assume-yes" || strings.HasPrefix(a, "--yes=") || strings.HasPrefix(a, "--assume-yes="):
			return true
		case a == "--quiet":
			quiet++
		case strings.HasPrefix(a, "--quiet="):
			n, _ := strconv.Atoi(a[len("--quiet="):])
			quiet += n
		case strings.HasPrefix(a, "-q="):
			n, _ := strconv.Atoi(a[len("-q="):])
			quiet += n
		case a == "-o" || a == "--option":
			if i+1 < len(lits) && isAssumeYesOpt(lits[i+1]) {
				return true
			}
			i++
		case strings.HasPrefix(a, "--option="):
			if isAssumeYesOpt(a[len("--option="):]) {
				return true
			}
		case slices.Contains(shellcmd.Apt.ValueOpts, a):
			i++
		default:
			letters := shortCluster(a)
			if letters == "" {
				continue
			}
			if strings.ContainsRune("octaP", rune(letters[0])) {
				// -oFoo=bar: the rest of the word is a value
				if letters[0] == 'o' && isAssumeYesOpt(letters[1:]) {
					return true
				}
				continue
			}
			if strings.Contains(letters, "y") {
				return true
			}
			quiet += strings.Count(letters, "q")
		}
	}
	return quiet >= 2
}

func isAssumeYesOpt(v string) bool {
	return strings.HasPrefix(strings.ToLower(v), "apt::get::assume-yes")
}
