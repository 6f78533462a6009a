// Package parsertest parses the Dockerfiles of tests.
package parsertest

import (
	"testing"

	"github.com/dockslim/dockslim/parser"
)

// Load parses src as a file named Dockerfile; a parse error ends the test.
func Load(t testing.TB, src string) *parser.File {
	t.Helper()
	f, err := parser.Load("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	return f
}
