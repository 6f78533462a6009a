package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeExamples: the console examples of README.md that run dockslim
// on the bundled example print what dockslim prints today.
func TestReadmeExamples(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, cmd := range []string{
		"dockslim fix --diff fixtures/example/Dockerfile",
		"dockslim check fixtures/example/Dockerfile",
	} {
		prompt := "$ " + cmd + "\n"
		i := bytes.Index(readme, []byte(prompt))
		if i < 0 {
			t.Errorf("README.md has no example %q", cmd)
			continue
		}
		block := readme[i+len(prompt):]
		want := string(block[:bytes.Index(block, []byte("```"))])
		var out bytes.Buffer
		run(strings.Fields(cmd), strings.NewReader(""), &out, &out)
		if got := out.String(); got != want {
			t.Errorf("README.md's `%s` is out of date:\n--- README\n%s--- dockslim\n%s", cmd, want, got)
		}
	}
}
