package images

import (
	"reflect"
	"slices"
	"testing"
)

func TestTag(t *testing.T) {
	for _, tc := range []struct {
		image, tag  string
		ok, current bool
	}{
		{"python", "3.11-slim", true, true},
		{"python", "3.11-slim-bookworm", true, true},
		{"node", "18-bookworm-slim", true, false}, // node 18 is end-of-life
		{"node", "22-bookworm-slim", true, true},
		{"debian", "bookworm-slim", true, true},
		{"golang", "1.22", true, false},
		{"python", "", true, true}, // latest
		{"python", "latest", true, true},
		{"python", "3.11-slim-bookwork", false, false},
		{"python", "3.99", false, false},
		{"node", "18-slim-bookworm", false, false}, // python's order, not node's
		{"nosuchimage", "latest", false, false},
		{"myorg/python", "3.11", false, false},
	} {
		info, ok := Tag(tc.image, tc.tag)
		if ok != tc.ok || info.Current != tc.current {
			t.Errorf("Tag(%q, %q) = current %v, ok %v; want %v, %v", tc.image, tc.tag, info.Current, ok, tc.current, tc.ok)
		}
	}
}

func TestTagInfo(t *testing.T) {
	info, _ := Tag("python", "3.11-slim-buster")
	want := TagInfo{FirstSeen: "2022-10-24", LastSeen: "2023-06-07", Directory: "3.11/slim-buster"}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("python:3.11-slim-buster = %+v, want %+v", info, want)
	}

	// Aliases: only current tags have them, in library-file order.
	for _, tc := range []struct {
		image, tag string
		aliases    []string
	}{
		{"python", "3.11", []string{"3.11.16-trixie", "3.11-trixie"}},
		{"python", "3.11-trixie", []string{"3.11.16-trixie"}},
		{"node", "22", []string{"22-bookworm", "22.23", "22.23-bookworm", "22.23.2", "22.23.2-bookworm", "jod", "jod-bookworm"}},
		{"debian", "bookworm-slim", []string{"bookworm-20260803-slim", "12.15-slim", "12-slim"}},
		{"debian", "bookworm-backports", nil},
		{"python", "3.8", nil}, // not current
	} {
		info, ok := Tag(tc.image, tc.tag)
		if !ok || !slices.Equal(info.Aliases, tc.aliases) {
			t.Errorf("Tag(%s:%s).Aliases = %q, want %q", tc.image, tc.tag, info.Aliases, tc.aliases)
		}
	}
}

// TestWholeIndex decodes every image and checks the counts the data README
// gives: 132,363 rows, 5,958 current, 63 images.
func TestWholeIndex(t *testing.T) {
	names := Images()
	if len(names) != 63 || !slices.IsSorted(names) {
		t.Fatalf("Images() = %d names (sorted %v), want 63 sorted", len(names), slices.IsSorted(names))
	}
	rows, current := 0, 0
	for _, name := range names {
		im := getImage(name)
		rows += im.Len()
		for i := 0; i < im.Len(); i++ {
			if im.Current(i) {
				current++
			}
			if j, ok := im.Find(im.Tag(i)); !ok || j != i {
				t.Fatalf("%s:%s not found by its own name", name, im.Tag(i))
			}
			if im.FirstSeen(i) > im.LastSeen(i) {
				t.Fatalf("%s:%s first seen after last seen", name, im.Tag(i))
			}
		}
	}
	if rows != 132363 || current != 5958 {
		t.Errorf("%d rows, %d current; want 132363, 5958", rows, current)
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		repo, want string
		ok         bool
	}{
		{"python", "python", true},
		{"library/python", "python", true},
		{"docker.io/library/python", "python", true},
		{"docker.io/python", "python", true},
		{"index.docker.io/library/python", "python", true},
		{"registry-1.docker.io/library/python", "python", true},
		{"DOCKER.IO/library/python", "python", true}, // host names are case-insensitive
		{"eclipse-temurin", "eclipse-temurin", true},
		{"myorg/python", "", false},
		{"docker.io/myorg/python", "", false},
		{"gcr.io/library/python", "", false},
		{"mirror.gcr.io/library/python", "", false},
		{"public.ecr.aws/docker/library/python", "", false},
		{"localhost/python", "", false},
		{"localhost:5000/python", "", false},
		{"registry.example.com:5000/library/python", "", false},
		{"library/python/extra", "", false},
		{"nosuchimage", "", false},
		{"Python", "", false},
		{"", "", false},
	} {
		got, ok := Normalize(tc.repo)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.repo, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in     string
		ref    Ref
		digest string
		ok     bool
	}{
		{"python:3.11", Ref{"python", "3.11"}, "", true},
		{"python", Ref{"python", ""}, "", true},
		{"docker.io/library/node:18-bookworm", Ref{"node", "18-bookworm"}, "", true},
		{"python:3.11@sha256:0123abcd", Ref{"python", "3.11"}, "sha256:0123abcd", true},
		{"python@sha256:0123abcd", Ref{"python", ""}, "sha256:0123abcd", true},
		{"localhost:5000/python:3.11", Ref{"localhost:5000/python", "3.11"}, "", false},
		{"localhost:5000/python", Ref{"localhost:5000/python", ""}, "", false},
		{"myorg/python:3.11", Ref{"myorg/python", "3.11"}, "", false},
		{"python:${PY_VERSION}", Ref{"python", "${PY_VERSION}"}, "", false},
		{"python:3.11-$VARIANT", Ref{"python", "3.11-$VARIANT"}, "", false},
		{"python:.3", Ref{"python", ".3"}, "", false},
	} {
		ref, digest, ok := ParseRef(tc.in)
		if ref != tc.ref || digest != tc.digest || ok != tc.ok {
			t.Errorf("ParseRef(%q) = %+v, %q, %v; want %+v, %q, %v", tc.in, ref, digest, ok, tc.ref, tc.digest, tc.ok)
		}
	}
	if s := (Ref{"python", "3.11"}).String(); s != "python:3.11" {
		t.Errorf("String() = %q", s)
	}
	if s := (Ref{"python", ""}).String(); s != "python" {
		t.Errorf("String() = %q", s)
	}
}
