package images

import (
	"fmt"
	"strings"
)

// deprecatedImages are official images deprecated upstream as a whole.
var deprecatedImages = map[string]string{
	"openjdk": "the openjdk image is deprecated upstream (only early-access builds are still published); " +
		"use eclipse-temurin (or amazoncorretto, ibm-semeru-runtimes, sapmachine)",
}

// Deprecated explains why image:tag should not be used any more: the image
// is deprecated (openjdk), removed from the official images (centos, mono),
// or the tag is no longer listed, so no longer rebuilt ("python:3.8 is no
// longer updated upstream since 2024-10-01"). ok is false for current tags
// of live images and for unknown tags.
func Deprecated(image, tag string) (note string, ok bool) {
	im, i, _ := find(image, tag)
	if im == nil {
		return "", false
	}
	var notes []string
	if n := deprecatedImages[image]; n != "" {
		notes = append(notes, n)
	}
	if !im.Current(i) {
		if !im.anyCurrent() {
			notes = append(notes, "the "+image+" image was removed from the official images")
		}
		notes = append(notes, fmt.Sprintf("%s is no longer updated upstream since %s", Ref{image, tag}, day(im.LastSeen(i))))
	}
	return strings.Join(notes, "; "), len(notes) > 0
}

func (im *image) anyCurrent() bool {
	for i := 0; i < im.Len(); i++ {
		if im.Current(i) {
			return true
		}
	}
	return false
}
