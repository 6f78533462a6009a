package images

import "testing"

func TestDeprecated(t *testing.T) {
	for _, tc := range []struct {
		image, tag, note string
		ok               bool
	}{
		{"python", "3.8", "python:3.8 is no longer updated upstream since 2024-10-01", true},
		{"node", "18-bookworm-slim", "node:18-bookworm-slim is no longer updated upstream since 2025-05-26", true},
		{"python", "3.11-slim-buster", "python:3.11-slim-buster is no longer updated upstream since 2023-06-07", true},
		{"openjdk", "17", "the openjdk image is deprecated upstream (only early-access builds are still published); " +
			"use eclipse-temurin (or amazoncorretto, ibm-semeru-runtimes, sapmachine); " +
			"openjdk:17 is no longer updated upstream since 2022-04-28", true},
		{"openjdk", "27-rc", "the openjdk image is deprecated upstream (only early-access builds are still published); " +
			"use eclipse-temurin (or amazoncorretto, ibm-semeru-runtimes, sapmachine)", true},
		{"centos", "7", "the centos image was removed from the official images; centos:7 is no longer updated upstream since 2022-02-08", true},
		{"python", "3.12", "", false},
		{"python", "", "", false},
		{"python", "3.99", "", false},
	} {
		note, ok := Deprecated(tc.image, tc.tag)
		if note != tc.note || ok != tc.ok {
			t.Errorf("Deprecated(%s:%s) =\n %q, %v\nwant\n %q, %v", tc.image, tc.tag, note, ok, tc.note, tc.ok)
		}
	}
}
