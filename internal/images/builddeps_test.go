package images

import (
	"slices"
	"testing"
)

func TestDebInfo(t *testing.T) {
	gcc, ok := DebInfo("gcc")
	if !ok || gcc.Required || !slices.Contains(gcc.Depends, "gcc-12") || !slices.Contains(gcc.Recommends, "libc6-dev") || !slices.Contains(gcc.Commands, "cc") {
		t.Errorf("gcc = %+v, %v", gcc, ok)
	}
	if libc, _ := DebInfo("libc6"); !libc.Required {
		t.Errorf("libc6 is not in minbase: %+v", libc)
	}
	if _, ok := DebInfo("nginx"); ok {
		t.Error("nginx is in the build graph")
	}
	for _, p := range []string{"", "#", "a\tb"} {
		if _, ok := DebInfo(p); ok {
			t.Errorf("DebInfo(%q) found", p)
		}
	}
}

func TestDebClosure(t *testing.T) {
	closure, unknown := DebClosure([]string{"libpq-dev", "nginx"}, false)
	for _, p := range []string{"libpq-dev", "libpq5", "libssl-dev", "libssl3", "libc6"} {
		if !slices.Contains(closure, p) {
			t.Errorf("closure of libpq-dev lacks %s: %v", p, closure)
		}
	}
	if !slices.Equal(unknown, []string{"nginx"}) {
		t.Errorf("unknown = %v", unknown)
	}
	without, _ := DebClosure([]string{"gcc"}, false)
	with, _ := DebClosure([]string{"gcc"}, true)
	if slices.Contains(without, "libc6-dev") || !slices.Contains(with, "libc6-dev") {
		t.Errorf("gcc's Recommends: without %v, with %v", without, with)
	}
}

func TestBuildOnly(t *testing.T) {
	for p, want := range map[string]bool{"gcc": true, "libpq-dev": true, "build-essential": true, "libpq5": false, "curl": false, "git": false} {
		if BuildOnly(p) != want {
			t.Errorf("BuildOnly(%s) != %v", p, want)
		}
	}
}
