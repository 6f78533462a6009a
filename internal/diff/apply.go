package diff

import (
	"fmt"
	"strconv"
	"strings"
)

// Apply applies a single-file unified diff (as written by Unified) to src,
// strictly: every context and removed line must match. Lines before the
// first "---" are ignored, as patch does.
func Apply(src []byte, patch string) ([]byte, error) {
	lines := splitLines(patch)
	old := splitLines(string(src))
	var out []string
	pos := 0 // next line of old to copy
	i := 0
	for i < len(lines) && !strings.HasPrefix(lines[i], "--- ") {
		i++
	}
	i += 2 // --- and +++
	for i < len(lines) {
		h := lines[i]
		if !strings.HasPrefix(h, "@@ -") {
			return nil, fmt.Errorf("line %d: expected a hunk header, got %q", i+1, h)
		}
		start, err := hunkStart(h)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		if start > 0 {
			start-- // 1-based; 0 when the hunk adds to an empty file
		}
		if start < pos || start > len(old) {
			return nil, fmt.Errorf("line %d: hunk out of order", i+1)
		}
		out = append(out, old[pos:start]...)
		pos = start
		i++
		for i < len(lines) && !strings.HasPrefix(lines[i], "@@ ") {
			l := lines[i]
			noNL := i+1 < len(lines) && strings.HasPrefix(lines[i+1], `\ No newline`)
			text := l[1:]
			if noNL {
				text = strings.TrimSuffix(text, "\n")
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(old) || old[pos] != text {
					return nil, fmt.Errorf("line %d: context does not match", i+1)
				}
				if l[0] == ' ' {
					out = append(out, text)
				}
				pos++
			case '+':
				out = append(out, text)
			default:
				return nil, fmt.Errorf("line %d: unexpected %q", i+1, l)
			}
			i++
			if noNL {
				i++
			}
		}
	}
	out = append(out, old[pos:]...)
	return []byte(strings.Join(out, "")), nil
}

func hunkStart(h string) (int, error) {
	f := strings.Fields(h)
	if len(f) < 3 {
		return 0, fmt.Errorf("bad hunk header %q", h)
	}
	r := strings.TrimPrefix(f[1], "-")
	r, _, _ = strings.Cut(r, ",")
	return strconv.Atoi(r)
}
