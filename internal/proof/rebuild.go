package proof

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/dockslim/dockslim/internal/measure"
)

// rebuild is the cached-rebuild test: a one-line edit of a source file (the
// one measure picks) in fresh copies of the context, then the original and
// the final Dockerfile built again; the steps the cache did not serve are
// what every source change costs.
func (s *session) rebuild(orig, final *Trial) (*Rebuild, error) {
	touched := measure.PickSourceFile(s.o.ContextDir)
	if touched == "" {
		return nil, nil
	}
	r := &Rebuild{Touched: touched}
	// Each copy gets an edit never made before (a fresh nonce): an edit
	// seen before would find its layers in the cache.
	nonce := time.Now().UnixNano()
	for i, t := range []*Trial{orig, final} {
		d := filepath.Join(s.work, fmt.Sprintf("rebuild-%d", i))
		if err := s.copyContext(d, t.v); err != nil {
			return nil, err
		}
		if err := measure.AppendEdit(filepath.Join(d, touched), fmt.Sprintf("dockslim-verify %d-%d", nonce, i)); err != nil {
			return nil, fmt.Errorf("editing %s for the rebuild test: %v", touched, err)
		}
		re := &Trial{Label: t.Label + " after editing " + touched, dockerfile: t.dockerfile, dir: d}
		log := s.buildImage(re, t.Tag+"-rebuild")
		if !re.Built {
			continue
		}
		steps := measure.CountSteps(s.b.Name(), log)
		if i == 0 {
			r.Original = &steps
		} else {
			r.Final = &steps
		}
	}
	return r, nil
}
