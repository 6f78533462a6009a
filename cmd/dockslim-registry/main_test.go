package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"dockslim-registry", "version"}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "dockslim-registry ") {
		t.Errorf("version: exit %d, %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"dockslim-registry", "--help"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "usage: dockslim-registry") || out.Len() != 0 {
		t.Errorf("--help: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	// Serving: a bad request answered, then the end of the input: exit 0.
	out.Reset()
	if code := run([]string{"dockslim-registry"}, strings.NewReader(`{"id":3,"op":"x","image":"python"}`+"\n"), &out, &errb); code != 0 || !strings.Contains(out.String(), `{"id":3,"error":"unknown op`) {
		t.Errorf("serve: exit %d, %q", code, out.String())
	}
}
