package pyproject

import (
	"io/fs"
	"path"
	"strings"
)

// standardHeaders are the headers a C extension can include without
// linking anything besides the C library, the C++ run-time and Python:
// ISO C, the POSIX headers of glibc, and Python's own.
var standardHeaders = []string{"assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h",
	"inttypes.h", "iso646.h", "limits.h", "locale.h", "math.h", "setjmp.h", "signal.h", "stdalign.h",
	"stdarg.h", "stdatomic.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h",
	"stdnoreturn.h", "string.h", "strings.h", "tgmath.h", "threads.h", "time.h", "uchar.h", "wchar.h",
	"wctype.h", "unistd.h", "fcntl.h", "pthread.h", "dlfcn.h", "sys/types.h", "sys/stat.h",
	"sys/time.h", "sys/mman.h", "Python.h", "structmember.h", "pyconfig.h", "frameobject.h",
	"algorithm", "cmath", "cstdint", "cstdio", "cstdlib", "cstring", "map", "memory", "string",
	"unordered_map", "utility", "vector"}

// ExtensionLinks reads the C extensions of the project in dir (setup.py's
// Extension(...) calls) and says what they link besides the C library, the
// C++ run-time and Python: why is "" when provably nothing (no libraries,
// library_dirs or extra_link_args, and every source file of the project
// includes only standard headers); else it names what dockslim found or
// could not read.
func ExtensionLinks(fsys fs.FS, dir string) (why string) {
	b, err := fs.ReadFile(fsys, path.Join(dir, "setup.py"))
	if err != nil {
		return "it has no setup.py that dockslim can read"
	}
	text := string(b)
	for _, k := range []string{"libraries", "library_dirs", "extra_link_args", "extra_objects", "pkg-config", "pkgconfig", "cythonize"} {
		if strings.Contains(text, k) {
			return "setup.py names " + k
		}
	}
	why = ""
	sources := 0
	fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || why != "" {
			return fs.SkipDir
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		switch path.Ext(p) {
		case ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp":
			sources++
			if h := foreignInclude(fsys, p); h != "" {
				why = p + " includes <" + h + ">"
			}
		case ".pyx", ".f90", ".f", ".rs":
			why = p + " is compiled by a tool dockslim does not read"
		}
		return nil
	})
	if why == "" && sources == 0 {
		return "its C sources are not in the build context"
	}
	return why
}

// foreignInclude returns the first <header> a source file includes that
// is not a standard one, or "".
func foreignInclude(fsys fs.FS, file string) string {
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "#") {
			continue
		}
		t = strings.TrimSpace(strings.TrimPrefix(t, "#"))
		rest, ok := strings.CutPrefix(t, "include")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, "<") {
			continue // "local.h": a file of the project, read on its own
		}
		h, _, _ := strings.Cut(rest[1:], ">")
		if !contains(standardHeaders, h) {
			return h
		}
	}
	return ""
}
