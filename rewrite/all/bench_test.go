package all_test

import (
	"testing"

	"github.com/dockslim/dockslim/internal/testdata"
	"github.com/dockslim/dockslim/rewrite"
	_ "github.com/dockslim/dockslim/rewrite/all"
)

func benchRun(b *testing.B, lines int, opts rewrite.Options) {
	src := testdata.Dockerfile(lines)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rewrite.Run("Dockerfile", src, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// The whole driver: analyse, fix, re-parse until stable, validate.
func BenchmarkFix50(b *testing.B)        { benchRun(b, 50, rewrite.Options{}) }
func BenchmarkFix500(b *testing.B)       { benchRun(b, 500, rewrite.Options{}) }
func BenchmarkFixUnsafe50(b *testing.B)  { benchRun(b, 50, rewrite.Options{UnsafeFixes: true}) }
func BenchmarkFixUnsafe500(b *testing.B) { benchRun(b, 500, rewrite.Options{UnsafeFixes: true}) }
