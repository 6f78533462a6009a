// Command dockslim-registry answers `dockslim --online`'s registry
// questions (tag digests, image sizes) over stdin/stdout, one JSON line per
// request and response (see registry/protocol).
//
// It is a separate binary so that dockslim links neither
// go-containerregistry nor net/http and crypto/tls: they made every run
// (a pre-commit hook on one file, mostly) start ~3.5 ms slower and the
// binary 7 MB larger, for a flag most runs do not use. dockslim starts this
// helper only with --online, on the first registry question; it exits when
// dockslim closes its standard input.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/dockslim/dockslim/internal/buildversion"
	"github.com/dockslim/dockslim/internal/registry"
)

// version is set with -ldflags "-X main.version=..."; else the module's.
var version = ""

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch {
	case len(args) <= 1:
		if err := registry.Serve(stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "dockslim-registry: %v\n", err)
			return 1
		}
		return 0
	case len(args) == 2 && args[1] == "version":
		fmt.Fprintf(stdout, "dockslim-registry %s\n", buildversion.String(version))
		return 0
	default:
		fmt.Fprint(stderr, `usage: dockslim-registry [version]

dockslim-registry is the helper that dockslim --online runs to ask the image
registry. It reads JSON requests on stdin, one per line, and writes JSON
responses on stdout; you do not need to run it yourself.
`)
		return 2
	}
}
