package textedit

import "testing"

func TestApply(t *testing.T) {
	src := []byte("RUN pip install x")
	got, err := Apply(src, []Edit{
		{Start: 15, End: 15, Text: " --no-cache-dir"},
		{Start: 0, End: 3, Text: "run"},
		{Start: 17, End: 17, Text: " && true"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "run pip install --no-cache-dir x && true" {
		t.Errorf("got %q", got)
	}
	if _, err := Apply(src, []Edit{{Start: 0, End: 5}, {Start: 3, End: 6}}); err == nil {
		t.Errorf("overlapping edits must fail")
	}
	if _, err := Apply(src, []Edit{{Start: 10, End: 99}}); err == nil {
		t.Errorf("out-of-range edit must fail")
	}
}

func TestOverlaps(t *testing.T) {
	cases := []struct {
		a, b Edit
		want bool
	}{
		{Edit{Start: 0, End: 5}, Edit{Start: 5, End: 9}, false},
		{Edit{Start: 0, End: 5}, Edit{Start: 4, End: 9}, true},
		{Edit{Start: 3, End: 3}, Edit{Start: 3, End: 3}, true},
		// an insertion at either end of a replaced range: order undefined
		{Edit{Start: 3, End: 3}, Edit{Start: 0, End: 3}, true},
		{Edit{Start: 3, End: 3}, Edit{Start: 3, End: 6}, true},
		{Edit{Start: 2, End: 2}, Edit{Start: 3, End: 6}, false},
		{Edit{Start: 3, End: 3}, Edit{Start: 0, End: 5}, true},
	}
	for _, c := range cases {
		if got := Overlaps(c.a, c.b); got != c.want || Overlaps(c.b, c.a) != c.want {
			t.Errorf("Overlaps(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestSet: Set.Overlaps agrees with Overlaps against every edit added, for
// edits within a bucket, across bucket boundaries and spanning several.
func TestSet(t *testing.T) {
	var added []Edit
	var s Set
	next := uint32(1)
	rnd := func(n int) int { // a small deterministic generator
		next = next*1664525 + 1013904223
		return int(next>>8) % n
	}
	for range 2000 {
		start := rnd(6 * bucketSize)
		e := Edit{Start: start, End: start}
		switch rnd(3) {
		case 1:
			e.End += rnd(8)
		case 2:
			e.End += rnd(3 * bucketSize)
		}
		want := false
		for _, a := range added {
			want = want || Overlaps(e, a)
		}
		if got := s.Overlaps(e); got != want {
			t.Fatalf("Overlaps(%v) = %v, want %v", e, got, want)
		}
		if !want {
			s.Add(e)
			added = append(added, e)
		}
	}
	if len(added) < 10 {
		t.Errorf("only %d edits added: the test checks little", len(added))
	}
}
