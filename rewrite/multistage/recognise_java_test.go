package multistage

import "testing"

func TestJarCreate(t *testing.T) {
	for _, c := range []struct {
		argv     []string
		want     jarArchive
		variable int // index of a non-literal word, or 0
	}{
		{argv: []string{"jar", "--create", "--file", "app.jar", "-C", "out", "."}, want: jarArchive{create: true, file: "app.jar"}},
		{argv: []string{"jar", "--create", "--file=x/app.jar", "--main-class=a.Main"}, want: jarArchive{create: true, file: "x/app.jar"}},
		{argv: []string{"jar", "-c", "-f", "app.jar", "-e", "a.Main", "-C", "out", "."}, want: jarArchive{create: true, file: "app.jar"}},
		{argv: []string{"jar", "-cf", "app.jar", "-C", "out", "."}, want: jarArchive{create: true, file: "app.jar"}},
		{argv: []string{"jar", "cvfe", "app.jar", "a.Main", "-C", "out", "."}, want: jarArchive{create: true, file: "app.jar"}},
		{argv: []string{"jar", "cmf", "MANIFEST.MF", "app.jar", "out"}, want: jarArchive{create: true, file: "app.jar", manifest: true}},
		{argv: []string{"jar", "--create", "--manifest", "m.txt", "--file", "app.jar"}, want: jarArchive{create: true, file: "app.jar", manifest: true}},
		{argv: []string{"jar", "c", "-C", "out", "."}, want: jarArchive{create: true}},
		{argv: []string{"jar", "--create", "--file", "", "out"}, want: jarArchive{create: true}, variable: 3},
		{argv: []string{"jar", "tf", "app.jar"}, want: jarArchive{file: "app.jar"}},
		{argv: []string{"jar", "xf", "app.jar"}, want: jarArchive{file: "app.jar"}},
	} {
		lit := make([]bool, len(c.argv))
		for i := range lit {
			lit[i] = i != c.variable || c.variable == 0
		}
		if got := jarCreate(command{argv: c.argv, lit: lit}); got != c.want {
			t.Errorf("jarCreate(%q) = %+v, want %+v", c.argv, got, c.want)
		}
	}
}
