package all_test

import (
	"os"
	"testing"

	"github.com/dockslim/dockslim/internal/synthetic"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/rewrite/all"
)

func benchRun(b *testing.B, src []byte, opts rewrite.Options) {
	b.SetBytes(int64(len(src)))
	e, err := all.New()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Run("Dockerfile", src, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// The whole driver: analyse, fix, re-parse until stable, validate.
func BenchmarkFix50(b *testing.B)  { benchRun(b, synthetic.Dockerfile(50), rewrite.Options{}) }
func BenchmarkFix500(b *testing.B) { benchRun(b, synthetic.Dockerfile(500), rewrite.Options{}) }
func BenchmarkFixUnsafe50(b *testing.B) {
	benchRun(b, synthetic.Dockerfile(50), rewrite.Options{UnsafeFixes: true})
}
func BenchmarkFixUnsafe500(b *testing.B) {
	benchRun(b, synthetic.Dockerfile(500), rewrite.Options{UnsafeFixes: true})
}

// BenchmarkFixExample is a typical Dockerfile: the bundled 12-line example,
// with its build context.
func BenchmarkFixExample(b *testing.B) {
	src, err := os.ReadFile("../../fixtures/example/Dockerfile")
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, src, rewrite.Options{ContextDir: "../../fixtures/example"})
}

// The scale cases (issue 16): a varied file of many stages, checked as
// `dockslim check` runs it (unsafe fixes included). scripts/scale.sh times
// the whole process on 10 MB.
func BenchmarkCheckVaried100K(b *testing.B) {
	benchRun(b, synthetic.Varied(1, 100_000), rewrite.Options{UnsafeFixes: true})
}
func BenchmarkCheckVaried1M(b *testing.B) {
	benchRun(b, synthetic.Varied(1, 1_000_000), rewrite.Options{UnsafeFixes: true})
}
func BenchmarkCheckToolchain1M(b *testing.B) {
	benchRun(b, synthetic.Toolchain(1, 1_000_000), rewrite.Options{UnsafeFixes: true})
}
