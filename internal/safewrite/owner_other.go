//go:build !unix

package safewrite

import "io/fs"

const openNonBlock = 0

func writable(st fs.FileInfo) bool        { return st.Mode()&0o200 != 0 }
func links(fs.FileInfo) uint64            { return 1 }
func sameOwner(string, fs.FileInfo) error { return nil }
