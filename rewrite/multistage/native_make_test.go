package multistage

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/makefile"
)

func TestRecipeWrites(t *testing.T) {
	for _, c := range []struct {
		name, recipe string
		want         string // the writes, DESTDIR as D, then "libs" when it installs one
		err          string
	}{
		{name: "install, -d and -D", recipe: "\tinstall -d $(DESTDIR)$(P)/bin\n\tinstall -D -m 755 app $(DESTDIR)$(P)/bin/app\n",
			want: "D/usr/local/bin D/usr/local/bin/app"},
		{name: "-t", recipe: "\tinstall -m 644 -t $(DESTDIR)$(P)/share/man/man1 app.1\n", want: "D/usr/local/share/man/man1"},
		{name: "cp, ln and a cd", recipe: "\tcp app $(DESTDIR)$(P)/bin/\n\tcd $(DESTDIR)$(P)/bin && ln -sf app app2\n",
			want: "D/usr/local/bin D/usr/local/bin/app2"},
		{name: "a shared library", recipe: "\tinstall -D libx.so.1 $(DESTDIR)$(P)/lib/libx.so.1\n\tldconfig\n",
			want: "D/usr/local/lib/libx.so.1 libs"},
		{name: "a static library and headers", recipe: "\tinstall -D libx.a $(DESTDIR)$(P)/lib/libx.a\n\tmkdir -p $(DESTDIR)$(P)/lib/pkgconfig\n",
			want: "D/usr/local/lib/libx.a D/usr/local/lib/pkgconfig"},
		{name: "a redirect", recipe: "\techo x > $(DESTDIR)/etc/app.conf\n", want: "D/etc/app.conf"},
		{name: "a loop", recipe: "\tfor f in a b; do install -m 644 $$f $(DESTDIR)$(P)/share/; done\n", want: "D/usr/local/share"},
		{name: "no DESTDIR", recipe: "\tcp app /usr/bin/app\n", want: "/usr/bin/app"},
		{name: "sub-make", recipe: "\t$(MAKE) install-bin\ninstall-bin:\n\tcp app $(DESTDIR)/opt/app\n", want: "D/opt/app"},
		{name: "sub-make elsewhere", recipe: "\t$(MAKE) -C doc install\n", err: "runs make on another Makefile (-C)"},
		{name: "a script", recipe: "\tsh install.sh\n", err: "runs sh"},
		{name: "a variable destination", recipe: "\tfor d in bin lib; do mkdir -p $$d; done\n", err: "named by a shell variable"},
		{name: "a shell function", recipe: "\tcp app $(shell pwd)/x\n", err: "function dockslim does not evaluate"},
	} {
		src := "P = /usr/local\ninstall:\n" + c.recipe
		mf := makefile.Parse("Makefile", []byte(src), nil)
		vars := mf.Vars(makefile.Env{CommandLine: map[string]string{"DESTDIR": destdirMarker}})
		w, err := recipeWrites(mf, vars, "install", 0)
		var got []string
		for _, x := range w.paths {
			got = append(got, strings.Replace(x.path, destdirMarker, "D", 1))
		}
		if w.libs {
			got = append(got, "libs")
		}
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: got %v, %v; want error %q", c.name, got, err, c.err)
		case c.err == "" && (err != nil || strings.Join(got, " ") != c.want):
			t.Errorf("%s: got %q, %v; want %q", c.name, strings.Join(got, " "), err, c.want)
		}
	}
}

func TestCMakeLibraries(t *testing.T) {
	for _, c := range []struct {
		text              string
		shared, byDefault bool
	}{
		{"add_executable(app main.c)\ninstall(TARGETS app DESTINATION bin)\n", false, false},
		{"add_library(util STATIC util.c) # SHARED in a comment\n", false, false},
		{"add_library(util\n  SHARED\n  util.c)\n", true, false},
		{"ADD_LIBRARY(plugin MODULE p.c)\n", true, false},
		{"add_library(util util.c)\n", false, true},
		{"add_library(hdrs INTERFACE)\nadd_library(x::y ALIAS hdrs)\n", false, false},
		{"install(FILES prebuilt/libx.so.1 DESTINATION lib)\n", true, false},
	} {
		shared, byDefault := cmakeLibraries(c.text)
		if shared != c.shared || byDefault != c.byDefault {
			t.Errorf("%q: shared %v, by default %v", c.text, shared, byDefault)
		}
	}
}
