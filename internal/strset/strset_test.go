package strset

import "testing"

var sample = Set{"-o", "--output", "", "apt-get"}

func TestHas(t *testing.T) {
	for _, s := range []string{"-o", "--output", "", "apt-get"} {
		if !sample.Has(s) {
			t.Errorf("Has(%q) = false", s)
		}
	}
	for _, s := range []string{"-", "--outpu", "apt", "APT-GET", "-o "} {
		if sample.Has(s) {
			t.Errorf("Has(%q) = true", s)
		}
	}
	if (Set{}).Has("") || Set(nil).Has("x") {
		t.Error("an empty set has nothing")
	}
}

// A literal Set is static data: no allocation when used.
func TestHasAllocatesNothing(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { sample.Has("apt-get") }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
