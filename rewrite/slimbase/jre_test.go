package slimbase

import (
	"testing"

	"github.com/dockslim/dockslim/internal/images"
)

// TestJREFor: the JRE tag the index has for a JDK image; none for a JRE
// already, and none for maven images not built on eclipse-temurin.
func TestJREFor(t *testing.T) {
	for in, want := range map[images.Ref]string{
		{Image: "eclipse-temurin", Tag: "21"}:                "eclipse-temurin:21-jre",
		{Image: "eclipse-temurin", Tag: "17-jdk-jammy"}:      "eclipse-temurin:17-jre-jammy",
		{Image: "openjdk", Tag: "17"}:                        "eclipse-temurin:17-jre",
		{Image: "maven", Tag: "3.9-eclipse-temurin-17"}:      "eclipse-temurin:17-jre",
		{Image: "maven", Tag: "3-eclipse-temurin-21-alpine"}: "eclipse-temurin:21-jre-alpine",
		{Image: "gradle", Tag: "8-jdk17-alpine"}:             "eclipse-temurin:17-jre-alpine",
		{Image: "gradle", Tag: "jdk21"}:                      "eclipse-temurin:21-jre",
		{Image: "maven", Tag: "3.9-amazoncorretto-17"}:       "",
		{Image: "eclipse-temurin", Tag: "17-jre"}:            "",
		{Image: "openjdk", Tag: "11-jre-slim"}:               "",
		{Image: "python", Tag: "3.12"}:                       "",
	} {
		got, ok := jreFor(in)
		if s := got.String(); ok != (want != "") || ok && s != want {
			t.Errorf("%v → %q %v, want %q", in, s, ok, want)
		}
	}
}
