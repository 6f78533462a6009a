package slimbase

import (
	"bufio"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// pipNative lists PyPI projects that publish no manylinux wheels (only a
// source archive, or wheels for Windows/macOS only), so `pip install` builds
// them with gcc and the -dev package of the system library they bind; slim
// images have neither. Source: each project's "Download files" list on PyPI
// (psycopg2: its binary twin psycopg2-binary is the one with manylinux
// wheels). Projects that do publish manylinux wheels (lxml, numpy, Pillow,
// cryptography, grpcio...) are deliberately absent. Values are the Debian
// build dependencies besides gcc, used to tell whether the Dockerfile
// installs them itself.
var pipNative = map[string][]string{
	"psycopg2":    {"libpq-dev"},
	"mysqlclient": {"default-libmysqlclient-dev"},
	"uwsgi":       nil,
	"python-ldap": {"libldap2-dev", "libsasl2-dev"},
	"mod-wsgi":    {"apache2-dev"},
	"pygraphviz":  {"graphviz-dev"},
	"dbus-python": {"libdbus-1-dev"},
	"pygobject":   {"libgirepository1.0-dev"},
	"pycairo":     {"libcairo2-dev"},
	"pyaudio":     {"portaudio19-dev"},
	"m2crypto":    {"libssl-dev", "swig"},
	"pycrypto":    nil,
}

// gemNative lists gems with C extensions that publish no precompiled
// x86_64-linux gem (rubygems.org file lists), so bundler compiles them with
// gcc and make, which ruby's slim images lack (psych also needs
// libyaml-dev).
var gemNative = map[string][]string{
	"pg": {"libpq-dev"}, "mysql2": {"default-libmysqlclient-dev"}, "puma": nil, "nio4r": nil,
	"bcrypt": nil, "msgpack": nil, "bootsnap": nil, "websocket-driver": nil, "psych": {"libyaml-dev"},
}

// compilers are the packages a source build needs besides the -dev headers.
var compilers = []string{"gcc", "build-essential"}

// nativeBuild is a package that is compiled while the image is built.
type nativeBuild struct {
	Tool, Pkg string
	Deps      []string // Debian -dev packages it needs besides gcc
	Off       int
	Stage     *parser.Stage
}

// nativeBuilds lists packages that pip, gem or bundler compile from source
// in stages: literal arguments, and requirement files and Gemfile.lock read
// from the build context (ctx, .dockerignore applied; nil when unknown).
func nativeBuilds(stages []*parser.Stage, ctx fs.FS) []nativeBuild {
	var out []nativeBuild
	for _, st := range stages {
		for _, in := range st.Instructions {
			if !in.Is("run") {
				continue
			}
			for _, cmd := range shellcmd.All(in) {
				off, _ := cmd.Span(0)
				add := func(tool, pkg string, deps []string) {
					out = append(out, nativeBuild{Tool: tool, Pkg: pkg, Deps: deps, Off: off, Stage: st})
				}
				args := cmd.Lits()
				switch {
				case shellcmd.IsPip(cmd.Name) && len(args) > 1 && slices.Contains(args, "install"):
					for _, p := range pipInstallPackages(args, ctx) {
						if deps, ok := pipNative[p]; ok {
							add("pip", p, deps)
						}
					}
					for i, a := range args {
						if a == "--no-binary" && i+1 < len(args) || strings.HasPrefix(a, "--no-binary=") {
							add("pip", "--no-binary", nil)
						}
					}
					for _, dir := range pipLocalProjects(args) {
						if why := localProjectCompiles(ctx, dir); why != "" {
							add("pip", why, nil)
						}
					}
				case cmd.Name == "gem" && len(args) > 1 && args[1] == "install":
					for _, a := range args[2:] {
						if deps, ok := gemNative[a]; ok {
							add("gem", a, deps)
						}
					}
				case cmd.Name == "bundle" && (len(args) == 1 || args[1] == "install"):
					for _, g := range lockedGems(ctx) {
						if deps, ok := gemNative[g]; ok {
							add("bundler", g, deps)
						}
					}
				case cmd.Name == "node-gyp" || (cmd.Name == "npm" || cmd.Name == "yarn") && slices.Contains(args, "--build-from-source"):
					add(cmd.Name, "native addon", []string{"python3", "make", "g++"})
				}
			}
		}
	}
	return out
}

// pipInstallPackages returns the normalised project names of a pip install
// argv: literal requirements and those of -r files found in the context.
func pipInstallPackages(args []string, ctx fs.FS) []string {
	var out []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-r" || a == "--requirement":
			if i+1 < len(args) {
				out = append(out, requirementsFile(ctx, args[i+1], 0)...)
				i++
			}
		case strings.HasPrefix(a, "--requirement="):
			out = append(out, requirementsFile(ctx, strings.TrimPrefix(a, "--requirement="), 0)...)
		case strings.HasPrefix(a, "-r") && len(a) > 2:
			out = append(out, requirementsFile(ctx, a[2:], 0)...)
		case a == "-c" || a == "--constraint" || a == "-e" || a == "--editable" || a == "-i" ||
			a == "--index-url" || a == "--extra-index-url" || a == "-f" || a == "--find-links" ||
			a == "--target" || a == "-t" || a == "--prefix" || a == "--root":
			i++
		case a == "install" || strings.HasPrefix(a, "-") || a == "":
		default:
			if n := requirementName(a); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// requirementName normalises the project name of a requirement
// ("psycopg2==2.9", "Foo_Bar[extra]>=1") as PyPI does; "" for paths and URLs.
func requirementName(s string) string {
	if strings.ContainsAny(s, "/:") || strings.HasPrefix(s, ".") {
		return ""
	}
	end := strings.IndexAny(s, "[<>=!~;@ \t")
	if end >= 0 {
		s = s[:end]
	}
	s = strings.ToLower(s)
	return strings.NewReplacer("_", "-", ".", "-").Replace(s)
}

// requirementsFile reads a requirements file from the build context: the
// path as written (relative to the context), then its base name. Nested
// -r files are followed a few levels deep.
func requirementsFile(ctx fs.FS, name string, depth int) []string {
	if ctx == nil || depth > 4 || strings.Contains(name, "$") {
		return nil
	}
	var fh fs.File
	for _, p := range requirementsCandidates(name) {
		var err error
		if fh, err = ctx.Open(p); err == nil {
			break
		}
	}
	if fh == nil {
		return nil
	}
	defer fh.Close()
	var out []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "-r ") || strings.HasPrefix(line, "--requirement "):
			_, nested, _ := strings.Cut(line, " ")
			out = append(out, requirementsFile(ctx, path.Join(path.Dir(name), strings.TrimSpace(nested)), depth+1)...)
		case strings.HasPrefix(line, "-"):
		default:
			if n := requirementName(line); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// lockedGems returns the gem names of Gemfile.lock in the build context.
func lockedGems(ctx fs.FS) []string {
	if ctx == nil {
		return nil
	}
	b, err := fs.ReadFile(ctx, "Gemfile.lock")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		// "    name (version)": four spaces in the specs section.
		if strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") {
			name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
			out = append(out, name)
		}
	}
	return out
}

