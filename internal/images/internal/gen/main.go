// Command gen regenerates internal/images/data from the shared data files.
//
// Usage (run by "go generate ./internal/images/..."):
//
//	go run ./images/internal/gen [-src DIR] [-out DIR]
//
// The defaults are relative to the module root, whatever the working
// directory: -src ../shared/data, -out internal/images/data.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dockslim/dockslim/internal/images/internal/modroot"

	"github.com/dockslim/dockslim/internal/images/internal/tagdb"
)

func main() {
	src := flag.String("src", "", "directory holding official-tags.tsv and friends (default <module root>/../shared/data)")
	out := flag.String("out", "", "output directory (default <module root>/internal/images/data)")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	if src == "" || out == "" {
		root, err := modroot.Find()
		if err != nil {
			return err
		}
		if src == "" {
			src = filepath.Join(root, "..", "shared", "data")
		}
		if out == "" {
			out = filepath.Join(root, "internal", "images", "data")
		}
	}
	return tagdb.Generate(src, out)
}
