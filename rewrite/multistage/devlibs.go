package multistage

import "github.com/dockslim/dockslim/internal/images"

// devLibsRelease is the Debian release of the -dev → runtime library table
// the names default to, when the runtime image's own release has none.
const devLibsRelease = images.DevLibsRelease

// devRuntimeLibs returns the runtime libraries of a -dev package on a
// Debian release (images.DevRuntimeLibsOn).
func devRuntimeLibs(release, dev string) ([]string, bool) {
	return images.DevRuntimeLibsOn(release, dev)
}

// libRelease is the Debian release whose package names the runtime image
// rt takes: its own when dockslim has that release's metadata, else
// bookworm's (and libsOn then declines the libraries).
func libRelease(rt runtimeImage) string {
	if rt.family == images.Debian && images.DevLibsKnown(rt.suite) {
		return rt.suite
	}
	return devLibsRelease
}
