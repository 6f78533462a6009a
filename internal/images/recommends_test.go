package images

import (
	"strings"
	"testing"
)

func TestLosesCACerts(t *testing.T) {
	// Checked by hand against bookworm's Packages: curl Depends libcurl4,
	// which Recommends ca-certificates; wget and git Recommend it
	// themselves; python3-requests and python3-pip Depend on it; gnupg,
	// dirmngr, openssl and openssh-client do not Recommend it at all.
	for pkg, want := range map[string]bool{
		"curl": true, "wget": true, "git": true, "libcurl4": true,
		"gnupg": false, "dirmngr": false, "openssl": false, "openssh-client": false,
		"python3-requests": false, "python3-pip": false, "ca-certificates": false,
		"": false, "no-such-package": false, "#": false, "zzzz": false, "0": false,
	} {
		if got := LosesCACerts(pkg); got != want {
			t.Errorf("LosesCACerts(%q) = %v, want %v", pkg, got, want)
		}
	}
}

func TestBringsCACerts(t *testing.T) {
	for pkg, want := range map[string]bool{
		"ca-certificates": true, "python3-requests": true, "python3-pip": true, "python3-certifi": true,
		"curl": false, "wget": false, "git": false, "openssl": false, "": false, "#": false,
	} {
		if got := BringsCACerts(pkg); got != want {
			t.Errorf("BringsCACerts(%q) = %v, want %v", pkg, got, want)
		}
	}
}

// The embedded list is sorted, every line is found, and neighbours of every
// line that are not lines are not.
func TestLosesCACertsList(t *testing.T) {
	testSortedList(t, "debian-loses-ca-certs.txt", losesCACertsTXT, LosesCACerts)
	testSortedList(t, "debian-brings-ca-certs.txt", bringsCACertsTXT, BringsCACerts)
	// A package is in one list at most.
	for _, l := range strings.Split(bringsCACertsTXT, "\n")[1:] {
		if l != "" && LosesCACerts(l) {
			t.Errorf("%s both brings and loses ca-certificates", l)
		}
	}
}

func testSortedList(t *testing.T, name, text string, lookup func(string) bool) {
	t.Helper()
	if !strings.HasPrefix(text, "# ") || !strings.HasSuffix(text, "\n") {
		t.Fatalf("%s: want a # header and a final newline", name)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")[1:]
	if len(lines) < 1000 {
		t.Fatalf("only %d packages", len(lines))
	}
	listed := map[string]bool{}
	for _, l := range lines {
		listed[l] = true
	}
	for i, l := range lines {
		if i > 0 && lines[i-1] >= l {
			t.Fatalf("not sorted: %q before %q", lines[i-1], l)
		}
		if !lookup(l) {
			t.Errorf("%s: %q listed but not found", name, l)
		}
		if lookup(l+"~") || lookup(l[:len(l)-1]) != listed[l[:len(l)-1]] {
			t.Errorf("a neighbour of %q is found", l)
		}
	}
}

func TestShipsCACerts(t *testing.T) {
	for _, tc := range []struct {
		image, tag   string
		ships, known bool
	}{
		{"python", "3.12-bookworm", true, true},
		{"python", "3.12-slim-bookworm", true, true},
		{"ruby", "3.3-slim-bookworm", true, true},
		{"node", "20-bookworm", true, true},
		{"node", "20-bookworm-slim", false, true},
		{"buildpack-deps", "bookworm-curl", true, true},
		{"debian", "bookworm-slim", false, true},
		{"debian", "bookworm", false, true},
		{"ubuntu", "22.04", false, true},
		{"python", "3.12-alpine", false, false},
		{"nginx", "1.25", false, false},
		{"myorg/app", "1", false, false},
	} {
		ships, known := ShipsCACerts(tc.image, tc.tag)
		if ships != tc.ships || known != tc.known {
			t.Errorf("ShipsCACerts(%s:%s) = %v, %v; want %v, %v", tc.image, tc.tag, ships, known, tc.ships, tc.known)
		}
	}
}

func BenchmarkLosesCACerts(b *testing.B) {
	for b.Loop() {
		LosesCACerts("curl")
		LosesCACerts("python3-requests")
	}
}

func TestLibcDev(t *testing.T) {
	for _, p := range []string{"gcc", "gcc-12"} {
		if !LosesLibcDev(p) {
			t.Errorf("LosesLibcDev(%q) = false", p)
		}
	}
	for _, p := range []string{"build-essential", "g++", "python3-dev"} {
		if LosesLibcDev(p) || !BringsLibcDev(p) {
			t.Errorf("%s brings libc6-dev", p)
		}
	}
	for _, c := range []struct {
		image, tag   string
		ships, known bool
	}{
		{"python", "3.12-bookworm", true, true},
		{"python", "3.12-slim-bookworm", false, true},
		{"golang", "1.22-bookworm", true, true},
		{"debian", "bookworm-slim", false, true},
		{"node", "20-bookworm-slim", false, true},
		{"nginx", "1.27", false, false},
	} {
		ships, known := ShipsLibcDev(c.image, c.tag)
		if ships != c.ships || known != c.known {
			t.Errorf("ShipsLibcDev(%s:%s) = %v, %v; want %v, %v", c.image, c.tag, ships, known, c.ships, c.known)
		}
	}
}
