// Package all links every dockslim pass into the binary.
package all

import (
	_ "github.com/dockslim/dockslim/rewrite/multistage" // split into build and runtime stages
	_ "github.com/dockslim/dockslim/rewrite/pkgcache"   // package-manager caches
)
