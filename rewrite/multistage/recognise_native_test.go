package multistage

import "testing"

func TestRecogniseNative(t *testing.T) {
	runRecArchive(t, recogniseNative, "native")
}

func TestNativeSuite(t *testing.T) {
	for _, c := range []struct {
		repo, tag, want string
		ok              bool
	}{
		{"debian", "bookworm", "bookworm", true},
		{"debian", "12", "bookworm", true},
		{"debian", "latest", "", false},
		{"buildpack-deps", "bookworm-curl", "bookworm", true},
		{"gcc", "12", "bookworm", true},
	} {
		got, ok := nativeSuite(c.repo, c.tag)
		if got != c.want || ok != c.ok {
			t.Errorf("nativeSuite(%s, %s) = %q, %v; want %q, %v", c.repo, c.tag, got, ok, c.want, c.ok)
		}
	}
}
