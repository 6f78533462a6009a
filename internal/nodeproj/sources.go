package nodeproj

import (
	"io/fs"
	"path"
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
