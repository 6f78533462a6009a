package multistage

import "testing"

func TestRecogniseGo(t *testing.T) {
	runRecArchive(t, recogniseGo, "go")
}
