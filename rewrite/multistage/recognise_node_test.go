package multistage

import "testing"

func TestRecogniseNode(t *testing.T) {
	runRecArchive(t, recogniseNode, "node")
}
