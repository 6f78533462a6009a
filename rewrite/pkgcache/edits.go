package pkgcache

import (
	"encoding/json"

	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// InsertAt is a single insertion.
func InsertAt(off int, text string) []textedit.Edit {
	return []textedit.Edit{{Start: off, End: off, Text: text}}
}

// JSONInsertAfter inserts a string after element i of an exec-form array,
// with the separator the array already uses between its first two elements.
func JSONInsertAfter(f *parser.File, in *parser.Instruction, i int, value string) []textedit.Edit {
	args := in.JSONArgs
	sep := ", "
	if len(args) >= 2 {
		sep = string(f.Src[args[0].End:args[1].Start])
	}
	q, _ := json.Marshal(value)
	return InsertAt(args[i].End, sep+string(q))
}
