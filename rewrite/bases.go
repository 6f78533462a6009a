package rewrite

import "github.com/dockslim/dockslim/parser"

// Bases are the user's choices about the base images dockslim writes
// (.dockslim.toml's runtime-base, alpine and registry-mirror). The zero
// value is dockslim's defaults.
type Bases struct {
	// RuntimeBase maps a multi-stage rule id (DS401–DS406) to the image its
	// runtime stage is built FROM instead of the rule's default.
	RuntimeBase map[string]string
	// NoAlpine stops any switch to an Alpine (musl) base image.
	NoAlpine bool
	// RegistryMirror is the prefix under which Docker Hub's images are
	// mirrored; the parser sees through it (parser.Config).
	RegistryMirror string
}

// ConfigSource names where Bases come from, for findings' messages.
const ConfigSource = ".dockslim.toml"

// ParserConfig is what the parser needs of the options: Load the
// Dockerfiles of a run with it (parser.LoadConfig).
func (o Options) ParserConfig() parser.Config {
	return parser.Config{RegistryMirror: o.Bases.RegistryMirror}
}
