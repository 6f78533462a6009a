package layerorder

import "testing"

func TestChmodResult(t *testing.T) {
	for _, c := range []struct {
		perm       uint32
		mode, want string
	}{
		{0o644, "755", "755"}, {0o644, "0755", "755"}, {0o600, "4755", "4755"},
		{0o644, "+x", "755"}, {0o600, "+x", "711"}, {0o644, "a+x", "755"}, {0o644, "u+x", "744"},
		{0o644, "ug+x,o-r", "750"}, {0o777, "-w", "577"} /* umask 022 keeps go+w */, {0o777, "o-w", "775"},
		{0o644, "=rx", "555"}, {0o644, "u=rwx,go=", "700"}, {0o644, "+rwx", "755"},
		{0o644, "u+s", ""}, {0o644, "g+X", ""}, {0o644, "+t", ""}, {0o644, "75555", ""}, {0o644, "x", ""},
	} {
		got, ok := chmodResult(c.perm, c.mode)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("chmodResult(%o, %q) = %q %v, want %q", c.perm, c.mode, got, ok, c.want)
		}
	}
}
