package multistage

import "testing"

func TestRecogniseNative(t *testing.T) {
	runRecArchive(t, recogniseNative, "native")
}
