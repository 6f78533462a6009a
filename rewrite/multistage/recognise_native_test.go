package multistage

import "testing"

func TestRecogniseNative(t *testing.T) {
	runRecCases(t, recogniseNative, []recCase{
		{name: "make install PREFIX", want: "split: the files installed in /opt/app",
			src: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential libcurl4-openssl-dev\nWORKDIR /src\nCOPY . .\nRUN make && make install PREFIX=/opt/app\nCMD [\"/opt/app/bin/tool\"]\n"},
		{name: "configure --prefix", want: "split: the files installed in /opt/x",
			src: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /src\nCOPY . .\nRUN ./configure --prefix=/opt/x && make && make install\nCMD [\"/opt/x/bin/x\"]\n"},
		{name: "cmake --install, default prefix", want: "split: the files installed in /usr/local",
			src: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential cmake\nWORKDIR /src\nCOPY . .\nRUN cmake -B build && cmake --build build && cmake --install build\nCMD [\"/usr/local/bin/x\"]\n"},
		{name: "DESTDIR", want: "split: the files installed under DESTDIR /out",
			src: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /src\nCOPY . .\nRUN make && make install DESTDIR=/out PREFIX=/usr\nCMD [\"/usr/bin/x\"]\n"},

		{name: "not a C image", want: "none", src: "FROM node:20\nRUN make install PREFIX=/opt\nCMD [\"/opt/x\"]\n"},
		{name: "alpine", want: "split: the files installed in /opt",
			src: "FROM alpine:3.19\nRUN apk add build-base\nRUN make install PREFIX=/opt\nCMD [\"/opt/x\"]\n"},
		{name: "toolchain removed in the same RUN", want: "none",
			src: "FROM alpine:3.19\nRUN apk add --virtual .build-deps build-base && make install PREFIX=/opt && apk del .build-deps\nCMD [\"/opt/x\"]\n"},
		{name: "apt-get purge", want: "none",
			src: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential && make install PREFIX=/opt/x && apt-get purge -y --auto-remove build-essential\nCMD [\"/opt/x/bin/x\"]\n"},
		{name: "alpine DESTDIR", want: "decline: dedicated prefix only",
			src: "FROM alpine:3.19\nRUN apk add build-base\nRUN make install DESTDIR=/out\nCMD [\"/usr/local/bin/x\"]\n"},
		{name: "no install", want: "none",
			src: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential\nCOPY . /src\nRUN make -C /src\nCMD [\"/src/x\"]\n"},

		{name: "variables in the install", want: "decline: uses variables",
			src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN make install PREFIX=$P\nCMD [\"/opt/x\"]\n"},
		{name: "gcc newer than Debian's", want: "decline: compiles with a newer GCC",
			src: "FROM gcc:13\nCOPY . /src\nWORKDIR /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n"},
		{name: "unknown release", want: "decline: does not know the Debian release",
			src: "FROM debian:latest\nCOPY . /src\nWORKDIR /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n"},
		{name: "DESTDIR=/", want: "decline: DESTDIR=/ installs into the system folders",
			src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN make install DESTDIR=/\nCMD [\"/usr/local/bin/x\"]\n"},
		{name: "no prefix", want: "decline: make install without PREFIX",
			src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN make install\nCMD [\"/usr/local/bin/x\"]\n"},
		{name: "prefix /usr", want: "decline: the install prefix /usr is shared",
			src: "FROM debian:bookworm\nCOPY . /src\nWORKDIR /src\nRUN make install PREFIX=/usr\nCMD [\"/usr/bin/x\"]\n"},
		{name: "buildpack-deps comes with -dev packages", want: "decline: comes with the -dev packages of buildpack-deps",
			src: "FROM buildpack-deps:bookworm\nCOPY . /src\nWORKDIR /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n"},
		{name: "buildpack-deps -curl has none", want: "split: the files installed in /opt/x",
			src: "FROM buildpack-deps:bookworm-curl\nRUN apt-get update && apt-get install -y build-essential\nCOPY . /src\nWORKDIR /src\nRUN make install PREFIX=/opt/x\nCMD [\"/opt/x/bin/x\"]\n"},
	})
}

func TestNativeSuite(t *testing.T) {
	for _, c := range []struct {
		repo, tag, want string
		ok              bool
	}{
		{"debian", "bookworm", "bookworm", true},
		{"debian", "12", "bookworm", true},
		{"debian", "latest", "", false},
		{"buildpack-deps", "bookworm-curl", "bookworm", true},
		{"gcc", "12", "bookworm", true},
	} {
		got, ok := nativeSuite(c.repo, c.tag)
		if got != c.want || ok != c.ok {
			t.Errorf("nativeSuite(%s, %s) = %q, %v; want %q, %v", c.repo, c.tag, got, ok, c.want, c.ok)
		}
	}
}
