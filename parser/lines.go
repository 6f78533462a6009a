package parser

import "bytes"

// Lines is the line index of a text: 1-based line numbers and byte
// columns of its offsets. A File embeds its own; NewLines indexes any text
// (a Result's input, for reports) without parsing it.
type Lines struct {
	src    []byte
	starts []int // byte offset of the start of each line (0-based line index)
}

// NewLines indexes the lines of src.
func NewLines(src []byte) *Lines {
	l := &Lines{src: src, starts: []int{0}}
	for i, b := range src {
		if b == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	// A final newline does not start a new (empty) line.
	if n := len(l.starts); n > 1 && l.starts[n-1] == len(src) {
		l.starts = l.starts[:n-1]
	}
	return l
}

// LineCount is the number of lines in the text.
func (l *Lines) LineCount() int { return len(l.starts) }

// LineStart is the byte offset of the first byte of 1-based line n.
func (l *Lines) LineStart(n int) int {
	if n < 1 {
		return 0
	}
	if n > len(l.starts) {
		return len(l.src)
	}
	return l.starts[n-1]
}

// LineEnd is the byte offset just past line n, including its newline.
func (l *Lines) LineEnd(n int) int {
	if n >= len(l.starts) {
		return len(l.src)
	}
	return l.starts[n]
}

// Line is the text of 1-based line n without its line ending.
func (l *Lines) Line(n int) string {
	return string(bytes.TrimRight(l.src[l.LineStart(n):l.LineEnd(n)], "\r\n"))
}

// Position converts a byte offset to a 1-based line and column (in bytes).
func (l *Lines) Position(off int) (line, col int) {
	lo, hi := 0, len(l.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if l.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - l.starts[lo] + 1
}