// pipLocalProjects returns the local folders a pip install argv installs
// (".", "./pkg", "/app", "-e ."), as written.
func pipLocalProjects(args []string) []string {
	var out []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-e" || a == "--editable":
			if i+1 < len(args) && isLocalPath(args[i+1]) {
				out = append(out, args[i+1])
			}
			i++
		case a == "-r" || a == "--requirement" || a == "-c" || a == "--constraint" || a == "-i" ||
			a == "--index-url" || a == "--extra-index-url" || a == "-f" || a == "--find-links" ||
			a == "--target" || a == "-t" || a == "--prefix" || a == "--root":
			i++
		case isLocalPath(a):
			out = append(out, a)
		}
	}
	return out
}

func isLocalPath(a string) bool {
	return a == "." || a == ".." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "../") || strings.HasPrefix(a, "/")
}

// compiledSources are the file endings of code that a Python build compiles.
var compiledSources = []string{".c", ".cc", ".cpp", ".cxx", ".pyx", ".f90", ".rs"}

// localProjectCompiles tells, for `pip install DIR`, whether installing the
// project builds a C (or Cython, Fortran, Rust) extension, which needs the
// compiler that slim images lack. With a build context it looks for such
// sources and for ext_modules in setup.py; without one it cannot tell and
// says so. "" means no compiling was found.
func localProjectCompiles(ctx fs.FS, dir string) string {
	if ctx == nil {
		return "a local project (" + dir + "; no build context to check for C extensions)"
	}
	root := "."
	if !strings.HasPrefix(dir, "/") {
		var in bool
		if root, in = rewrite.ContextPath(dir); !in {
			return ""
		}
	}
	if b, err := fs.ReadFile(ctx, path.Join(root, "setup.py")); err == nil {
		if s := string(b); strings.Contains(s, "ext_modules") || strings.Contains(s, "Extension(") {
			return "a local project with C extensions (" + dir + ": setup.py ext_modules)"
		}
	}
	found := ""
	fs.WalkDir(ctx, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return fs.SkipDir
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "venv") {
				return fs.SkipDir
			}
			return nil
		}
		for _, ext := range compiledSources {
			if strings.HasSuffix(d.Name(), ext) {
				found = "a local project with compiled sources (" + p + ")"
			}
		}
		return nil
	})
	return found
}
