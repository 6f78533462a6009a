package parser

import (
	"testing"

	"github.com/dockslim/dockslim/internal/synthetic"
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
