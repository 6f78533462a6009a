package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/rewrite/all"
)

// A pass that panics on one file of several: fix and check report the
// internal error under that file only, still print the rest, and exit 2.
func TestInternalErrorUnderItsFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.Dockerfile"), filepath.Join(dir, "bad.Dockerfile")
	os.WriteFile(good, []byte("FROM python:3.12\nRUN pip install flask\n"), 0o644)
	os.WriteFile(bad, []byte("FROM python:3.12\n# boom\nRUN pip install flask\n"), 0o644)
	boom := &rewrite.Pass{Name: "test-boom", Rules: []*rewrite.Rule{{ID: "DS999", Name: "test-boom"}}, Run: func(c *rewrite.Context) {
		if strings.Contains(string(c.File.Src), "boom") {
			panic("boom")
		}
	}}
	for _, args := range [][]string{{"fix"}, {"fix", "--diff"}, {"check"}, {"check", "--format", "json"}} {
		var stdout, stderr bytes.Buffer
		app := newApp(strings.NewReader(""), &stdout, &stderr)
		app.Metadata[passesKey] = append(all.Passes(), boom)
		code := exitOK
		if err := app.Run(append(append([]string{"dockslim"}, args...), good, bad)); err != nil {
			ec, ok := err.(exitCode)
			if !ok {
				t.Fatalf("%v: %v", args, err)
			}
			code = int(ec)
		}
		want := filepath.ToSlash(bad) + ": internal error in pass test-boom: boom; please report this Dockerfile\n"
		if code != exitError || !strings.Contains(stderr.String(), want) || strings.Contains(stderr.String(), filepath.ToSlash(good)+": internal error") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), "--no-cache-dir") && !strings.Contains(stdout.String(), "DS101") {
			t.Errorf("%v: the other passes' work is missing:\n%s", args, stdout.String())
		}
	}
}
