package images

import (
	"strings"
	"testing"
)

func tagsOf(cands []Candidate) []string {
	var out []string
	for _, c := range cands {
		out = append(out, c.Ref().String())
	}
	return out
}

func TestSlimCandidates(t *testing.T) {
	for _, tc := range []struct {
		image, tag string
		want       []string // image:tag of each candidate, in order
		dropIn     bool     // of the first candidate
		why        string   // substring of the reason when there are none
	}{
		{"python", "3.11", []string{"python:3.11-slim"}, true, ""},
		{"python", "", []string{"python:slim"}, true, ""},
		{"python", "3.11-bookworm", []string{"python:3.11-slim-bookworm"}, true, ""},
		{"python", "3.11.16-bookworm", []string{"python:3.11.16-slim-bookworm"}, true, ""},
		{"python", "3.8", []string{"python:3.8-slim"}, true, ""}, // end-of-life, still listed
		{"python", "bookworm", []string{"python:slim-bookworm"}, true, ""},
		{"python", "3.15-rc-bookworm", []string{"python:3.15-rc-slim-bookworm"}, true, ""},
		{"ruby", "3.4-bookworm", []string{"ruby:3.4-slim-bookworm"}, true, ""},
		{"rust", "1-bookworm", []string{"rust:1-slim-bookworm"}, true, ""},
		{"perl", "5-threaded-bookworm", []string{"perl:5-slim-threaded-bookworm"}, true, ""},
		{"pypy", "3.11-bookworm", []string{"pypy:3.11-slim-bookworm"}, true, ""},
		{"haskell", "9.14", []string{"haskell:9.14-slim-bookworm"}, true, ""}, // via alias 9.14-bookworm
		{"node", "22", []string{"node:22-slim"}, true, ""},
		{"node", "18-bookworm", []string{"node:18-bookworm-slim"}, true, ""},
		{"node", "22-bookworm", []string{"node:22-bookworm-slim"}, true, ""},
		{"node", "lts", []string{"node:lts-slim"}, true, ""},
		{"node", "latest", []string{"node:slim"}, true, ""},
		{"debian", "bookworm", []string{"debian:bookworm-slim"}, true, ""},
		{"debian", "12", []string{"debian:12-slim"}, true, ""},
		{"debian", "latest", []string{"debian:trixie-slim"}, true, ""},
		{"erlang", "26", []string{"erlang:26-slim"}, true, ""},
		{"elixir", "1.16-otp-26", []string{"elixir:1.16-otp-26-slim"}, true, ""},
		{"elixir", "latest", []string{"elixir:slim"}, true, ""},
		// Not drop-ins.
		{"php", "8.2-apache", []string{"php:8.2-cli"}, false, ""},
		{"php", "8.2-fpm-bookworm", []string{"php:8.2-cli-bookworm"}, false, ""},
		{"openjdk", "17", []string{"eclipse-temurin:17-jdk", "eclipse-temurin:17-jre"}, false, ""},
		{"openjdk", "11-jre-slim", []string{"eclipse-temurin:11-jre"}, false, ""},
		{"eclipse-temurin", "21", []string{"eclipse-temurin:21-jre"}, false, ""},
		{"eclipse-temurin", "21-jdk-noble", []string{"eclipse-temurin:21-jre-noble"}, false, ""},
		{"buildpack-deps", "bookworm", []string{"debian:bookworm-slim"}, false, ""},
		{"buildpack-deps", "bookworm-scm", []string{"debian:bookworm-slim"}, false, ""},
		{"buildpack-deps", "jammy", []string{"ubuntu:jammy"}, false, ""},
		// None, with a reason.
		{"golang", "1.22", nil, false, "golang publishes no -slim tags"},
		{"golang", "1.22-bookworm", nil, false, "golang publishes no -slim tags"},
		{"ubuntu", "22.04", nil, false, "already minimal"},
		{"gcc", "12", nil, false, "gcc publishes no slim"},
		{"php", "8.2", nil, false, "no web server to drop"},
		{"openjdk", "28-ea", nil, false, "no 28-jdk/28-jre"},
		{"python", "3.11-slim", nil, false, "already a slim variant"},
		{"node", "22-bookworm-slim", nil, false, "already a slim variant"},
		{"python", "3.11-alpine", nil, false, "already Alpine"},
		{"eclipse-temurin", "21-jre", nil, false, "already the JRE"},
		{"python", "3.99", nil, false, "not in the official-images index"},
		{"python", "sha256:0123abcd", nil, false, "not in the official-images index"},
		{"myorg/python", "3.11", nil, false, "not an official image"},
		{"postgres", "16", nil, false, "postgres publishes no slim tags"},
		{"mysql", "8.0", nil, false, "no variant naming rule for mysql"},
		{"debian", "bookworm-backports", nil, false, "no slim variant of debian:bookworm-backports"},
	} {
		cands, why := SlimCandidates(tc.image, tc.tag)
		got := tagsOf(cands)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("SlimCandidates(%s:%s) = %q (%s), want %q", tc.image, tc.tag, got, why, tc.want)
			continue
		}
		if len(cands) == 0 {
			if !strings.Contains(why, tc.why) || why == "" {
				t.Errorf("SlimCandidates(%s:%s) why = %q, want it to contain %q", tc.image, tc.tag, why, tc.why)
			}
			continue
		}
		if why != "" {
			t.Errorf("SlimCandidates(%s:%s) why = %q with candidates", tc.image, tc.tag, why)
		}
		if cands[0].DropIn != tc.dropIn {
			t.Errorf("SlimCandidates(%s:%s)[0].DropIn = %v", tc.image, tc.tag, cands[0].DropIn)
		}
	}
}

