package pkgcache

import (
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

func lastRun(t *testing.T, src string) (*parser.File, *parser.Instruction) {
	t.Helper()
	f := parsertest.Load(t, src)
	runs := langRunInstructions(f)
	return f, runs[len(runs)-1]
}

func TestLangBoolish(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "YES": true, "on": true, "$X": true,
		"0": false, "false": false, "Off": false, "no": false, "": false} {
		if got := langBoolish(v); got != want {
			t.Errorf("langBoolish(%q) = %v", v, got)
		}
	}
}

func TestLangCommandWords(t *testing.T) {
	_, in := lastRun(t, "FROM a\nRUN sudo -E npm --prefix /app --loglevel warn ci --omit=dev\n")
	lc := langCommands(in)[0]
	words, idx := lc.Words(shellcmd.Npm.ValueOpts)
	if lc.Name != "npm" || len(words) == 0 || words[0] != "ci" || idx[0] != 5 {
		t.Fatalf("got %q %v %v", lc.Name, words, idx)
	}
	_, in = lastRun(t, "FROM a\nRUN php /usr/bin/composer.phar -d x install\n")
	cc := composerCmd(langCommands(in)[0])
	if i, sub := composerInstall(cc); cc.Name != "composer.phar" || sub != "install" || i != 3 {
		t.Fatalf("composer: %q %d %q", cc.Name, i, sub)
	}
	_, in = lastRun(t, "FROM a\nRUN [\"env\", \"A=1\", \"/usr/bin/python3\", \"-m\", \"pip\", \"install\", \"x\"]\n")
	lc = langCommands(in)[0]
	if lc.Name != "pip" || lc.Assigns["A"] != "1" || lc.Args[1] != "install" {
		t.Fatalf("json: %q %v %q", lc.Name, lc.Assigns, lc.Args)
	}
}

func TestYarnVersionIsBerry(t *testing.T) {
	for v, want := range map[string]bool{"1.22.19": false, "classic": false, "": false,
		"4.5.0": true, "stable": true, "berry": true, "3": true} {
		if got := yarnVersionIsBerry(v); got != want {
			t.Errorf("yarnVersionIsBerry(%q) = %v", v, got)
		}
	}
}

// Every rule's documented Before gives its After.
func TestRuleExamples(t *testing.T) {
	rules := []*rewrite.Rule{RulePipNoCacheDir, RuleUvNoCache, RulePoetryCache, RuleNpmCacheClean,
		RuleNpmCacheCleanForce, RuleYarnCacheClean, RulePnpmStorePrune, RuleGemNoDocument,
		RuleBundlerCache, RuleCondaClean, RuleComposerNoCache, RuleGoCacheMount}
	for _, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if r.Explanation == "" || r.Summary == "" || r.Before == "" || r.After == "" {
				t.Fatal("rule is not documented")
			}
			src := r.Before + "\n"
			if len(src) < 5 || src[:5] != "FROM " {
				src = "FROM debian:bookworm-slim AS build\n" + src + "FROM scratch\n"
			}
			opts := rewrite.Options{Selector: rewrite.Selector{Select: []string{r.ID}}, CacheMounts: r == RuleGoCacheMount}
			res, err := testEngine(t).Run("Dockerfile", []byte(src), opts)
			if err != nil {
				t.Fatal(err)
			}
			want := r.After + "\n"
			if src[:5] != r.Before[:5] {
				want = "FROM debian:bookworm-slim AS build\n" + want + "FROM scratch\n"
			}
			if string(res.Output) != want {
				t.Errorf("Before gives\n%s\nwant\n%s", res.Output, want)
			}
		})
	}
}

// testEngine runs this package's passes (and rewrite.InvalidPass), in the
// order of rewrite/all's list.
func testEngine(t testing.TB) *rewrite.Engine {
	t.Helper()
	e, err := rewrite.NewEngine(ApkPass, AptPass, ArchivePass, BundlerPass, ComposerPass, CondaPass, GemPass, GoCachePass,
		rewrite.InvalidPass, LayerCleanupPass, NpmPass, PipPass, PnpmPass, PoetryPass, UvPass, YarnPass, YumPass, ZypperPass)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
