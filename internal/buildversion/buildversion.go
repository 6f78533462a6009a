// Package buildversion names the version of a dockslim binary, for both
// commands (dockslim and dockslim-registry).
package buildversion

import "runtime/debug"

// String returns ldflags when set (-ldflags "-X main.version=..."), else
// the module version the binary was built at, else "devel".
func String(ldflags string) string {
	if ldflags != "" {
		return ldflags
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
