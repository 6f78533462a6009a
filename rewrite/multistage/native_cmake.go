package multistage

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// CMake's install: the prefix is --install's --prefix, else the configure
// step's -DCMAKE_INSTALL_PREFIX, else /usr/local; every install honours
// the DESTDIR environment variable. The project's CMake files can still
// send files elsewhere (set(CMAKE_INSTALL_PREFIX ...), an absolute
// DESTINATION): then the prefix is not where everything goes.

// cmakeFacts are the facts of a CMake install.
func (si *stageInfo) cmakeFacts(b *installStep) installFacts {
	c := b.install
	fa := installFacts{destdirOK: true}
	if c.name() == "make" {
		fa.destdir = makeCommandLine(*c, "DESTDIR")
	}
	if fa.destdir == "" {
		fa.destdir, _ = si.env(c.in, c, "DESTDIR")
	}
	if b.cmake != nil {
		fa.prefix, fa.prefixFrom = cmakeDefine(*b.cmake, "CMAKE_INSTALL_PREFIX"), "-DCMAKE_INSTALL_PREFIX"
	}
	if c.name() == "cmake" && c.arg(1) == "--install" {
		for i := 2; i < len(c.argv); i++ {
			if c.argv[i] == "--prefix" && i+1 < len(c.argv) {
				fa.prefix, fa.prefixFrom = c.argv[i+1], "cmake --install --prefix"
			} else if v, ok := strings.CutPrefix(c.argv[i], "--prefix="); ok {
				fa.prefix, fa.prefixFrom = v, "cmake --install --prefix"
			}
		}
	}
	if fa.prefix == "" {
		fa.prefix, fa.prefixFrom = "/usr/local", "CMake's default"
	}
	if b.cmake != nil {
		pr := si.cmakeProject(*b.cmake)
		fa.prefixWhy = pr.outside
		fa.noLibs = pr.read && !pr.shared
	}
	return fa
}

// cmakeDefine is the value a cmake configure step gives a cache variable
// with -DNAME=value, -DNAME:TYPE=value or -D NAME=value ("" when none).
func cmakeDefine(c command, name string) string {
	out := ""
	for i := 1; i < len(c.argv); i++ {
		a := c.argv[i]
		if a == "-D" && i+1 < len(c.argv) {
			i++
			a = "-D" + c.argv[i]
		}
		def, ok := strings.CutPrefix(a, "-D")
		if !ok {
			continue
		}
		k, v, ok := strings.Cut(def, "=")
		if k, _, _ = strings.Cut(k, ":"); ok && k == name {
			out = v
		}
	}
	return out
}

// cmakeSourceDir is the source folder of a cmake configure step: -S, or
// its path argument, or the folder it runs in (cmake -B build).
func (si *stageInfo) cmakeSourceDir(c command) (string, bool) {
	dir, ok := si.commandDir(c)
	if !ok {
		return "", false
	}
	src := ""
	for i := 1; i < len(c.argv); i++ {
		a := c.argv[i]
		switch {
		case a == "-S" && i+1 < len(c.argv):
			return abs(dir, c.argv[i+1]), true
		case strings.HasPrefix(a, "-S"):
			return abs(dir, a[2:]), true
		case a == "-B" || a == "-G" || a == "-D" || a == "-C" || a == "-T" || a == "-A" || a == "-U" || a == "--preset":
			i++
		case !strings.HasPrefix(a, "-") && src == "":
			src = a
		}
	}
	return abs(dir, firstNonEmpty(src, ".")), true
}

// maxCMakeFiles bounds the project files read.
const maxCMakeFiles = 400

// cmakeFiles is what a project's CMake files say about its install.
type cmakeFiles struct {
	read    bool   // dockslim read them from the build context
	outside string // where the install goes outside the prefix ("" nowhere)
	shared  bool   // it may build a shared library
}

// cmakeProject reads the project's CMakeLists.txt and *.cmake files in the
// build context (those of the source folder of cmake's configure step c).
func (si *stageInfo) cmakeProject(c command) cmakeFiles {
	var out cmakeFiles
	src, ok := si.cmakeSourceDir(c)
	if !ok {
		return out
	}
	rel, ok := si.contextPathOf(path.Join(src, "CMakeLists.txt"), c.in)
	if !ok {
		return out
	}
	n := 0
	sharedDefault := strings.Contains(cmakeDefine(c, "BUILD_SHARED_LIBS"), "ON")
	_ = fs.WalkDir(si.c.BuildContext, path.Dir(rel), func(p string, d fs.DirEntry, err error) error {
		if err != nil || n > maxCMakeFiles {
			return fs.SkipDir
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "build" && p != path.Dir(rel) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Name() != "CMakeLists.txt" && !strings.HasSuffix(d.Name(), ".cmake") {
			return nil
		}
		n++
		b, err := fs.ReadFile(si.c.BuildContext, p)
		if err != nil {
			return nil
		}
		text := string(b)
		out.outside = firstNonEmpty(out.outside, cmakeOutsidePrefix(p, text))
		shared, byDefault := cmakeLibraries(text)
		sharedDefault = sharedDefault || strings.Contains(text, "BUILD_SHARED_LIBS")
		out.shared = out.shared || shared || byDefault && sharedDefault
		return nil
	})
	out.read = n > 0 && n <= maxCMakeFiles
	return out
}

// cmakeLibraries reads the add_library() calls of a CMake file: shared is
// set for a SHARED or MODULE library (or an install of a .so file),
// byDefault for one whose kind BUILD_SHARED_LIBS decides.
func cmakeLibraries(text string) (shared, byDefault bool) {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l, _, _ = strings.Cut(l, "#")
		lines = append(lines, l)
	}
	tokens := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(strings.Join(lines, "\n")))
	for i := 0; i+1 < len(tokens); i++ {
		switch {
		case strings.EqualFold(tokens[i], "install") && tokens[i+1] == "(":
			for j := i + 2; j < len(tokens) && tokens[j] != ")"; j++ {
				shared = shared || strings.Contains(tokens[j], ".so")
			}
		case strings.EqualFold(tokens[i], "add_library") && tokens[i+1] == "(":
			kind := ""
			for j := i + 2; j < len(tokens) && tokens[j] != ")"; j++ {
				switch tokens[j] {
				case "SHARED", "MODULE", "STATIC", "INTERFACE", "OBJECT", "IMPORTED", "ALIAS":
					kind = firstNonEmpty(kind, tokens[j])
				}
			}
			shared = shared || kind == "SHARED" || kind == "MODULE"
			byDefault = byDefault || kind == ""
		}
	}
	return shared, byDefault
}

// cmakeOutsidePrefix finds, in one CMake file, a set() of
// CMAKE_INSTALL_PREFIX or an install() DESTINATION that is an absolute path.
func cmakeOutsidePrefix(name, text string) string {
	for i, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		words := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == '(' || r == ')' || r == '\r' })
		for j, w := range words {
			next := ""
			if j+1 < len(words) {
				next = strings.Trim(words[j+1], `"`)
			}
			switch {
			case strings.EqualFold(w, "set") && next == "CMAKE_INSTALL_PREFIX":
				return fmt.Sprintf("%s:%d sets CMAKE_INSTALL_PREFIX itself", name, i+1)
			case w == "DESTINATION" && strings.HasPrefix(next, "/"):
				return fmt.Sprintf("%s:%d installs to %s, outside the prefix", name, i+1, next)
			}
		}
	}
	return ""
}
