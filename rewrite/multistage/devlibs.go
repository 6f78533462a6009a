package multistage

import "github.com/dockslim/dockslim/internal/images"

// devLibsRelease is the Debian release of the -dev → runtime library table.
const devLibsRelease = images.DevLibsRelease

// devRuntimeLibs returns the runtime libraries of a -dev package (images.DevRuntimeLibs).
func devRuntimeLibs(dev string) ([]string, bool) { return images.DevRuntimeLibs(dev) }
