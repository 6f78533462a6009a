package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkProcess is the pre-commit case: one whole process, start to
// exit, checking one Dockerfile (the bundled example). Target: < 20 ms.
func BenchmarkProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "dockslim")
	build := exec.Command("go", "build", "-o", bin, ".")
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
