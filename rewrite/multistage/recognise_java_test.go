package multistage

import "testing"

func TestRecogniseJava(t *testing.T) {
	runRecArchive(t, recogniseJava, "java")
}

func TestJavaVersion(t *testing.T) {
	runTagCases(t, "javaVersion", javaVersion, []tagCase{
		{"eclipse-temurin", "17-jdk", "17", true},
		{"eclipse-temurin", "21", "21", true},
		{"openjdk", "11-jdk-slim", "11", true},
		{"maven", "latest", "", false},
		{"gradle", "8.5-jdk17-jammy", "17", true},
	})
}
