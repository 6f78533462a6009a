package images

import (
	"strings"
	"testing"
)

func TestSlimMissing(t *testing.T) {
	for _, tc := range []struct {
		cmd, pkg, layer string
		ok              bool
	}{
		{"git", "git", LayerSCM, true},
		{"gcc", "gcc", LayerFull, true},
		{"cc", "gcc", LayerFull, true},
		{"c++", "g++", LayerFull, true},
		{"make", "make", LayerFull, true},
		{"curl", "curl", LayerCurl, true},
		{"xz", "xz-utils", LayerFull, true},
		{"ps", "procps", LayerSCM, true},
		{"convert", "imagemagick-6.q16", LayerFull, true},
		{"tar", "", "", false},  // in slim
		{"zip", "", "", false},  // in neither
		{"node", "", "", false}, // the image's own, in /usr/local
	} {
		pkg, layer, ok := SlimMissing(tc.cmd)
		if pkg != tc.pkg || layer != tc.layer || ok != tc.ok {
			t.Errorf("SlimMissing(%q) = %q, %q, %v; want %q, %q, %v", tc.cmd, pkg, layer, ok, tc.pkg, tc.layer, tc.ok)
		}
	}
	for cmd, want := range map[string]bool{
		"tar": true, "gzip": true, "perl": true, "openssl": true, "apt-get": true, "gpgv": true,
		"git": false, "gcc": false, "zip": false, "": false,
	} {
		if InSlim(cmd) != want {
			t.Errorf("InSlim(%q) = %v", cmd, !want)
		}
	}
}

func TestFullLayer(t *testing.T) {
	for _, tc := range []struct {
		image, tag, layer string
		ok                bool
	}{
		{"python", "3.12-bookworm", LayerFull, true},
		{"python", "3.12", LayerFull, true}, // trixie: still buildpack-deps based
		{"node", "22", LayerFull, true},
		{"ruby", "3.4-bookworm", LayerFull, true},
		{"golang", "1.22", LayerSCM, true},
		{"golang", "1.26-bookworm", LayerSCM, true},
		{"buildpack-deps", "bookworm", LayerFull, true},
		{"buildpack-deps", "bookworm-scm", LayerSCM, true},
		{"buildpack-deps", "bookworm-curl", LayerCurl, true},
		{"buildpack-deps", "jammy-curl", LayerCurl, true},
		{"python", "3.12-slim-bookworm", "", false},
		{"python", "3.12-alpine", "", false},
		{"golang", "1.22-alpine", "", false},
		{"php", "8.2", "", false},
		{"debian", "bookworm", "", false},
		{"python", "3.99", "", false},
	} {
		layer, ok := FullLayer(tc.image, tc.tag)
		if layer != tc.layer || ok != tc.ok {
			t.Errorf("FullLayer(%s:%s) = %q, %v; want %q, %v", tc.image, tc.tag, layer, ok, tc.layer, tc.ok)
		}
	}
}

