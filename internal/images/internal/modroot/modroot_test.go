package modroot

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	root, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("%s has no go.mod", root)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "images", "internal", "modroot")); err != nil {
		t.Errorf("%s is not this module's root", root)
	}
}
