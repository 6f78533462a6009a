package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/dockslim/dockslim/internal/report"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// readFile reads a Dockerfile named on the command line or found in a
// folder. What is not a regular file (a FIFO, a device, a socket, a folder
// named where a file was expected) is refused before it is opened, so a
// FIFO cannot hang the run; the open is non-blocking and checked again, in
// case the name changed in between. info is the file's (a symlink's target).
func readFile(path string) (src []byte, info fs.FileInfo, err error) {
	info, err = os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file (%s): not read", path, fileKind(info.Mode()))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file (%s): not read", path, fileKind(info.Mode()))
	}
	src, err = io.ReadAll(f)
	return src, info, err
}

// fileKind names a file type for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "type " + m.Type().String()
}

// runEngine runs the engine on a Dockerfile and refuses, as a *parser.ParseError,
// anything buildkit would not build: binary content, a syntax error, an
// instruction buildkit rejects (an unknown instruction or flag, no FROM).
// Its messages never echo the file's raw bytes.
func runEngine(e *rewrite.Engine, name string, src []byte, opts rewrite.Options) (*rewrite.Result, error) {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line := 1 + bytes.Count(src[:i], []byte("\n"))
		return nil, &parser.ParseError{File: name, Line: line, Msg: "binary content (a NUL byte): not a Dockerfile"}
	}
	res, err := e.Run(name, src, opts)
	if err == nil && res.Invalid != nil {
		res, err = nil, res.Invalid
	}
	if pe, ok := err.(*parser.ParseError); ok {
		return nil, &parser.ParseError{File: name, Line: pe.Line, Msg: report.Short(pe.Msg)}
	}
	return res, err
}

// statDir reports whether path is a folder.
func statDir(path string) (bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return st.IsDir(), nil
}
