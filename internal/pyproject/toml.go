package pyproject

import "strings"

// tomlDoc is a TOML document read shallowly, as much as project metadata
// needs: each table by its header name ("project", "tool.setuptools"),
// each key with its raw value text (a string, an array or an inline table,
// possibly spanning lines). Array-of-tables headers ([[x]]) are read as
// the table x; dotted keys stay dotted ("readme.file").
type tomlDoc map[string]map[string]string

// parseTOML reads text; what it does not understand it skips.
func parseTOML(text string) tomlDoc {
	doc := tomlDoc{"": {}}
	table := ""
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(stripComment(lines[i]))
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "[") {
			table = tableName(l)
			if doc[table] == nil {
				doc[table] = map[string]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		// An array or inline table may go on over the next lines.
		for !balanced(v) && i+1 < len(lines) {
			i++
			v += "\n" + strings.TrimSpace(stripComment(lines[i]))
		}
		doc[table][unquoteKey(strings.TrimSpace(k))] = v
	}
	return doc
}

// tableName reads a table header: [a.b], [[a.b]], [a."b.c"].
func tableName(l string) string {
	name := strings.Trim(l, "[] \t")
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = unquoteKey(strings.TrimSpace(p))
	}
	return strings.Join(parts, ".")
}

func unquoteKey(k string) string { return strings.Trim(k, `"'`) }

// walkTop calls visit for each byte of s outside strings with the depth
// of brackets and braces open before it, until visit returns false; it
// returns the depth at the end.
func walkTop(s string, visit func(i int, c byte, depth int) bool) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		case c == '"' || c == '\'':
			quote = c
			continue
		}
		if !visit(i, c, depth) {
			break
		}
		switch c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
	}
	return depth
}

// stripComment removes a # comment that is not inside a string.
func stripComment(l string) string {
	end := len(l)
	walkTop(l, func(i int, c byte, _ int) bool {
		if c == '#' {
			end = i
			return false
		}
		return true
	})
	return l[:end]
}

// balanced reports whether every bracket and brace opened in v outside
// strings is closed.
func balanced(v string) bool {
	return walkTop(v, func(int, byte, int) bool { return true }) <= 0
}

// tomlString reads a basic or literal string value.
func tomlString(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) < 2 {
		return "", false
	}
	switch {
	case strings.HasPrefix(v, `"""`) || strings.HasPrefix(v, `'''`):
		return strings.TrimSpace(v[3 : len(v)-3]), len(v) >= 6
	case v[0] == '"' && v[len(v)-1] == '"':
		return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(v[1 : len(v)-1]), true
	case v[0] == '\'' && v[len(v)-1] == '\'':
		return v[1 : len(v)-1], true
	}
	return "", false
}

// splitTop splits s at sep where it is outside strings and brackets.
func splitTop(s string, sep byte) []string {
	var out []string
	start := 0
	walkTop(s, func(i int, c byte, depth int) bool {
		if c == sep && depth == 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
		return true
	})
	return append(out, s[start:])
}

// tomlArray reads an array of strings; ok is false when v is not an array
// or holds something else than strings.
func tomlArray(v string) (items []string, ok bool) {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") {
		return nil, false
	}
	for _, it := range splitTop(v[1:len(v)-1], ',') {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		s, ok := tomlString(it)
		if !ok {
			return nil, false
		}
		items = append(items, s)
	}
	return items, true
}

// tomlInline reads an inline table's keys and raw values ({file = "x"}).
func tomlInline(v string) (map[string]string, bool) {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "{") || !strings.HasSuffix(v, "}") {
		return nil, false
	}
	out := map[string]string{}
	for _, kv := range splitTop(v[1:len(v)-1], ',') {
		k, val, ok := strings.Cut(kv, "=")
		if ok {
			out[unquoteKey(strings.TrimSpace(k))] = strings.TrimSpace(val)
		}
	}
	return out, true
}
