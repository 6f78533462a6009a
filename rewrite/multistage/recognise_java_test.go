package multistage

import "testing"

func TestRecogniseJava(t *testing.T) {
	runRecArchive(t, recogniseJava, "java")
}

func TestJavaVersion(t *testing.T) {
	for _, c := range []struct {
		repo, tag, want string
		ok              bool
	}{
		{"eclipse-temurin", "17-jdk", "17", true},
		{"eclipse-temurin", "21", "21", true},
		{"openjdk", "11-jdk-slim", "11", true},
		{"maven", "latest", "", false},
		{"gradle", "8.5-jdk17-jammy", "17", true},
	} {
		got, ok := javaVersion(c.repo, c.tag)
		if got != c.want || ok != c.ok {
			t.Errorf("javaVersion(%s, %s) = %q, %v; want %q, %v", c.repo, c.tag, got, ok, c.want, c.ok)
		}
	}
}
