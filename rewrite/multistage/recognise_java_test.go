package multistage

import "testing"

func TestRecogniseJava(t *testing.T) {
	runRecArchive(t, recogniseJava, "java")
}
