package parser

import (
	"testing"

	"github.com/dockslim/dockslim/internal/textedit"
)

// A FROM through the registry mirror is the Docker Hub image it mirrors;
// the files Edit makes keep the mirror.
func TestRegistryMirror(t *testing.T) {
	src := "FROM mirror.example.com/library/python:3.11 AS a\nFROM other.example.com/library/python:3.11\nFROM mirror.example.com/python\n"
	f, err := LoadConfig("Dockerfile", []byte(src), Config{RegistryMirror: "mirror.example.com/library"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(f *File) {
		t.Helper()
		b := f.Stages[0].Base
		if b.Registry != "" || b.Repository != "python" || b.Tag != "3.11" || b.Mirror != "mirror.example.com/library" ||
			b.Raw != "mirror.example.com/library/python:3.11" || string(f.Src[b.Start:b.End]) != b.Raw {
			t.Errorf("mirrored: %+v", b)
		}
		if b.Mirrored("python:3.11-slim") != "mirror.example.com/library/python:3.11-slim" {
			t.Errorf("Mirrored: %s", b.Mirrored("python:3.11-slim"))
		}
		for _, st := range f.Stages[1:] {
			if st.Base.Mirror != "" || st.Base.Registry == "" || st.Base.Mirrored("x") != "x" {
				t.Errorf("not mirrored: %+v", st.Base)
			}
		}
	}
	check(f)
	nf, err := f.Edit([]textedit.Edit{{Start: len(src) - 1, End: len(src) - 1, Text: ":1"}})
	if err != nil {
		t.Fatal(err)
	}
	check(nf)
	if plain, _ := Load("Dockerfile", []byte(src)); plain.Stages[0].Base.Registry != "mirror.example.com" {
		t.Errorf("no mirror configured: %+v", plain.Stages[0].Base)
	}
	whole, _ := LoadConfig("Dockerfile", []byte("FROM hub.example.com/library/python:3.11\n"), Config{RegistryMirror: "hub.example.com"})
	if b := whole.Stages[0].Base; b.Repository != "library/python" || b.Mirrored("python:3.11-slim") != "hub.example.com/library/python:3.11-slim" {
		t.Errorf("whole-hub mirror: %+v", b)
	}
}
