package buildversion

import "testing"

func TestString(t *testing.T) {
	if got := String("v1.2.3"); got != "v1.2.3" {
		t.Errorf("String(v1.2.3) = %q", got)
	}
	// A test binary has no module version: the fallback.
	if got := String(""); got != "devel" {
		t.Errorf(`String("") = %q, want devel`, got)
	}
}
