package rewrite

import (
	"strings"

	"github.com/dockslim/dockslim/parser"
)

// suppression comments, on a comment line right above an instruction:
//
//	# dockslim ignore              all rules
//	# dockslim ignore=DS101,DS102  those rules (ids or names)
//	# hadolint ignore=DL3042       the rules mapped to that hadolint code
type suppressionSet map[*parser.Instruction][]string // "*" means all

func suppressions(f *parser.File) suppressionSet {
	s := suppressionSet{}
	for _, in := range f.Instructions {
		for _, c := range in.Comments {
			tool, rest, ok := strings.Cut(c.Text, " ")
			if !ok && c.Text != "dockslim" {
				continue
			}
			rest = strings.TrimSpace(rest)
			switch strings.ToLower(tool) {
			case "dockslim":
				if rest == "ignore" || rest == "" && c.Text == "dockslim" {
					s[in] = append(s[in], "*")
				} else if v, ok := strings.CutPrefix(rest, "ignore="); ok {
					s[in] = append(s[in], splitList(v)...)
				}
			case "hadolint":
				if v, ok := strings.CutPrefix(rest, "ignore="); ok {
					for _, code := range splitList(v) {
						s[in] = append(s[in], "hadolint:"+strings.ToUpper(code))
					}
				}
			}
		}
	}
	return s
}

func splitList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (s suppressionSet) silences(f *parser.File, fd Finding) bool {
	if len(s) == 0 {
		return false
	}
	in := f.InstructionAt(fd.Offset)
	if in == nil {
		return false
	}
	for _, x := range s[in] {
		switch {
		case x == "*":
			return true
		case strings.HasPrefix(x, "hadolint:"):
			codes := fd.Rule.Hadolint
			if fd.Hadolint != "" {
				codes = []string{fd.Hadolint} // the finding's own tool's code only
			}
			for _, h := range codes {
				if strings.EqualFold(h, x[len("hadolint:"):]) {
					return true
				}
			}
		case strings.EqualFold(x, fd.Rule.ID) || strings.EqualFold(x, fd.Rule.Name):
			return true
		}
	}
	return false
}
