package prefault

// mapping is one line of /proc/self/maps.
type mapping struct {
	lo, hi   uintptr
	writable bool
	path     string
}

// parseMaps reads complete lines of /proc/PID/maps ("lo-hi perms offset dev
// inode path"); a truncated last line is dropped. No strconv or strings:
// this runs before most packages are initialized and should stay tiny.
func parseMaps(b []byte) []mapping {
	var out []mapping
	for len(b) > 0 {
		end := 0
		for end < len(b) && b[end] != '\n' {
			end++
		}
		if end == len(b) {
			break // no newline: truncated
		}
		line := b[:end]
		b = b[end+1:]
		var m mapping
		var i int
		var ok bool
		if m.lo, i, ok = hexField(line, 0, '-'); !ok {
			continue
		}
		if m.hi, i, ok = hexField(line, i+1, ' '); !ok || m.hi <= m.lo {
			continue
		}
		perms := field(line, i+1)
		if len(perms) < 4 {
			continue
		}
		m.writable = perms[1] == 'w'
		// The path is the sixth field; it may contain spaces, so it is the
		// rest of the line after the inode.
		j := i + 1
		for k := 0; k < 4; k++ { // skip perms, offset, dev, inode
			j = skipField(line, j)
		}
		for j < len(line) && line[j] == ' ' {
			j++
		}
		m.path = string(line[j:])
		out = append(out, m)
	}
	return out
}

func hexField(b []byte, i int, stop byte) (uintptr, int, bool) {
	var v uintptr
	start := i
	for ; i < len(b) && b[i] != stop; i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uintptr(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uintptr(c-'a'+10)
		default:
			return 0, i, false
		}
	}
	return v, i, i > start && i < len(b)
}

func field(b []byte, i int) []byte {
	j := i
	for j < len(b) && b[j] != ' ' {
		j++
	}
	return b[i:j]
}

func skipField(b []byte, i int) int {
	for i < len(b) && b[i] == ' ' {
		i++
	}
	for i < len(b) && b[i] != ' ' {
		i++
	}
	return i
}
