package parser

import "mvdan.cc/sh/v3/syntax"

// wordsOf returns the Dockerfile spans of every argument word of every call.
func wordsOf(s *Script) [][2]int {
	var out [][2]int
	syntax.Walk(s.File, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok {
			for _, w := range c.Args {
				a, b := s.Span(w)
				out = append(out, [2]int{a, b})
			}
		}
		return true
	})
	return out
}
