package multistage

import "testing"

func TestParseCargoTomlTricky(t *testing.T) {
	ct := parseCargoToml("# c\n[package]\nname = \"a\" # x\n\n[[bin]]\nname = 'b'\n\n[dev-dependencies]\ncriterion = \"0.5\"\n")
	// dev-dependencies are not linked into the binary.
	if ct.pkg != "a" || len(ct.bins) != 1 || ct.bins[0] != "b" || ct.workspace || ct.hasDeps {
		t.Errorf("parseCargoToml: %+v", ct)
	}
	ct = parseCargoToml("[package]\nname = \"a\"\n[dependencies]\n[workspace]\n")
	if ct.hasDeps || !ct.workspace {
		t.Errorf("parseCargoToml: empty [dependencies], [workspace]: %+v", ct)
	}
	if got := lockPackages("[[package]]\nname = \"x\"\nversion = \"1\"\n\n[[package]]\nname = \"y-sys\"\n"); len(got) != 2 || got[1] != "y-sys" {
		t.Errorf("lockPackages: %v", got)
	}
}
