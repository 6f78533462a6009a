package rewrite

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"

	"github.com/dockslim/dockslim/parser"
)

// A large file is run in parts (see runParts): runs of whole stages that no
// stage outside refers to, each with the file's header. This file finds
// them with a scan of the lines, before anything is parsed, so that a 10 MB
// file is never held as one model. The scan errs towards fewer cuts; what
// it cannot tell (a FROM line inside a heredoc, a FROM it missed) the parse
// of each part reveals, and the file is then run whole.

// stageText is one stage as the line scan finds it.
type stageText struct {
	start int    // offset of its FROM line
	name  string // its AS name, "" when none
	image string // the FROM image as written
	refs  []string
}

// scanStages returns the offset of the first FROM line (the header is the
// text before it) and the stages. ok is false when the scan cannot vouch
// for a stage's FROM line (continued on the next line) or a reference
// (--from=$VAR), and when there is no stage.
func scanStages(src []byte) (header int, stages []stageText, ok bool) {
	cont := false // the previous instruction line ends with an escape
	for pos := 0; pos < len(src); {
		end := bytes.IndexByte(src[pos:], '\n')
		next := len(src)
		if end < 0 {
			end = len(src)
		} else {
			end, next = pos+end, pos+end+1
		}
		line := bytes.TrimLeftFunc(src[pos:end], unicode.IsSpace)
		// As buildkit: comment lines and blank lines never start or end a
		// continuation.
		if len(line) > 0 && line[0] != '#' {
			if !cont && keywordIs(line, "from") {
				if continues(line) {
					return 0, nil, false
				}
				stages = append(stages, fromLine(pos, line))
			}
			if len(stages) > 0 {
				last := &stages[len(stages)-1]
				last.refs = append(last.refs, fromFlags(line)...)
			}
			cont = continues(line)
		}
		pos = next
	}
	if len(stages) == 0 {
		return 0, nil, false
	}
	for _, st := range stages {
		for _, r := range st.refs {
			if strings.Contains(r, "$") {
				return 0, nil, false
			}
		}
	}
	return stages[0].start, stages, true
}

// continues reports whether a line ends with an escape character (either:
// the scan does not read the escape directive) and blanks: buildkit joins
// the next line to it.
func continues(line []byte) bool {
	line = bytes.TrimRight(line, "\r\n")
	line = bytes.TrimRight(line, " \t")
	return len(line) > 0 && (line[len(line)-1] == '\\' || line[len(line)-1] == '`')
}

func keywordIs(line []byte, kw string) bool {
	return len(line) > len(kw) && strings.EqualFold(string(line[:len(kw)]), kw) && unicode.IsSpace(rune(line[len(kw)]))
}

// fromLine reads `FROM [--flag...] image [AS name]`.
func fromLine(start int, line []byte) stageText {
	st := stageText{start: start}
	words := strings.Fields(string(line))[1:]
	for len(words) > 0 && strings.HasPrefix(words[0], "--") {
		words = words[1:]
	}
	if len(words) > 0 {
		st.image = words[0]
	}
	if len(words) > 2 && strings.EqualFold(words[1], "as") {
		st.name = words[2]
	}
	return st
}

// fromFlags returns the values of `--from=` (COPY, ADD) and of a mount's
// `from=` (`--mount=type=cache,from=x`) on a line, wherever they are: a
// value found in a shell script only costs a cut.
func fromFlags(line []byte) []string {
	var out []string
	lower := bytes.ToLower(line)
	for i := 0; ; {
		j := bytes.Index(lower[i:], []byte("from="))
		if j < 0 {
			return out
		}
		j += i
		i = j + len("from=")
		if j == 0 || !strings.ContainsRune("-,=", rune(lower[j-1])) {
			continue
		}
		v := line[i:]
		if k := bytes.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }); k >= 0 {
			v = v[:k]
		}
		out = append(out, strings.Trim(string(v), `"'`))
	}
}

// layout is how a file's stages split into parts.
type layout struct {
	parts []partRange
	// links[i] are the stages that stage i copies or mounts from, or that
	// copy or mount from it: a part runs them beside its own stages (see
	// runPart).
	links [][]int
	// parent[i] is the stage that stage i is built FROM, -1 for an image.
	parent []int
}

// partRange is a part: stages [first, end) of the file.
type partRange struct{ first, end int }

// groupStages splits the stages into parts of at least size bytes (the last
// may be smaller), never between a stage and the stage it is built FROM
// (the image resolved with the header's global ARGs): a stage starts from
// its parent's state, and fixes reach from one into the other (a RUN of
// the child gets the apt-get update a cleanup of the parent needs). COPY
// --from and RUN --mount from=, by name or index, either way, are links:
// they may cross parts. ok is false when a FROM image cannot be resolved.
func groupStages(stages []stageText, header *parser.File, size int) (l layout, ok bool) {
	byName := map[string][]int{}
	for i, st := range stages {
		if st.name != "" {
			byName[strings.ToLower(st.name)] = append(byName[strings.ToLower(st.name)], i)
		}
	}
	named := func(ref string) []int {
		out := byName[strings.ToLower(ref)]
		if n, err := strconv.Atoi(ref); err == nil && n >= 0 && n < len(stages) {
			out = append(out[:len(out):len(out)], n)
		}
		return out
	}
	blocked := make([]int, len(stages)+1) // difference array over cuts
	l.links, l.parent = make([][]int, len(stages)), make([]int, len(stages))
	for i, st := range stages {
		img, ok := resolveImage(header, st.image)
		if !ok {
			return layout{}, false
		}
		l.parent[i] = -1
		for _, j := range byName[strings.ToLower(img)] {
			if j < i {
				l.parent[i] = j // the last earlier stage of that name
			}
		}
		if j := l.parent[i]; j >= 0 {
			blocked[j+1]++
			blocked[i+1]--
		}
		for _, ref := range st.refs {
			for _, j := range named(ref) {
				if j != i {
					l.links[i] = append(l.links[i], j)
					l.links[j] = append(l.links[j], i)
				}
			}
		}
	}
	first, depth := 0, 0
	for k := 1; k < len(stages); k++ {
		depth += blocked[k]
		if depth == 0 && stages[k].start-stages[first].start >= size {
			l.parts = append(l.parts, partRange{first, k})
			first = k
		}
	}
	l.parts = append(l.parts, partRange{first, len(stages)})
	return l, true
}

// context returns the stages outside [first, end) that a part runs in full
// beside its own: every stage its stages are connected to through links
// and FROM, transitively (what a pass may read about them: the state a
// stage starts from, what it copies, who can see a file it leaves).
func (l layout) context(first, end int) map[int]bool {
	children := make([][]int, len(l.parent))
	for i, p := range l.parent {
		if p >= 0 {
			children[p] = append(children[p], i)
		}
	}
	ctx := map[int]bool{}
	var visit func(int)
	visit = func(s int) {
		if s < 0 || (s < first || s >= end) && ctx[s] {
			return
		}
		if s < first || s >= end {
			ctx[s] = true
		}
		for _, t := range append(append([]int{l.parent[s]}, l.links[s]...), children[s]...) {
			if t >= first && t < end {
				continue // the part's own: visited from the loop below
			}
			visit(t)
		}
	}
	for s := first; s < end; s++ {
		visit(s)
	}
	return ctx
}

// resolveImage expands a FROM image with the global ARGs' defaults, as the
// builder does.
func resolveImage(header *parser.File, image string) (string, bool) {
	if !strings.Contains(image, "$") {
		return image, true
	}
	v, ok := header.ExpandMeta(image)
	return v, ok && !strings.Contains(v, "$")
}
