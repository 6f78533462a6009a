package shellcmd

import (
	"strings"

	"github.com/dockslim/dockslim/internal/strset"
)

// Option tables of the package managers: the options that take a separate
// value, so that the value is never read as the subcommand or a package.
// One table per tool, shared by every pass and by the stage model.
var (
	// AptValueOpts are apt-get's and apt's (-o Dpkg::Options::=… is a value).
	AptValueOpts = strset.Set{
		"-o", "-c", "-t", "-a", "-P",
		"--option", "--config-file", "--target-release", "--default-release",
		"--host-architecture", "--build-profiles", "--with-source",
	}
)

// IsApt reports whether name is apt-get or apt.
func IsApt(name string) bool { return name == "apt-get" || name == "apt" }

// SubcommandIndex is the index of the first word after lits[0] that is
// neither an option nor an option's value, or -1 (also when a word before
// it is not literal: nobody can tell what it is).
func SubcommandIndex(lits []string, lit []bool, valueOpts strset.Set) int {
	for i := 1; i < len(lits); i++ {
		if !lit[i] {
			return -1
		}
		a := lits[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			return i
		}
		if valueOpts.Has(a) {
			i++
		}
	}
	return -1
}

// Operands returns the indexes of the words after sub that are neither
// options nor option values: the packages of `apt-get install -y curl`.
// Non-literal words are operands too (their lit is false).
func Operands(lits []string, lit []bool, sub int, valueOpts strset.Set) []int {
	var out []int
	opts := true
	for i := sub + 1; i > 0 && i < len(lits); i++ {
		a := lits[i]
		switch {
		case !lit[i]:
			out = append(out, i)
		case opts && a == "--":
			opts = false
		case opts && strings.HasPrefix(a, "-") && a != "-":
			if valueOpts.Has(a) {
				i++
			}
		default:
			out = append(out, i)
		}
	}
	return out
}
