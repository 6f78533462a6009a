package images

import (
	"strings"
	"testing"
)

func TestDistro(t *testing.T) {
	for _, tc := range []struct {
		image, tag       string
		family, codename string
		libc             string
	}{
		{"python", "3.11", Debian, "trixie", "glibc"}, // via its alias 3.11-trixie
		{"python", "3.11-bookworm", Debian, "bookworm", "glibc"},
		{"python", "3.11-slim-bookworm", Debian, "bookworm", "glibc"},
		{"python", "", Debian, "trixie", "glibc"},
		{"python", "3.9", Debian, "trixie", "glibc"},     // not current: from its directory 3.9/trixie
		{"python", "3.8", Debian, "bookworm", "glibc"},   // directory 3.8/bookworm
		{"node", "22", Debian, "bookworm", "glibc"},      // unsuffixed node is bookworm
		{"node", "18-slim", Debian, "bookworm", "glibc"}, // directory 18/bookworm-slim
		{"golang", "1.22", Debian, "bookworm", "glibc"},
		{"gcc", "12", Debian, "bookworm", "glibc"},
		{"gcc", "14", Debian, "trixie", "glibc"},
		{"erlang", "26", Debian, "", "glibc"}, // nothing says which release
		{"python", "3.11-alpine", Alpine, "3.24", "musl"},
		{"python", "3.11-alpine3.23", Alpine, "3.23", "musl"},
		{"node", "22-alpine", Alpine, "3.24", "musl"},
		{"alpine", "3.21", Alpine, "3.21", "musl"},
		{"alpine", "3.21.7", Alpine, "3.21", "musl"},
		{"alpine", "latest", Alpine, "3.24", "musl"},
		{"alpine", "3", Alpine, "3.24", "musl"},
		{"alpine", "edge", Alpine, "edge", "musl"},
		{"debian", "12", Debian, "bookworm", "glibc"},
		{"debian", "12.15-slim", Debian, "bookworm", "glibc"},
		{"debian", "bookworm-slim", Debian, "bookworm", "glibc"},
		{"debian", "stable", Debian, "trixie", "glibc"},
		{"debian", "oldstable-slim", Debian, "bookworm", "glibc"},
		{"debian", "sid", Debian, "sid", "glibc"},
		{"debian", "latest", Debian, "trixie", "glibc"},
		{"ubuntu", "22.04", Ubuntu, "jammy", "glibc"},
		{"ubuntu", "20.04", Ubuntu, "focal", "glibc"},
		{"ubuntu", "14.04.5", Ubuntu, "trusty", "glibc"},
		{"ubuntu", "latest", Ubuntu, "resolute", "glibc"},
		{"buildpack-deps", "bookworm-scm", Debian, "bookworm", "glibc"},
		{"buildpack-deps", "oldstable", Debian, "bookworm", "glibc"},
		{"buildpack-deps", "jammy", Ubuntu, "jammy", "glibc"},
		{"eclipse-temurin", "17", Ubuntu, "resolute", "glibc"},
		{"eclipse-temurin", "17-jre-alpine-3.21", Alpine, "3.21", "musl"},
		{"eclipse-temurin", "17-jdk-ubi9-minimal", UBI, "9", "glibc"},
		{"openjdk", "17", OracleLinux, "8", "glibc"},
		{"openjdk", "11-jre-slim", Debian, "bullseye", "glibc"},
		{"busybox", "musl", BusyBox, "musl", "musl"},
		{"busybox", "latest", BusyBox, "glibc", "glibc"},
		{"busybox", "1.37-uclibc", BusyBox, "uclibc", "uclibc"},
		{"python", "3.99", "", "", ""},
		{"myorg/app", "latest", "", "", ""},
	} {
		f, c := Distro(tc.image, tc.tag)
		if f != tc.family || c != tc.codename {
			t.Errorf("Distro(%s:%s) = %q, %q; want %q, %q", tc.image, tc.tag, f, c, tc.family, tc.codename)
		}
		if l := Libc(tc.image, tc.tag); l != tc.libc {
			t.Errorf("Libc(%s:%s) = %q, want %q", tc.image, tc.tag, l, tc.libc)
		}
		if IsMusl(tc.image, tc.tag) != (tc.libc == "musl") {
			t.Errorf("IsMusl(%s:%s) = %v", tc.image, tc.tag, !(tc.libc == "musl"))
		}
	}
}

// TestVersionTables checks the version → codename tables against the
// aliases the index gives current debian and ubuntu tags (debian:12 is an
// alias of bookworm, ubuntu:22.04 of jammy).
func TestVersionTables(t *testing.T) {
	checked := 0
	for _, image := range []string{"debian", "ubuntu"} {
		im := getImage(image)
		for i := 0; i < im.Len(); i++ {
			tag := im.Tag(i)
			if !im.Current(i) || !isVersion(tag) {
				continue
			}
			_, c := Distro(image, tag)
			named := false
			for _, a := range im.aliasTags(i) {
				named = named || a == c || strings.HasPrefix(a, c+"-")
			}
			if c == "" || !named {
				t.Errorf("%s:%s → %q, not among its aliases %q", image, tag, c, im.aliasTags(i))
			}
			checked++
		}
	}
	if checked < 8 {
		t.Errorf("only %d tags checked", checked)
	}
}
