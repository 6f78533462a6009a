package layerorder

import "testing"

func TestVendoredDir(t *testing.T) {
	for _, c := range []struct{ run, want string }{
		{"cd third_party/zlib && ./configure && make && make install", "third_party/zlib"},
		{"make -C deps/lua linux && make -C deps/lua install INSTALL_TOP=/usr/local", "deps/lua"},
		{"cmake -S vendor/fmt -B vendor/fmt/build && cmake --build vendor/fmt/build && cmake --install vendor/fmt/build", "vendor/fmt"},
		{"mkdir -p ext/json/build && cd ext/json/build && cmake .. && make install", "ext/json"},
		{"cd deps/a && make && cd ../b && make", "deps"},
		{"cd deps/a && ../configure --prefix=/usr/local && make install", "deps"},
		{"cd /src/deps/x && make > /dev/null && make install", "deps/x"},
		// not a vendored build
		{"make && make install", ""},
		{"cd deps/a && make && cd /src && make", ""},
		{"cd deps/a && ./build.sh", ""},
		{"cd deps/a && make CFLAGS=-I../../include", ""},
		{"cd deps/a && make $TARGET", ""},
		{"cd deps/a && cmake -E copy x y", ""},
		{"cd deps/a && make > /src/log", ""},
		{"cd deps/a && autoreconf -i", ""},
	} {
		a := testAnalysis(t, "FROM debian:bookworm\nWORKDIR /src\nCOPY . .\nRUN "+c.run+"\n", "")
		st := a.f.Stages[0]
		b := a.broadCopy(st.Instructions[2])
		got, ok := a.vendoredDir(b, st.Instructions[3])
		if ok != (c.want != "") || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.run, got, ok, c.want)
		}
	}
}

func TestClimbs(t *testing.T) {
	for _, c := range []struct {
		line  string
		depth int
		want  bool
	}{
		{"include ../config.mk", 0, true},
		{"include ../config.mk", 1, false},
		{"CFLAGS = -I../../include -I../x", 1, true},
		{"SRC = a/../b.c", 0, true}, // a/.. is not climbing, but dockslim reads it as written: conservative
		{"SRC = a.c b.c", 0, false},
	} {
		if got := climbs(c.line, c.depth); got != c.want {
			t.Errorf("climbs(%q, %d) = %v", c.line, c.depth, got)
		}
	}
	for _, c := range []struct {
		line string
		want bool
	}{
		{"CFLAGS = -I/src/include", true},
		{"INC=/src/include", true},
		{"SRC = lib/src/x.c", false},
		{"/src/x.c: y", true},
	} {
		if got := absoluteRef(c.line, "/src"); got != c.want {
			t.Errorf("absoluteRef(%q) = %v", c.line, got)
		}
	}
}
