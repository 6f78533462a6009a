package prefault

import (
	"os"
	"runtime"
	"testing"
)

func TestParseMaps(t *testing.T) {
	in := "00400000-007d9000 r-xp 00000000 fe:00 10013017                           /usr/local/bin/dock slim\n" +
		"007d9000-00c0d000 r--p 003d9000 fe:00 10013017                           /usr/local/bin/dock slim\n" +
		"00c0d000-00c7e000 rw-p 0080d000 fe:00 10013017                           /usr/local/bin/dock slim\n" +
		"00c7e000-02cb6000 rw-p 00000000 00:00 0 \n" +
		"zz-00 r--p 0 0 0 bad\n" +
		"7f4225ca0000-7f4225e00000 rw-p 00000000 00:00 0"
	got := parseMaps([]byte(in))
	want := []mapping{
		{0x400000, 0x7d9000, false, "/usr/local/bin/dock slim"},
		{0x7d9000, 0xc0d000, false, "/usr/local/bin/dock slim"},
		{0xc0d000, 0xc7e000, true, "/usr/local/bin/dock slim"},
		{0xc7e000, 0x2cb6000, true, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d mappings %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mapping %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// The real /proc/self/maps of this test binary starts with its own file.
func TestParseOwnMaps(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("linux only")
	}
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip(err)
	}
	ms := parseMaps(b)
	if len(ms) < 2 {
		t.Fatalf("parsed %d mappings", len(ms))
	}
	exe, _ := os.Executable()
	if ms[0].path != exe {
		t.Errorf("first mapping %q, want the executable %q", ms[0].path, exe)
	}
}
