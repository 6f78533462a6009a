package multistage

import "testing"

func TestRecogniseNative(t *testing.T) {
	runRecArchive(t, recogniseNative, "native")
}

func TestNativeSuite(t *testing.T) {
	runTagCases(t, "nativeSuite", nativeSuite, []tagCase{
		{"debian", "bookworm", "bookworm", true},
		{"debian", "12", "bookworm", true},
		{"debian", "latest", "", false},
		{"buildpack-deps", "bookworm-curl", "bookworm", true},
		{"gcc", "12", "bookworm", true},
	})
}
