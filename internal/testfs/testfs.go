// Package testfs writes build-context folders for tests.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// Write creates every file of trees (slash-separated path → content) under
// dir, with the folders they need; a later tree's file replaces an earlier
// one's.
func Write(t testing.TB, dir string, trees ...map[string]string) {
	t.Helper()
	for _, files := range trees {
		for p, content := range files {
			p = filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
