package multistage

import "testing"

func TestSameVersionLine(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"3.11.9-slim-bullseye", "3.11-slim-bullseye", true},
		{"3.11-slim", "3.11.9", true},
		{"3.12-slim-bullseye", "3.11-slim-bullseye", false},
		{"20-slim", "20.11.1-bookworm-slim", true},
		{"21-jre", "17-jre", false},
	} {
		if got := sameVersionLine(tc.a, tc.b); got != tc.want {
			t.Errorf("sameVersionLine(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
