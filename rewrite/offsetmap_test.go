package rewrite

import (
	"testing"

	"github.com/dockslim/dockslim/internal/textedit"
)

// mapped applies fixes to src through textedit.Apply and the map, and
// checks that both agree on the new text's length.
func mapped(t *testing.T, m *OffsetMap, src string, fixes ...[]textedit.Edit) (*OffsetMap, string) {
	t.Helper()
	var all []textedit.Edit
	for _, f := range fixes {
		all = append(all, f...)
	}
	out, err := textedit.Apply([]byte(src), all)
	if err != nil {
		t.Fatal(err)
	}
	nm := m.Apply([]byte(src), fixes...)
	if nm.Len() != len(out) {
		t.Fatalf("map length %d, text length %d", nm.Len(), len(out))
	}
	return nm, string(out)
}

func checkToInput(t *testing.T, m *OffsetMap, cur string, want map[int]int) {
	t.Helper()
	for p, w := range want {
		if got := m.ToInput(p); got != w {
			t.Errorf("ToInput(%d) (%q) = %d, want %d", p, cur[p:], got, w)
		}
	}
}

func TestOffsetMapInsertion(t *testing.T) {
	src := "RUN pip install x\n"
	m, cur := mapped(t, IdentityMap(len(src)), src, []textedit.Edit{{Start: 15, End: 15, Text: " --no-cache-dir"}})
	if cur != "RUN pip install --no-cache-dir x\n" {
		t.Fatalf("text %q", cur)
	}
	checkToInput(t, m, cur, map[int]int{
		0: 0, 14: 14, // before: unchanged
		15: 15, 20: 15, 29: 15, // inside the insertion: where it was inserted
		30: 15, 31: 16, // after: shifted back
		len(cur): len(src),
	})
	for in, want := range map[int]int{0: 0, 15: 30, 16: 31, len(src): len(cur)} {
		if got := m.ToCurrent(in); got != want {
			t.Errorf("ToCurrent(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestOffsetMapDeletion(t *testing.T) {
	src := "RUN a\nRUN b\nRUN c\n"
	m, cur := mapped(t, IdentityMap(len(src)), src, []textedit.Edit{{Start: 6, End: 12}})
	if cur != "RUN a\nRUN c\n" {
		t.Fatalf("text %q", cur)
	}
	checkToInput(t, m, cur, map[int]int{0: 0, 5: 5, 6: 12, 10: 16})
	// A removed byte maps to where the text after it starts.
	if got := m.ToCurrent(8); got != 6 {
		t.Errorf("ToCurrent(8) = %d, want 6", got)
	}
	if got := m.ToCurrent(13); got != 7 {
		t.Errorf("ToCurrent(13) = %d, want 7", got)
	}
}

func TestOffsetMapReplacement(t *testing.T) {
	src := "FROM python:3.11\nRUN x\n"
	m, cur := mapped(t, IdentityMap(len(src)), src, []textedit.Edit{{Start: 12, End: 16, Text: "3.11-slim"}})
	if cur != "FROM python:3.11-slim\nRUN x\n" {
		t.Fatalf("text %q", cur)
	}
	// The new text maps to the start of the replaced range.
	checkToInput(t, m, cur, map[int]int{5: 5, 12: 12, 16: 12, 20: 12, 21: 16, 22: 17, 26: 21})
}

func TestOffsetMapRounds(t *testing.T) {
	src := "FROM alpine\nRUN apt-get update\nRUN apt-get install x\n"
	// Round 1: merge the update into the next RUN.
	m1, cur1 := mapped(t, IdentityMap(len(src)), src, []textedit.Edit{
		{Start: 12, End: 31},
		{Start: 35, End: 35, Text: "apt-get update && "},
	})
	if cur1 != "FROM alpine\nRUN apt-get update && apt-get install x\n" {
		t.Fatalf("round 1: %q", cur1)
	}
	// Round 2: clean up at the end of the merged RUN, and insert a new line at the top.
	end := len(cur1) - 1
	m2, cur2 := mapped(t, m1, cur1,
		[]textedit.Edit{{Start: end, End: end, Text: " && rm -rf /var/lib/apt/lists/*"}},
		[]textedit.Edit{{Start: 0, End: 0, Text: "# syntax=docker/dockerfile:1\n"}})
	want := "# syntax=docker/dockerfile:1\nFROM alpine\nRUN apt-get update && apt-get install x && rm -rf /var/lib/apt/lists/*\n"
	if cur2 != want {
		t.Fatalf("round 2: %q", cur2)
	}
	at := func(s string) int {
		for i := range cur2 {
			if cur2[i:min(len(cur2), i+len(s))] == s {
				return i
			}
		}
		t.Fatalf("%q not in %q", s, cur2)
		return 0
	}
	checkToInput(t, m2, cur2, map[int]int{
		0:                   0,  // inserted at the top
		at("FROM"):          0,  // copied
		at("RUN apt-get"):   31, // the install's RUN: the update's RUN is gone
		at("update &&"):     35, // inserted in round 1: where
		at("install x"):     43, // copied, through two rounds
		at(" && rm"):        52, // inserted in round 2 at the end of the install
		at("lists/*") + 3:   52,
		len(cur2) - 1:       52, // the newline
		len(cur2):           len(src),
		at("apt-get i") - 1: 35,
	})
}

func TestOffsetMapMove(t *testing.T) {
	src := "COPY . /app\nRUN pip install -r requirements.txt\nCMD x\n"
	// DS301's way: the copy becomes the manifest's copy, and the whole copy
	// is inserted again after the install.
	m, cur := mapped(t, IdentityMap(len(src)), src, []textedit.Edit{
		{Start: 0, End: 12, Text: "COPY requirements.txt /app/\n"},
		{Start: 48, End: 48, Text: "COPY . /app\n"},
	})
	if cur != "COPY requirements.txt /app/\nRUN pip install -r requirements.txt\nCOPY . /app\nCMD x\n" {
		t.Fatalf("text %q", cur)
	}
	checkToInput(t, m, cur, map[int]int{
		0:  0,  // new text: where it was inserted
		28: 12, // the install, copied
		64: 0,  // the moved copy keeps its input offset
		69: 5,
		76: 48, // CMD
	})
	// Text removed by one fix and inserted by another is not a move.
	m, cur = mapped(t, IdentityMap(len(src)), src,
		[]textedit.Edit{{Start: 0, End: 12}},
		[]textedit.Edit{{Start: 48, End: 48, Text: "COPY . /app\n"}})
	checkToInput(t, m, cur, map[int]int{36: 48, 40: 48})
}
