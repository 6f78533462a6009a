package gomod

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParse(t *testing.T) {
	f := Parse(`// A comment.
module "example.com/acme/server/v2" // trailing

go 1.22
toolchain go1.22.3

require golang.org/x/text v0.22.0
require (
	github.com/google/uuid v1.6.0 // indirect

	github.com/mattn/go-sqlite3 v1.14.22
)
replace example.com/lib => ../lib
replace (
	example.com/other v1.0.0 => example.com/fork v1.0.1
)
exclude example.com/bad v1.0.0
`)
	if f.Module != "example.com/acme/server/v2" || f.Go != "1.22" || f.Toolchain != "go1.22.3" {
		t.Errorf("module/go/toolchain = %q %q %q", f.Module, f.Go, f.Toolchain)
	}
	want := []string{"golang.org/x/text", "github.com/google/uuid", "github.com/mattn/go-sqlite3"}
	if !slices.Equal(f.Requires, want) {
		t.Errorf("requires = %q, want %q", f.Requires, want)
	}
	if len(f.Replaces) != 2 || !f.Replaces[0].Local() || f.Replaces[1].Local() || f.Replaces[1].New != "example.com/fork" {
		t.Errorf("replaces = %+v", f.Replaces)
	}
	if got := Parse("module example.com/x\n\ngo 1.19\n").Requires; got != nil {
		t.Errorf("no require: got %q", got)
	}
	// An empty block requires nothing.
	if got := Parse("module m\nrequire (\n)\n").Requires; got != nil {
		t.Errorf("empty block: got %q", got)
	}
}

// table checks f on every input of cases.
func table[T comparable](t *testing.T, name string, f func(string) T, cases map[string]T) {
	t.Helper()
	for in, want := range cases {
		if got := f(in); got != want {
			t.Errorf("%s(%q) = %v, want %v", name, in, got, want)
		}
	}
}

func TestBinaryName(t *testing.T) {
	table(t, "BinaryName", func(mod string) string { return Parse(mod).BinaryName() }, map[string]string{
		"module example.com/x\n":          "x",
		"module \"example.com/y/v3\"\n":   "y",
		"// c\nmodule v2\n":               "v2",
		"module example.com/z/v\n":        "v",
		"go 1.22\n":                       "",
		"module example.com/a/vendor/v1x": "v1x",
		"module \"example.com/x/v10\"\n":  "x",
		"module hello\n":                  "hello",
	})
}

func TestImports(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
		ok   bool
	}{
		{"package main\n\nimport \"fmt\"\n\nfunc main() {}\n", []string{"fmt"}, true},
		{"// #include <stdio.h>\npackage x\n/*\n#include <x.h>\n*/\nimport \"C\"\nimport (\n\t\"os\"\n\tf \"fmt\"\n\t. \"strings\"\n\t_ \"embed\"\n)\nvar x = 1\n", []string{"C", "os", "fmt", "strings", "embed"}, true},
		{"package x; import (\"a\"; \"b\"); import `c`", []string{"a", "b", "c"}, true},
		// A raw string that mentions import "C" is not an import.
		{"package x\nvar s = `import \"C\"`\n", nil, true},
		{"package x\n", nil, true},
		{"not go at all", nil, false},
		{"package x\nimport (\n\t\"a\"\n", nil, false},
	} {
		got, ok := Imports([]byte(c.src))
		if ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("Imports(%q) = %q, %v; want %q, %v", c.src, got, ok, c.want, c.ok)
		}
	}
}

func TestNeedsCgo(t *testing.T) {
	for p, want := range map[string]string{
		"github.com/mattn/go-sqlite3":                   "github.com/mattn/go-sqlite3",
		"github.com/confluentinc/confluent-kafka-go/v2": "github.com/confluentinc/confluent-kafka-go",
		"github.com/google/gopacket/pcap":               "github.com/google/gopacket",
		"github.com/mattn/go-sqlite3x":                  "",
		"modernc.org/sqlite":                            "",
	} {
		if got, _ := NeedsCgo(p); got != want {
			t.Errorf("NeedsCgo(%q) = %q, want %q", p, got, want)
		}
	}
	if !slices.IsSorted(cgoModules) {
		t.Error("cgoModules is not sorted")
	}
}

