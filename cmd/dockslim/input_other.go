//go:build !unix

package main

// openNonBlock: no such flag here; the type check before opening stands.
const openNonBlock = 0
