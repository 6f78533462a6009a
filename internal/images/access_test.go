package images

import (
	"sync"
	"testing"
)

// TestConcurrentFirstUse hits every lazily loaded table from many goroutines
// at once; run with -race. (This file sorts first, so in a plain `go test`
// run these are the first uses.)
func TestConcurrentFirstUse(t *testing.T) {
	var wg sync.WaitGroup
	for _, image := range []string{"python", "node", "python", "golang", "php", "node"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if cands, why := SlimCandidates(image, ""); len(cands) == 0 && why == "" {
				t.Errorf("%s: no candidates and no reason", image)
			}
			AlpineCandidates(image, "")
			CompressedSize(image, "")
			Deprecated(image, "")
			InSlim("tar")
			CheckCommand(Ref{image, "bookworm"}, Ref{image, "slim-bookworm"}, "git")
			if _, ok := Normalize(image); !ok {
				t.Errorf("Normalize(%q) failed", image)
			}
		}()
	}
	wg.Wait()
}