func TestCheckCommand(t *testing.T) {
	pyFull, pySlim := Ref{"python", "3.12-bookworm"}, Ref{"python", "3.12-slim-bookworm"}
	nodeFull, nodeSlim := Ref{"node", "22-bookworm"}, Ref{"node", "22-bookworm-slim"}
	rustFull, rustSlim := Ref{"rust", "1-bookworm"}, Ref{"rust", "1-slim-bookworm"}
	goFull, debSlim := Ref{"golang", "1.22-bookworm"}, Ref{"debian", "bookworm-slim"}
	for _, tc := range []struct {
		from, to Ref
		cmd      string
		presence Presence
		pkg      string
	}{
		{pyFull, pySlim, "git", Missing, "git"},
		{pyFull, pySlim, "gcc", Missing, "gcc"},
		{pyFull, pySlim, "cc", Missing, "gcc"},
		{pyFull, pySlim, "tar", Unaffected, ""},
		{pyFull, pySlim, "zip", Unaffected, ""},     // in neither
		{pyFull, pySlim, "pip", Unaffected, ""},     // the image's own
		{pyFull, pySlim, "python3", Unaffected, ""}, // the image's own, shadowing Debian's
		{pyFull, pySlim, "openssl", Unaffected, ""}, // python's slim keeps ca-certificates
		{pyFull, debSlim, "python3", Missing, "python3-minimal"},
		{Ref{"python", "3.12"}, pySlim, "git", Unknown, ""}, // trixie
		{nodeFull, nodeSlim, "openssl", Missing, "openssl"},
		{nodeFull, nodeSlim, "c_rehash", Missing, "openssl"},
		{nodeFull, nodeSlim, "update-ca-certificates", Missing, "ca-certificates"},
		{nodeFull, nodeSlim, "curl", Missing, "curl"},
		{nodeFull, nodeSlim, "tar", Unaffected, ""},
		{rustFull, rustSlim, "cc", Unaffected, ""}, // rust's slim keeps gcc
		{rustFull, rustSlim, "make", Missing, "make"},
		{rustFull, rustSlim, "c++", Missing, "g++"},
		{goFull, debSlim, "make", Missing, "make"}, // golang adds make on top of scm
		{goFull, debSlim, "git", Missing, "git"},
		{goFull, debSlim, "convert", Unaffected, ""}, // imagemagick is only in the full layer
		{goFull, debSlim, "openssl", Missing, "openssl"},
		{Ref{"buildpack-deps", "bookworm-curl"}, debSlim, "curl", Missing, "curl"},
		{Ref{"buildpack-deps", "bookworm-curl"}, debSlim, "git", Unaffected, ""},
		{Ref{"perl", "5-bookworm"}, Ref{"perl", "5-slim-bookworm"}, "git", Unknown, ""}, // not modelled
		{pySlim, pySlim, "git", Unknown, ""},
		{pyFull, Ref{"python", "3.12-alpine"}, "git", Unknown, ""},
	} {
		got := CheckCommand(tc.from, tc.to, tc.cmd)
		if got.Presence != tc.presence || got.Package != tc.pkg {
			t.Errorf("CheckCommand(%s → %s, %q) = %+v; want %v %q", tc.from, tc.to, tc.cmd, got, tc.presence, tc.pkg)
		}
		if (got.Presence == Unknown) != (got.Reason != "") {
			t.Errorf("CheckCommand(%s → %s, %q): reason %q with %v", tc.from, tc.to, tc.cmd, got.Reason, got.Presence)
		}
	}
	got := CheckCommand(Ref{"python", "3.12"}, Ref{"python", "3.12-slim"}, "git")
	if want := "python:3.12 is not Debian bookworm (Debian trixie); the full/slim table covers bookworm only"; got.Reason != want {
		t.Errorf("reason %q, want %q", got.Reason, want)
	}
}

// The lookups scan the embedded text, so its shape is checked here: a
// header, then one "command\tpackage\tlayer" row per line, each command
// once; the slim list one command per line.
func TestEmbeddedCommandTables(t *testing.T) {
	lines := strings.Split(fullVsSlimTSV, "\n")
	if lines[0] != "command\tpackage\tlayer" || lines[len(lines)-1] != "" {
		t.Fatalf("debian-full-vs-slim.tsv: header %q, last line %q", lines[0], lines[len(lines)-1])
	}
	seen := map[string]bool{}
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.Split(l, "\t")
		if len(f) != 3 || f[0] == "" || f[1] == "" || layerRank[f[2]] == 0 || seen[f[0]] {
			t.Fatalf("debian-full-vs-slim.tsv: bad or repeated row %q", l)
		}
		seen[f[0]] = true
		pkg, layer, ok := SlimMissing(f[0])
		if !ok || pkg != f[1] || layer != f[2] {
			t.Errorf("SlimMissing(%q) = %q, %q, %v; want %q, %q", f[0], pkg, layer, ok, f[1], f[2])
		}
	}
	if !strings.HasSuffix(slimCommandsTXT, "\n") {
		t.Fatal("debian-slim-commands.txt: no final newline")
	}
	for _, c := range strings.Split(strings.TrimSuffix(slimCommandsTXT, "\n"), "\n") {
		if c == "" || strings.ContainsAny(c, " \t") {
			t.Fatalf("debian-slim-commands.txt: bad line %q", c)
		}
		if !InSlim(c) {
			t.Errorf("InSlim(%q) = false", c)
		}
	}
	for _, c := range []string{"", "\t", "gcc\tbinutils", "pytho", "ython3", "add-shel", "dd-shell"} {
		if _, _, ok := SlimMissing(c); ok && c != "" {
			t.Errorf("SlimMissing(%q) found a row", c)
		}
		if InSlim(c) {
			t.Errorf("InSlim(%q) = true", c)
		}
	}
}