func TestScanCgo(t *testing.T) {
	mod := &fstest.MapFile{Data: []byte("module example.com/app\n\ngo 1.19\n\nrequire golang.org/x/text v0.22.0\n")}
	main := &fstest.MapFile{Data: []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println() }\n")}
	cgo := &fstest.MapFile{Data: []byte("package db\n\n// #cgo LDFLAGS: -lsqlite3\nimport \"C\"\n")}
	for _, c := range []struct {
		name  string
		files fstest.MapFS
		why   string // "" when free
	}{
		{"free", fstest.MapFS{"go.mod": mod, "main.go": main, "go.sum": {Data: []byte("golang.org/x/text v0.22.0 h1:x=\n")}}, ""},
		{"cgo in a test file or testdata is not built", fstest.MapFS{"go.mod": mod, "main.go": main, "db_test.go": cgo, "testdata/x.go": cgo, "_old/x.go": cgo, ".hidden/x.go": cgo}, ""},
		{"no go.mod", fstest.MapFS{"main.go": main}, "has no go.mod"},
		{"import C", fstest.MapFS{"go.mod": mod, "main.go": main, "internal/db/db.go": cgo}, `internal/db/db.go imports "C"`},
		{"vendored cgo", fstest.MapFS{"go.mod": mod, "main.go": main, "vendor/example.com/c/c.go": cgo}, `vendor/example.com/c/c.go imports "C"`},
		{"required cgo module", fstest.MapFS{"go.mod": {Data: []byte("module m\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1.14.22\n)\n")}, "main.go": main}, "go.mod requires github.com/mattn/go-sqlite3"},
		{"transitive cgo module in go.sum", fstest.MapFS{"go.mod": mod, "main.go": main, "go.sum": {Data: []byte("github.com/mattn/go-sqlite3 v1.14.22/go.mod h1:x=\n")}}, "go.sum lists github.com/mattn/go-sqlite3"},
		{"imported cgo package", fstest.MapFS{"go.mod": mod, "main.go": {Data: []byte("package main\nimport _ \"github.com/mattn/go-sqlite3\"\n")}}, "main.go imports github.com/mattn/go-sqlite3"},
		{"unreadable Go", fstest.MapFS{"go.mod": mod, "main.go": {Data: []byte("packag main\n")}}, "main.go does not scan as Go"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ScanCgo(c.files)
			if got.Free != (c.why == "") || !strings.Contains(got.Why, c.why) {
				t.Errorf("ScanCgo = %+v, want why %q", got, c.why)
			}
		})
	}
	if got := ScanCgo(fstest.MapFS{"go.mod": mod}).Module; got != "example.com/app" {
		t.Errorf("Module = %q", got)
	}
}

func TestTagMinor(t *testing.T) {
	table(t, "TagMinor", TagMinor, map[string]int{"1.22": 22, "1.20-alpine": 20, "1.9.2": 9, "latest": 0, "2.1": 0, "1": 0, "1.23rc1-bookworm": 23})
}

func TestNothingToDownload(t *testing.T) {
	for _, c := range []struct {
		mod   string
		local int
		why   string // "" when there is nothing to download
	}{
		{"module m\ngo 1.19\n", 19, ""},
		{"module m\ngo 1.19\n", 0, ""},
		{"module m\n", 0, ""},
		{"module m\ngo 1.22\n", 22, ""},
		{"module m\ngo 1.22\n", 23, ""},
		{"module m\ngo 1.22.3\n", 23, ""},
		{"module m\ngo 1.22\n", 19, ""}, // Go 1.19 never switches
		{"module m\ngo 1.22.3\n", 22, "may be newer"},
		{"module m\ngo 1.23\n", 22, "may be newer"},
		{"module m\ngo 1.22\n", 0, "may be newer"},
		{"module m\ngo 1.19\ntoolchain go1.22.1\n", 22, "names toolchain go1.22.1"},
		{"module m\ngo 1.19\nrequire golang.org/x/text v0.22.0\n", 19, "requires golang.org/x/text"},
	} {
		ok, why := NothingToDownload(Parse(c.mod), c.local)
		if ok != (c.why == "") || !strings.Contains(why, c.why) {
			t.Errorf("NothingToDownload(%q, %d) = %v, %q; want %q", c.mod, c.local, ok, why, c.why)
		}
	}
}
