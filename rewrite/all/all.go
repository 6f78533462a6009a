// Package all links every dockslim pass into the binary.
package all

import (
	_ "github.com/dockslim/dockslim/rewrite/layerorder" // layer order and build context
	_ "github.com/dockslim/dockslim/rewrite/multistage" // multi-stage splits
	_ "github.com/dockslim/dockslim/rewrite/pkgcache"   // package-manager caches
	_ "github.com/dockslim/dockslim/rewrite/slimbase"   // base images
)