func TestCandidateFields(t *testing.T) {
	c, _ := SlimCandidates("python", "3.11-bookworm")
	want := Candidate{
		Image: "python", Tag: "3.11-slim-bookworm", Variant: "slim", Current: true, Libc: "glibc", DropIn: true,
		Reason: "same python on minimal Debian bookworm: no compilers, make, git, curl/wget or -dev headers",
	}
	if len(c) != 1 || c[0] != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	c, _ = SlimCandidates("node", "18-bookworm")
	if len(c) != 1 || c[0].Current || !strings.HasSuffix(c[0].Reason, "no longer updated upstream since 2025-05-26") {
		t.Errorf("node:18-bookworm: %+v", c)
	}
	c, _ = SlimCandidates("openjdk", "17")
	if len(c) != 2 || c[0].Variant != "jdk" || c[1].Variant != "jre" || !strings.Contains(c[1].Reason, "runtime") {
		t.Errorf("openjdk:17: %+v", c)
	}
}

func TestAlpineCandidates(t *testing.T) {
	for _, tc := range []struct {
		image, tag string
		want       []string
		why        string
	}{
		{"python", "3.11", []string{"python:3.11-alpine", "python:3.11-alpine3.23"}, ""}, // 3.11-alpine is 3.24
		{"python", "3.11-slim-bookworm", []string{"python:3.11-alpine", "python:3.11-alpine3.23"}, ""},
		{"python", "", []string{"python:alpine", "python:alpine3.23"}, ""},
		{"python", "3.8", []string{"python:3.8-alpine"}, ""}, // pinned ones of dead lines are left out
		{"node", "22-bookworm-slim", []string{"node:22-alpine", "node:22-alpine3.23"}, ""},
		{"node", "18", []string{"node:18-alpine"}, ""},
		{"golang", "1.22", []string{"golang:1.22-alpine"}, ""},
		{"golang", "1.26-bookworm", []string{"golang:1.26-alpine", "golang:1.26-alpine3.23"}, ""},
		{"rust", "1", []string{"rust:1-alpine", "rust:1-alpine3.23", "rust:1-alpine3.22", "rust:1-alpine3.21"}, ""},
		{"php", "8.2-fpm", []string{"php:8.2-fpm-alpine", "php:8.2-fpm-alpine3.23"}, ""},
		{"eclipse-temurin", "17-jre", []string{"eclipse-temurin:17-jre-alpine", "eclipse-temurin:17-jre-alpine-3.23", "eclipse-temurin:17-jre-alpine-3.22", "eclipse-temurin:17-jre-alpine-3.21"}, ""},
		{"nginx", "1.30-perl", []string{"nginx:1.30-alpine-perl"}, ""},
		{"nginx", "latest", []string{"nginx:alpine"}, ""},
		{"postgres", "16-bookworm", []string{"postgres:16-alpine", "postgres:16-alpine3.23"}, ""},
		{"php", "8.2-apache", nil, "no alpine variant of php:8.2-apache"},
		{"python", "3.11-alpine", nil, "already Alpine"},
		{"debian", "bookworm", nil, "another distribution"},
		{"perl", "5", nil, "perl publishes no alpine tags"},
		{"python", "3.99", nil, "not in the official-images index"},
	} {
		cands, why := AlpineCandidates(tc.image, tc.tag)
		got := tagsOf(cands)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("AlpineCandidates(%s:%s) = %q (%s), want %q", tc.image, tc.tag, got, why, tc.want)
			continue
		}
		if len(cands) == 0 && (why == "" || !strings.Contains(why, tc.why)) {
			t.Errorf("AlpineCandidates(%s:%s) why = %q, want %q", tc.image, tc.tag, why, tc.why)
		}
		for _, c := range cands {
			if c.Libc != "musl" || c.DropIn || c.Variant != "alpine" {
				t.Errorf("AlpineCandidates(%s:%s): %+v", tc.image, tc.tag, c)
			}
		}
	}
}

