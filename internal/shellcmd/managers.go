package shellcmd

import (
	"slices"
	"strings"
)

// IsApt reports whether name is apt-get or apt.
func IsApt(name string) bool { return name == "apt-get" || name == "apt" }

// SubcommandIndex is the index of the first word after lits[0] that is
// neither an option nor an option's value, or -1 (also when a word before
// it is not literal: nobody can tell what it is).
func SubcommandIndex(lits []string, lit []bool, valueOpts []string) int {
	for i := 1; i < len(lits); i++ {
		if !lit[i] {
			return -1
		}
		a := lits[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			return i
		}
		if slices.Contains(valueOpts, a) {
			i++
		}
	}
	return -1
}

// AptSimulates reports whether an apt invocation only simulates (-s,
// --simulate, --dry-run, --just-print, --recon, --no-act): it downloads,
// installs and asks nothing.
func AptSimulates(inv *Invocation) bool {
	return inv.Has("-s", "--simulate", "--dry-run", "--just-print", "--recon", "--no-act")
}
