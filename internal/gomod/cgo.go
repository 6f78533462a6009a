package gomod

import (
	"go/scanner"
	"go/token"
	"strconv"
	"strings"
)

// cgoModules are modules that need cgo to work: with CGO_ENABLED=0 they
// either fail to build or, worse, build a stub that fails at run time
// (github.com/mattn/go-sqlite3 returns "Binary was compiled with
// 'CGO_ENABLED=0', go-sqlite3 requires cgo to work"). A module whose
// cgo-only package has no pure-Go fallback fails the build loudly; the
// table is for the well-known ones, so that dockslim keeps cgo (and a
// glibc runtime) for them rather than rely on the build failing. Sorted.
var cgoModules = []string{
	"github.com/DataDog/zstd",
	"github.com/alexbrainman/odbc",
	"github.com/bytecodealliance/wasmtime-go",
	"github.com/confluentinc/confluent-kafka-go",
	"github.com/crawshaw/sqlite",
	"github.com/davidbyttow/govips",
	"github.com/go-gl/gl",
	"github.com/go-gl/glfw",
	"github.com/godror/godror",
	"github.com/google/gopacket",
	"github.com/h2non/bimg",
	"github.com/ibmdb/go_ibm_db",
	"github.com/libgit2/git2go",
	"github.com/linxGnu/grocksdb",
	"github.com/marcboeker/go-duckdb",
	"github.com/mattn/go-oci8",
	"github.com/mattn/go-sqlite3",
	"github.com/miekg/pkcs11",
	"github.com/mutecomm/go-sqlcipher",
	"github.com/tecbot/gorocksdb",
	"github.com/valyala/gozstd",
	"github.com/wasmerio/wasmer-go",
	"gocv.io/x/gocv",
	"gopkg.in/gographics/imagick.v2",
	"gopkg.in/gographics/imagick.v3",
}

// NeedsCgo reports whether a module or package path belongs to a module
// of the table (a /vN suffix or a package below it included), and which.
func NeedsCgo(p string) (string, bool) {
	for _, m := range cgoModules {
		if p == m || strings.HasPrefix(p, m+"/") {
			return m, true
		}
	}
	return "", false
}

// Imports returns the import paths of a Go source file, read with Go's
// own scanner up to the first declaration that is not an import (Go puts
// every import first); ok is false when the file does not scan as Go.
func Imports(src []byte) (paths []string, ok bool) {
	fset := token.NewFileSet()
	var s scanner.Scanner
	failed := false
	s.Init(fset.AddFile("", fset.Base(), len(src)), src, func(token.Position, string) { failed = true }, 0)
	next := func() (token.Token, string) {
		for {
			_, tok, lit := s.Scan()
			if tok != token.SEMICOLON || lit == ";" {
				return tok, lit
			}
		}
	}
	if tok, _ := next(); tok != token.PACKAGE {
		return nil, false
	}
	if tok, _ := next(); tok != token.IDENT {
		return nil, false
	}
	for {
		tok, _ := next()
		if tok == token.SEMICOLON {
			continue
		}
		if tok != token.IMPORT {
			return paths, !failed
		}
		more, ok := importSpecs(next)
		if !ok {
			return nil, false
		}
		paths = append(paths, more...)
	}
}

// importSpecs reads the specs of one import declaration (after the
// keyword): one spec, or a parenthesised group.
func importSpecs(next func() (token.Token, string)) ([]string, bool) {
	tok, lit := next()
	grouped := tok == token.LPAREN
	var out []string
	for {
		if grouped {
			tok, lit = next()
			for tok == token.SEMICOLON {
				tok, lit = next()
			}
			if tok == token.RPAREN {
				return out, true
			}
		}
		if tok == token.IDENT || tok == token.PERIOD {
			tok, lit = next() // a name or dot before the path
		}
		if tok != token.STRING {
			return nil, false
		}
		p, err := strconv.Unquote(lit)
		if err != nil {
			return nil, false
		}
		out = append(out, p)
		if !grouped {
			return out, true
		}
	}
}
