package multistage

import "sort"

// devLibs is one row of devRuntimeTable.
type devLibs struct {
	dev  string   // the -dev package
	libs []string // runtime library packages, in install order
}

// devRuntimeLibs returns the runtime libraries of a -dev package, from the
// generated table (sorted by name: TestDevRuntimeTableSorted).
func devRuntimeLibs(dev string) ([]string, bool) {
	t := devRuntimeTable[:]
	i := sort.Search(len(t), func(i int) bool { return t[i].dev >= dev })
	if i < len(t) && t[i].dev == dev {
		return t[i].libs, true
	}
	return nil, false
}
