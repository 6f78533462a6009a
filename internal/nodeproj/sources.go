package nodeproj

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Mention is a place where a source file names a package as a module.
type Mention struct {
	File    string
	Line    int
	Package string
}

// maxSources bounds how many files FindMention reads.
const maxSources = 5000

// sourceExts are the files node (and the loaders of TypeScript and JSX)
// can load as modules.
var sourceExts = []string{".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts", ".tsx"}

// toolConfigs are the configuration files of development tools, which
// only those tools load (they name the tools' plugins): webpack.config.js
// and the like.
var toolConfigs = []string{"webpack.config.", "vite.config.", "vitest.config.", "rollup.config.", "jest.config.",
	"babel.config.", ".babelrc", ".eslintrc", "eslint.config.", "prettier.config.", ".prettierrc", "tsup.config.",
	"karma.conf.", "playwright.config.", "cypress.config.", "commitlint.config.", ".lintstagedrc", "lint-staged.config.",
	"stylelint.config.", ".stylelintrc", "postcss.config.", "tailwind.config.", ".mocharc", "nodemon.json", "gulpfile.", "Gruntfile."}

// FindMention looks through the JavaScript and TypeScript sources below
// root in fsys (node_modules, dot folders, test files *.test.* and
// *.spec.*, and development tools' configuration left out) for a string
// literal that names one of pkgs as a module: 'pkg', "pkg", `pkg`, or a
// path inside it ('pkg/sub'). complete is false when there were too many
// files to read them all.
func FindMention(fsys fs.FS, root string, pkgs []string) (m Mention, found, complete bool) {
	n := 0
	complete = true
	fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return nil
		}
		base := d.Name()
		if d.IsDir() {
			if p != root && (base == "node_modules" || strings.HasPrefix(base, ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if !isSource(base) {
			return nil
		}
		if n++; n > maxSources {
			complete = false
			return fs.SkipAll
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil
		}
		m, found = MentionIn(string(b), pkgs)
		m.File = p
		return nil
	})
	return m, found, complete
}

func isSource(base string) bool {
	ext := path.Ext(base)
	if !hasAny(ext, sourceExts) || strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") {
		return false
	}
	for _, c := range toolConfigs {
		if strings.HasPrefix(base, c) {
			return false
		}
	}
	return true
}

func hasAny(s string, xs []string) bool {
	for _, x := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// MentionIn finds the first string literal of text that names one of pkgs
// (Line set, File not).
func MentionIn(text string, pkgs []string) (Mention, bool) {
	for _, p := range pkgs {
		for _, q := range []string{"'", `"`, "`"} {
			for _, end := range []string{q, "/"} {
				if i := strings.Index(text, q+p+end); i >= 0 {
					return Mention{Line: strings.Count(text[:i], "\n") + 1, Package: p}, true
				}
			}
		}
	}
	return Mention{}, false
}

// ModuleRoot is the package a module specifier loads from: "@scope/name"
// of "@scope/name/sub", "name" of "name/sub"; a relative or absolute path
// is its own.
func ModuleRoot(spec string) string {
	if strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") {
		return spec
	}
	parts := strings.SplitN(spec, "/", 3)
	if strings.HasPrefix(spec, "@") && len(parts) > 1 {
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
}

// maxLocal bounds how many files LocalModules follows.
const maxLocal = 500

// moduleExts are what node tries after a relative specifier without one.
var moduleExts = []string{"", ".js", ".cjs", ".mjs", ".json", "/index.js", "/index.cjs", "/index.mjs", "/index.json"}

// LocalModules follows a program's own files from entry (a path of fsys):
// every string literal of a source that is a relative path ('./routes',
// "../lib/db.js") and names a file of fsys (node's extensions and index
// files tried) or a folder, in turn. It returns the files and folders
// reached, entry first, none below a folder it returns (a folder is taken
// whole, its sources followed); complete is false when a limit stopped it.
func LocalModules(fsys fs.FS, entry string) (paths []string, complete bool) {
	seen := map[string]bool{entry: true}
	queue := []string{entry}
	var dirs []string
	paths = []string{entry}
	add := func(p string, read bool) {
		if !seen[p] {
			seen[p] = true
			paths = append(paths, p)
			if read {
				queue = append(queue, p)
			}
		}
	}
	for len(queue) > 0 && len(paths) <= maxLocal {
		p := queue[0]
		queue = queue[1:]
		b, err := fs.ReadFile(fsys, p)
		if err != nil || !isSource(path.Base(p)) {
			continue
		}
		for _, spec := range relativeLiterals(string(b)) {
			target, isDir, ok := resolveLocal(fsys, path.Join(path.Dir(p), spec))
			switch {
			case !ok || target == "." || strings.HasPrefix(target, "../"):
			case isDir:
				add(target, false)
				dirs = append(dirs, target)
				fs.WalkDir(fsys, target, func(q string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() && isSource(d.Name()) && !strings.Contains(q, "node_modules/") {
						add(q, true)
					}
					return nil
				})
			default:
				add(target, true)
			}
		}
	}
	var out []string
	for _, p := range paths {
		if !slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(p, d+"/") }) {
			out = append(out, p)
		}
	}
	return out, len(paths) <= maxLocal
}

// resolveLocal finds what a relative specifier names: a file (with
// node's extensions and index files) or a folder.
func resolveLocal(fsys fs.FS, p string) (target string, isDir, ok bool) {
	for _, ext := range moduleExts {
		if st, err := fs.Stat(fsys, p+ext); err == nil && (!st.IsDir() || ext == "") {
			return p + ext, st.IsDir(), true
		}
	}
	return "", false, false
}

// relativeLiterals are the string literals of text that start with ./ or
// ../, up to their closing quote.
func relativeLiterals(text string) []string {
	var out []string
	for _, q := range []string{"'", `"`, "`"} {
		for _, lead := range []string{"./", "../"} {
			rest := text
			for {
				i := strings.Index(rest, q+lead)
				if i < 0 {
					break
				}
				rest = rest[i+1:]
				end := strings.IndexAny(rest, q+"\n")
				if end < 0 {
					break
				}
				if lit := rest[:end]; !strings.ContainsAny(lit, "${}*") {
					out = append(out, lit)
				}
				rest = rest[end:]
			}
		}
	}
	return out
}
