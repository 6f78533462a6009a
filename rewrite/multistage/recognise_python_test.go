package multistage

import "testing"

func TestIsPipInstall(t *testing.T) {
	for argv, want := range map[string]bool{"pip install x": true, "pip3 install x": true, "pip3.12 install x": true,
		"pipx install x": false, "pip download x": false, "pip-compile install": false} {
		c := command{argv: splitWords(argv)}
		if got := isPipInstall(c); got != want {
			t.Errorf("isPipInstall(%q) = %v, want %v", argv, got, want)
		}
	}
}

func splitWords(s string) []string {
	var out []string
	for _, w := range []byte(s) {
		if w == ' ' {
			out = append(out, "")
			continue
		}
		if len(out) == 0 {
			out = append(out, "")
		}
		out[len(out)-1] += string(w)
	}
	return out
}
