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
