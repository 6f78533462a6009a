package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkProcess is the pre-commit case: one whole process, start to
// exit, checking one Dockerfile (the bundled example). Target: < 20 ms.
// The binary is built like `make build` (-tags urfave_cli_no_docs); set
// DOCKSLIM_BENCH_TAGS=none to measure a build without tags.
func BenchmarkProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "dockslim")
	tags := os.Getenv("DOCKSLIM_BENCH_TAGS")
	switch tags {
	case "":
		tags = "urfave_cli_no_docs"
	case "none":
		tags = ""
	}
	build := exec.Command("go", "build", "-tags", tags, "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	example, _ := filepath.Abs("../../fixtures/example/Dockerfile")
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "fix", "--check", example)
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				b.Fatal(err)
			}
		}
	}
}
