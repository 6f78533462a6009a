package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// BenchmarkProcess is the pre-commit case: one whole process, start to
// exit, checking one Dockerfile (the bundled example). Target: < 20 ms.
// The binary is built like `make build` (-tags urfave_cli_no_docs); set
// DOCKSLIM_BENCH_TAGS=none to measure a build without tags.
//
// Sub-benchmarks: fix-check is the target; version is start-up alone;
// floor-empty
// is an empty Go program (what the machine charges any Go process) and
// floor-true is /bin/true (what starting any process costs here). The
// floors put the numbers in context on machines where faults are slow.
func BenchmarkProcess(b *testing.B) {
	// The harness must not compete with the process it times: with all
	// cores, this test binary's idle threads spin while waiting and, on a
	// 2-vCPU machine, add ~3 ms to every run. A pre-commit hook's parent
	// just waits, like one P does here.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	dir := b.TempDir()
	bin := filepath.Join(dir, "dockslim")
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
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(filepath.Join(dir, "empty.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	build = exec.Command("go", "build", "-o", empty, filepath.Join(dir, "empty.go"))
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	example, _ := filepath.Abs("../../fixtures/example/Dockerfile")
	for _, bc := range []struct {
		name string
		argv []string
		env  string
		code int // the expected exit code
	}{
		{"fix-check", []string{bin, "fix", "--check", example}, "", 1},
		{"version", []string{bin, "version"}, "", 0},
		{"floor-empty", []string{empty}, "", 0},
		{"floor-true", []string{"/bin/true"}, "", 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			env := os.Environ()
			if bc.env != "" {
				env = append(env, bc.env)
			}
			for b.Loop() {
				cmd := exec.Command(bc.argv[0], bc.argv[1:]...)
				cmd.Env = env
				err := cmd.Run()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					b.Fatal(err)
				}
				if code != bc.code {
					b.Fatalf("%v: exit %d, want %d", bc.argv, code, bc.code)
				}
			}
		})
	}
}
