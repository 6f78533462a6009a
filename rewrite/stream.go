package rewrite

// runParts runs a large file in parts; nil: run it whole.
func (e *Engine) runParts(name string, src []byte, opts Options) *Result { return nil }
