// Command synthetic writes the inputs of the scale check (scripts/scale.sh):
// one large Dockerfile, or a monorepo of many services with their build
// contexts (internal/synthetic).
//
//	synthetic -size 10000000 -o big.Dockerfile [-shape toolchain]
//	synthetic -tree DIR -files 3000
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dockslim/dockslim/internal/synthetic"
)

func main() {
	size := flag.Int("size", 10_000_000, "bytes of the one Dockerfile (with -o)")
	out := flag.String("o", "", "write one Dockerfile of -size bytes here")
	tree := flag.String("tree", "", "write a monorepo of -files services under this folder")
	files := flag.Int("files", 3000, "services of -tree")
	seed := flag.Uint64("seed", 1, "the same seed gives the same files")
	shape := flag.String("shape", "stages", "of the one Dockerfile: stages (thousands of small stages) or toolchain (a few stages of long RUN scripts)")
	flag.Parse()
	if err := run(*out, *tree, *shape, *size, *files, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "synthetic:", err)
		os.Exit(1)
	}
}

func run(out, tree, shape string, size, files int, seed uint64) error {
	switch {
	case out != "" && tree == "" && shape == "stages":
		return os.WriteFile(out, synthetic.Varied(seed, size), 0o644)
	case out != "" && tree == "" && shape == "toolchain":
		return os.WriteFile(out, synthetic.Toolchain(seed, size), 0o644)
	case tree != "" && out == "":
		for _, svc := range synthetic.Tree(seed, files) {
			dir := filepath.Join(tree, filepath.FromSlash(svc.Dir))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), svc.Dockerfile, 0o644); err != nil {
				return err
			}
			for name, content := range svc.Context {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return fmt.Errorf("give either -o FILE (-shape stages or toolchain) or -tree DIR")
}
