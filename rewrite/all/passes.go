// Package all is dockslim's rule catalogue: every pass, in the order the
// engine runs them, and the Engine built from them.
package all

import (
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/rewrite/layerorder"
	"github.com/dockslim/dockslim/rewrite/multistage"
	"github.com/dockslim/dockslim/rewrite/pkgcache"
	"github.com/dockslim/dockslim/rewrite/slimbase"
)

// Passes returns every pass of dockslim, in the order they run; each line
// names the rules of its pass. The order is by pass name, as it always was
// (the driver sorts the findings of all passes by position, then rule id).
// Adding a rule: its pass in one new file with its tests, and one line here.
func Passes() []*rewrite.Pass {
	return []*rewrite.Pass{
		pkgcache.AddedFilePass,       // DS134
		pkgcache.ApkPass,             // DS116 DS117 DS118
		pkgcache.AptPass,             // DS110 DS111 DS112 DS113 DS114 DS115
		pkgcache.AptPurgePass,        // DS132 DS133
		pkgcache.ArchivePass,         // DS131
		slimbase.OutdatedPass,        // DS204
		slimbase.UnofficialPass,      // DS205
		pkgcache.BundlerPass,         // DS109
		pkgcache.ComposerPass,        // DS141
		pkgcache.CondaPass,           // DS140
		slimbase.CrossLibcPass,       // DS206
		pkgcache.GemPass,             // DS108
		pkgcache.GoCachePass,         // DS142
		rewrite.InvalidPass,          // DS001
		slimbase.JREPass,             // DS207
		pkgcache.LayerCleanupPass,    // DS130
		layerorder.CopyChmodPass,     // DS420
		layerorder.DockerignorePass,  // DS303 DS304
		layerorder.GoModDownloadPass, // DS310
		layerorder.HoistPass,         // DS302
		layerorder.SplitPass,         // DS301
		layerorder.VendoredPass,      // DS418
		multistage.GoPass,            // DS401
		multistage.JavaPass,          // DS403
		multistage.NativePass,        // DS406
		multistage.NodePass,          // DS404
		multistage.PythonPass,        // DS405
		multistage.RustPass,          // DS402
		pkgcache.NodeLockPass,        // DS150 DS151 DS152
		pkgcache.NodeOmitDevPass,     // DS153
		pkgcache.NpmPass,             // DS104 DS105
		pkgcache.PipPass,             // DS101
		pkgcache.PnpmPass,            // DS107
		pkgcache.PoetryPass,          // DS103
		slimbase.SlimPass,            // DS200 DS201 DS202 DS203
		pkgcache.UvPass,              // DS102
		pkgcache.YarnPass,            // DS106
		pkgcache.YumPass,             // DS120 DS121 DS122
		pkgcache.ZypperPass,          // DS125 DS126 DS127
	}
}

// New returns the engine of every pass.
func New() (*rewrite.Engine, error) { return rewrite.NewEngine(Passes()...) }
