package parser

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/synthetic"
	"github.com/dockslim/dockslim/internal/textedit"
)

// TestEditSameAsLoad: File.Edit gives the model Load gives of the edited
// text, on every Dockerfile of the fixtures and synthetic files, under
// random edits of the kinds fixes make (flags, words and commands added,
// lines inserted and removed, continuations, comments, instructions and
// stages added) and a few fixes do not.
func TestEditSameAsLoad(t *testing.T) {
	var files [][]byte
	filepath.WalkDir("../fixtures", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (d.Name() == "Dockerfile" || strings.HasSuffix(d.Name(), ".Dockerfile")) {
			if src, err := os.ReadFile(p); err == nil {
				files = append(files, src)
			}
		}
		return nil
	})
	for seed := range uint64(4) {
		files = append(files, synthetic.Varied(seed, 8000), synthetic.Toolchain(seed, 20000))
	}
	texts := []string{"", " --no-cache-dir", " && rm -rf /var/lib/apt/lists/*", "\nRUN echo hi\n", "# note\n", "\n",
		" \\\n  && make", "\\\n", "RUN <<EOF\necho\nEOF\n", "FROM alpine AS extra\n", "COPY --from=extra / /\n", "x", "\"", "<<EOF\n"}
	// An edit inside an instruction can turn it into a comment above the
	// next (whose comments then change), or make it continue into the next.
	src := []byte("FROM a\nRUN x\n# c\nRUN y\n# d\nRUN z\n# tail\n")
	f, err := Load("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, edits := range [][]textedit.Edit{
		{{Start: 16, End: 17}},                                               // "# c\nRUN y" → "# cRUN y"
		{{Start: 17, End: 17, Text: "#"}},                                    // "RUN y" → "#RUN y"
		{{Start: 22, End: 22, Text: " \\"}},                                  // RUN y continues into "# d", RUN z
		{{Start: 11, End: 12, Text: "x \\\n  && w"}},                         // a line added to RUN x
		{{Start: 11, End: 11, Text: "w "}, {Start: 37, End: 37, Text: "\n"}}, // a trailing comment split: "# ta", "il" an instruction
	} {
		got, gotErr := f.Edit(edits)
		out, _ := textedit.Apply(src, edits)
		want, wantErr := Load("Dockerfile", out)
		if (gotErr != nil) != (wantErr != nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("Edit differs from Load after %v (%q)", edits, out)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	incremental := 0
	for _, src := range files {
		f, err := Load("Dockerfile", src)
		if err != nil {
			continue
		}
		for range 10 {
			edits := randomEdits(r, len(src), texts)
			if f.dirtyRegions(edits) != nil {
				incremental++
			}
			got, gotErr := f.Edit(edits)
			out, _ := textedit.Apply(src, edits)
			want, wantErr := Load("Dockerfile", out)
			for _, m := range []*File{got, want} {
				if m != nil && m.Invalid != nil {
					// buildkit's "did you mean" picks among ties at random
					m.Invalid.Msg, _, _ = strings.Cut(m.Invalid.Msg, " (did you mean")
				}
			}
			if (gotErr != nil) != (wantErr != nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("Edit differs from Load after %v on\n%.400s\n(errors %v, %v) at %s", edits, src, gotErr, wantErr, diffPath(reflect.ValueOf(got), reflect.ValueOf(want), "File", map[[2]uintptr]bool{}))
			}
		}
	}
	if incremental < 500 {
		t.Errorf("only %d edits took the incremental path", incremental)
	}
}

// randomEdits returns one to three edits at distinct places of a text of
// n bytes, in order, none overlapping.
func randomEdits(r *rand.Rand, n int, texts []string) []textedit.Edit {
	var out []textedit.Edit
	at := 0
	for range 1 + r.IntN(3) {
		if at >= n {
			break
		}
		start := at + r.IntN(n-at)
		end := start
		if r.IntN(3) == 0 {
			end = min(n, start+r.IntN(40))
		}
		out = append(out, textedit.Edit{Start: start, End: end, Text: texts[r.IntN(len(texts))]})
		at = end + 1
	}
	return out
}

// diffPath names the first place where a and b differ (for failures).
func diffPath(a, b reflect.Value, path string, seen map[[2]uintptr]bool) string {
	if a.Kind() != b.Kind() {
		return path + ": kinds differ"
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": nil vs not"
			}
			return ""
		}
		k := [2]uintptr{a.Pointer(), b.Pointer()}
		if seen[k] {
			return ""
		}
		seen[k] = true
		return diffPath(a.Elem(), b.Elem(), path, seen)
	case reflect.Struct:
		for i := range a.NumField() {
			if d := diffPath(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, seen); d != "" {
				return d
			}
		}
	case reflect.Slice, reflect.Array:
		if a.Kind() == reflect.Slice && (a.IsNil() != b.IsNil()) {
			return path + ": nil slice vs empty"
		}
		if a.Len() != b.Len() {
			return path + ": lengths differ"
		}
		for i := range a.Len() {
			if d := diffPath(a.Index(i), b.Index(i), path+"["+strings.Repeat("", 0)+string(rune('0'+i%10))+"]", seen); d != "" {
				return d
			}
		}
	case reflect.Map:
		if a.Len() != b.Len() {
			return path + ": map sizes differ"
		}
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": nil interface vs not"
			}
			return ""
		}
		return diffPath(a.Elem(), b.Elem(), path, seen)
	case reflect.String:
		if a.String() != b.String() {
			return path + ": " + a.String() + " vs " + b.String()
		}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint32, reflect.Uint64, reflect.Bool:
		if a.String() != b.String() || a.Kind() == reflect.Bool && a.Bool() != b.Bool() || a.CanInt() && a.Int() != b.Int() || a.CanUint() && a.Uint() != b.Uint() {
			return path + ": values differ"
		}
	}
	return ""
}