// TestSlimRulesCoverIndex checks the naming rules against every current slim
// tag of the images they cover: the tag's non-slim sibling, when published,
// must list it (or another name of the same build) as a slim candidate.
func TestSlimRulesCoverIndex(t *testing.T) {
	checked := 0
	for image, rule := range variantRules {
		if rule.slim != slimBeforeSuite && rule.slim != slimLast {
			continue
		}
		im := getImage(image)
		for i := 0; i < im.Len(); i++ {
			tag := im.Tag(i)
			words := strings.Split(tag, "-")
			k := index(words, "slim")
			if !im.Current(i) || k < 0 {
				continue
			}
			base := strings.Join(append(append([]string{}, words[:k]...), words[k+1:]...), "-")
			if base == "" {
				base = "latest"
			}
			if info, ok := Tag(image, base); !ok || !info.Current {
				continue
			}
			cands, why := SlimCandidates(image, base)
			found := false
			for _, c := range cands {
				j, _ := im.Find(c.Tag)
				found = found || im.sameStanza(i, j)
			}
			if !found {
				t.Errorf("%s:%s: candidates %q (%s) miss %s", image, base, tagsOf(cands), why, tag)
			}
			checked++
		}
	}
	t.Logf("%d slim tags checked", checked)
	if checked < 200 {
		t.Errorf("only %d slim tags checked", checked)
	}
}

// TestAlpineRulesCoverIndex does the same for the floating X-alpine tags.
func TestAlpineRulesCoverIndex(t *testing.T) {
	checked := 0
	for image, rule := range variantRules {
		if rule.alpine == alpineNone {
			continue
		}
		im := getImage(image)
		for i := 0; i < im.Len(); i++ {
			tag := im.Tag(i)
			base, isFloating := strings.CutSuffix(tag, "-alpine")
			if tag == "alpine" {
				base, isFloating = "latest", true
			}
			if !im.Current(i) || !isFloating {
				continue
			}
			if info, ok := Tag(image, base); !ok || !info.Current {
				continue
			}
			cands, why := AlpineCandidates(image, base)
			if len(cands) == 0 {
				t.Errorf("%s:%s: no alpine candidates (%s), want %s", image, base, why, tag)
				continue
			}
			j, _ := im.Find(cands[0].Tag)
			if !im.sameStanza(i, j) {
				t.Errorf("%s:%s: first alpine candidate %s, want %s", image, base, cands[0].Tag, tag)
			}
			checked++
		}
	}
	t.Logf("%d alpine tags checked", checked)
	if checked < 100 {
		t.Errorf("only %d alpine tags checked", checked)
	}
}

// TestCandidatesArePublished: whatever the rules derive, every candidate of
// every current tag of the covered images exists in the index.
func TestCandidatesArePublished(t *testing.T) {
	for image := range variantRules {
		im := getImage(image)
		for i := 0; i < im.Len(); i++ {
			if !im.Current(i) {
				continue
			}
			slim, _ := SlimCandidates(image, im.Tag(i))
			alpine, _ := AlpineCandidates(image, im.Tag(i))
			for _, c := range append(slim, alpine...) {
				info, ok := Tag(c.Image, c.Tag)
				if !ok || info.Current != c.Current || c.Libc == "" || c.Reason == "" {
					t.Errorf("%s:%s → %+v (in index: %v)", image, im.Tag(i), c, ok)
				}
				if c.Image == image && c.Tag == im.Tag(i) {
					t.Errorf("%s:%s is its own candidate", image, im.Tag(i))
				}
			}
		}
	}
}
