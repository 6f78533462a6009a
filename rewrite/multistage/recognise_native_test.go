package multistage

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// cInstall is a Dockerfile that runs make install in /src, the context
// copied there; %s is the install command.
func cInstall(install string) string {
	return "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential zlib1g-dev\nWORKDIR /src\nCOPY . .\nRUN make && " +
		install + "\nCMD [\"app\"]\n"
}

const installRecipe = "app: app.c\n\tcc -o $@ $<\ninstall: app\n\tinstall -d $(DESTDIR)$(PREFIX)/bin\n\tinstall -m 755 app $(DESTDIR)$(PREFIX)/bin/app\n"

func TestRecogniseNativeFromContext(t *testing.T) {
	mk := func(head string) map[string]string {
		return map[string]string{"Makefile": head + installRecipe, "app.c": ""}
	}
	runRecCases(t, recogniseNative, []recCase{
		{name: "PREFIX ?= in the Makefile", files: mk("PREFIX ?= /usr/local\n"), src: cInstall("make install"),
			want: "split: the files installed in /usr/local (PREFIX in Makefile:1)"},
		{name: "PREFIX = ", files: mk("PREFIX = /opt/a\n"), src: cInstall("make install"), want: "plan: installed in /opt/a (PREFIX in Makefile:1)"},
		{name: "PREFIX := ", files: mk("PREFIX := /opt/b\n"), src: cInstall("make install"), want: "plan: installed in /opt/b"},
		{name: "the command line wins", files: mk("PREFIX ?= /usr/local\n"), src: cInstall("make install PREFIX=/opt/cl"),
			want: "plan: installed in /opt/cl (PREFIX in the command line)"},
		{name: "ENV wins over ?=", files: mk("PREFIX ?= /usr/local\n"), src: "FROM debian:bookworm\nENV PREFIX=/opt/env\nWORKDIR /src\nCOPY . .\nRUN make install\nCMD [\"app\"]\n",
			want: "plan: installed in /opt/env (PREFIX in the environment)"},
		{name: "lower-case prefix", src: cInstall("make install"),
			files: map[string]string{"Makefile": "prefix = /opt/p\ninstall:\n\tinstall -D -m 755 app $(DESTDIR)$(prefix)/bin/app\n"},
			want:  "plan: installed in /opt/p (prefix in Makefile:1)"},
		{name: "an included config.mk", src: cInstall("make install"),
			files: map[string]string{"Makefile": "include config.mk\n" + installRecipe, "config.mk": "PREFIX = /opt/inc\n"},
			want:  "plan: installed in /opt/inc (PREFIX in config.mk:1)"},
		{name: "COPY of the Makefile alone", src: "FROM debian:bookworm\nWORKDIR /src\nCOPY Makefile ./\nCOPY src/ ./\nRUN make install\nCMD [\"app\"]\n",
			files: map[string]string{"Makefile": "PREFIX ?= /opt/m\n" + installRecipe, "src/app.c": ""},
			want:  "plan: installed in /opt/m"},
		{name: "cd and make -C", files: map[string]string{"tool/Makefile": "PREFIX ?= /opt/t\n" + installRecipe},
			src:  "FROM debian:bookworm\nCOPY . /src\nRUN cd /src && make -C tool install\nCMD [\"app\"]\n",
			want: "plan: installed in /opt/t"},

		{name: "a shared prefix is staged with DESTDIR", files: mk("PREFIX ?= /usr\n"), src: cInstall("make install"),
			want: "split: the files the install stages under DESTDIR /out (the install prefix /usr is shared with the builder's own files)"},
		{name: "a write outside the prefix is staged", src: cInstall("make install"),
			files: map[string]string{"Makefile": "PREFIX ?= /usr/local\n" + installRecipe + "\tinstall -D app.conf $(DESTDIR)/etc/app.conf\n"},
			want:  "split: stages under DESTDIR /out (Makefile:7 writes /etc/app.conf, outside the prefix /usr/local)"},
		{name: "no prefix variable, DESTDIR honoured", src: cInstall("make install"),
			files: map[string]string{"Makefile": "install:\n\tinstall -D app $(DESTDIR)/usr/bin/app\n"},
			want:  "split: stages under DESTDIR /out (Makefile sets neither PREFIX nor prefix)"},
		{name: "a write without DESTDIR", src: cInstall("make install"),
			files: map[string]string{"Makefile": "PREFIX ?= /usr/local\n" + installRecipe + "\tcp app.conf /etc/app.conf\n"},
			want:  "decline: Makefile:7 writes /etc/app.conf, outside the prefix /usr/local and without $(DESTDIR), so dockslim cannot tell"},
		{name: "an install script", src: cInstall("make install"),
			files: map[string]string{"Makefile": "PREFIX ?= /usr/local\ninstall:\n\t./install.sh $(PREFIX)\n"},
			want:  "decline: Makefile:3 runs ./install.sh, which dockslim does not read"},
		{name: "a conditional prefix", src: cInstall("make install"),
			files: map[string]string{"Makefile": "ifeq ($(OS),)\nPREFIX = /usr/local\nendif\n" + installRecipe},
			want:  "decline: Makefile:2 sets PREFIX under a condition"},
		{name: "no Makefile in the context", files: map[string]string{"app.c": ""}, src: cInstall("make install"),
			want: "decline: make install has no PREFIX, prefix or DESTDIR on its command line, and the build context has no Makefile that a COPY puts in /src"},
		{name: "an earlier install stops the staging", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN cd dep && make install\nRUN make install\nCMD [\"app\"]\n",
			files: map[string]string{"Makefile": "PREFIX ?= /usr\n" + installRecipe, "dep/Makefile": "install:\n\tcp x $(DESTDIR)/usr/lib/x\n"},
			want:  "decline: the RUN at line 4 installs into the system first"},
		{name: "a vendored library outside the copied prefix", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN cd dep && make install PREFIX=/usr/local\nRUN make install PREFIX=/opt/app\nCMD [\"/opt/app/bin/app\"]\n",
			files: map[string]string{"Makefile": "PREFIX ?= /usr\n" + installRecipe, "dep/Makefile": "PREFIX ?= /usr\ninstall:\n\tcp x.so $(DESTDIR)$(PREFIX)/lib/x.so\n"},
			want:  "decline: the RUN at line 4 installs with make into /usr/local, which the runtime stage would not get"},
		{name: "a vendored library under the copied prefix", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN cd dep && make install PREFIX=/usr/local\nRUN make install PREFIX=/usr/local\nCMD [\"app\"]\n",
			files: map[string]string{"Makefile": "PREFIX ?= /usr\n" + installRecipe, "dep/Makefile": "PREFIX ?= /usr\ninstall:\n\tcp x.so $(DESTDIR)$(PREFIX)/lib/x.so\n"},
			want:  "split: the files installed in /usr/local"},
		{name: "a vendored library where dockslim cannot tell", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN cd dep && ./install.sh\nRUN cd dep2 && make install\nRUN make install PREFIX=/usr/local\nCMD [\"app\"]\n",
			files: map[string]string{"Makefile": "PREFIX ?= /usr\n" + installRecipe},
			want:  "decline: the RUN at line 5 installs with make where dockslim cannot tell"},
		{name: "a later command uses the installed files", files: mk("PREFIX ?= /usr\n"), src: cInstall("make install && app --version"),
			want: "decline: runs app after the install"},

		{name: "autotools default prefix", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN ./configure && make && make install\nCMD [\"app\"]\n",
			files: map[string]string{"configure.ac": "AC_INIT\n", "Makefile.am": "bin_PROGRAMS = app\n", "configure": "#!/bin/sh\n"},
			want:  "split: installed in /usr/local (Autoconf's default)"},
		{name: "autotools --prefix=/usr is staged", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN ./configure --prefix=/usr && make && make install\nCMD [\"app\"]\n",
			files: map[string]string{"configure.ac": "AC_INIT\n", "Makefile.am": "bin_PROGRAMS = app\n"},
			want:  "split: stages under DESTDIR /out"},
		{name: "configure that is not Autoconf", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN ./configure && make && make install\nCMD [\"app\"]\n",
			files: map[string]string{"configure": "#!/bin/sh\necho hand-written\n"},
			want:  "decline: ./configure has no --prefix and the build context does not show an Autoconf project"},

		{name: "cmake then make install in the build folder", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src/build\nRUN cmake -DCMAKE_INSTALL_PREFIX:PATH=/opt/c .. && make && make install\nCMD [\"app\"]\n",
			files: map[string]string{"CMakeLists.txt": "install(TARGETS app DESTINATION bin)\n"},
			want:  "plan: installed in /opt/c (-DCMAKE_INSTALL_PREFIX)"},
		{name: "cmake absolute DESTINATION is staged", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN cmake -B build && cmake --build build && cmake --install build\nCMD [\"app\"]\n",
			files: map[string]string{"CMakeLists.txt": "install(TARGETS app DESTINATION bin)\ninstall(FILES app.conf DESTINATION /etc/app)\n"},
			want:  "split: stages under DESTDIR /out (CMakeLists.txt:2 installs to /etc/app, outside the prefix)"},
		{name: "cmake --install --prefix", src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN cmake -B build && cmake --build build && cmake --install build --prefix /opt/i\nCMD [\"app\"]\n",
			files: map[string]string{"CMakeLists.txt": ""},
			want:  "plan: installed in /opt/i (cmake --install --prefix)"},

		{name: "download tools stay in the build stage", want: "split: not installed at run time, since nothing there names them: curl, ca-certificates",
			src: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential curl ca-certificates libpq-dev\nCOPY . /src\nWORKDIR /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n"},
		{name: "a CMD that runs curl keeps it", want: "split: installed in /opt/x (the make command line) (their",
			src: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential curl\nCOPY . /src\nWORKDIR /src\nRUN make install PREFIX=/opt/x\nHEALTHCHECK CMD curl -f http://localhost/\nCMD [\"/opt/x/bin/x\"]\n"},
	})
}

func TestNativeRuntimePackageLists(t *testing.T) {
	for _, c := range []struct{ src, install, dropped string }{
		{"FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential libcurl4-openssl-dev curl\nCOPY . /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n",
			"ca-certificates libcurl4", "curl"},
		{"FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential libssl-dev\nCOPY . /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n",
			"ca-certificates libssl3", ""},
		{"FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential zlib1g-dev wget\nCOPY . /src\nRUN make install PREFIX=/opt/x\nCMD [\"wget\", \"-q\", \"https://example.com\"]\n",
			"ca-certificates wget", ""},
		{"FROM buildpack-deps:bookworm-curl\nRUN apt-get update && apt-get install -y build-essential zlib1g-dev\nCOPY . /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n",
			"", ""},
	} {
		f, err := parser.Load("Dockerfile", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		si := examine(&rewrite.Context{File: f})
		got, d := si.nativeRuntimePackages(nil, debianSlim("bookworm"))
		if d != nil || strings.Join(got.install, " ") != c.install || strings.Join(got.dropped, " ") != c.dropped {
			t.Errorf("%s:\ngot install %v, dropped %v, %v; want %q, %q", c.src, got.install, got.dropped, d, c.install, c.dropped)
		}
	}
}
