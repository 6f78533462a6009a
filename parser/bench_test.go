package parser

import (
	"bytes"
	"testing"

	"github.com/dockslim/dockslim/internal/synthetic"
	"github.com/dockslim/dockslim/internal/textedit"
)

func benchLoad(b *testing.B, lines int) {
	src := synthetic.Dockerfile(lines)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Load("Dockerfile", src)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Render()) != len(src) {
			b.Fatal("render differs")
		}
	}
}

func BenchmarkLoadRender50(b *testing.B)  { benchLoad(b, 50) }
func BenchmarkLoadRender500(b *testing.B) { benchLoad(b, 500) }

// BenchmarkEdit is a fix round on a 1 MB file: a flag added to every pip
// install, the rest of the file moved rather than parsed again (compare
// BenchmarkLoadToolchain, the whole text parsed).
func BenchmarkEdit(b *testing.B) {
	src := synthetic.Toolchain(1, 1_000_000)
	f, err := Load("Dockerfile", src)
	if err != nil {
		b.Fatal(err)
	}
	var edits []textedit.Edit
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("pip install "))
		if j < 0 {
			break
		}
		i += j + len("pip install")
		edits = append(edits, textedit.Edit{Start: i, End: i, Text: " --no-cache-dir"})
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Edit(edits); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadToolchain(b *testing.B) {
	src := synthetic.Toolchain(1, 1_000_000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("Dockerfile", src); err != nil {
			b.Fatal(err)
		}
	}
}
