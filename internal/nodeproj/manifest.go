// Package nodeproj reads what dockslim needs of a Node project in the build
// context: package.json, and whether a lock file (package-lock.json,
// npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml) is in sync with it, the
// condition under which npm ci, yarn install --frozen-lockfile and pnpm
// install --frozen-lockfile install what a plain install would and do not
// fail. The passes that rewrite installs (rewrite/pkgcache) and the
// multi-stage split (rewrite/multistage) share it.
package nodeproj

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Manifest is what dockslim reads of a package.json.
type Manifest struct {
	Name           string            `json:"name"`
	Main           string            `json:"main"`
	Type           string            `json:"type"`
	Scripts        map[string]string `json:"scripts"`
	Deps           map[string]string `json:"dependencies"`
	DevDeps        map[string]string `json:"devDependencies"`
	OptionalDeps   map[string]string `json:"optionalDependencies"`
	PeerDeps       map[string]string `json:"peerDependencies"`
	PackageManager string            `json:"packageManager"`
	Workspaces     json.RawMessage   `json:"workspaces"`
	Bin            json.RawMessage   `json:"bin"`
	Pnpm           json.RawMessage   `json:"pnpm"`
	Overrides      json.RawMessage   `json:"overrides"`
	Resolutions    json.RawMessage   `json:"resolutions"`
}

// Parse reads a package.json.
func Parse(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// InstallScripts are the lifecycle scripts of the root package that an
// install without package operands runs (npm, yarn 1 and pnpm alike).
var InstallScripts = []string{"preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"}

// InstallScript returns the first install lifecycle script package.json
// defines, or "".
func (m *Manifest) InstallScript() string {
	for _, s := range InstallScripts {
		if _, ok := m.Scripts[s]; ok {
			return s
		}
	}
	return ""
}

// DevNames are the devDependencies that are not also production
// dependencies (an install without dev dependencies still has those),
// sorted.
func (m *Manifest) DevNames() []string {
	var out []string
	for n := range m.DevDeps {
		_, prod := m.Deps[n]
		_, opt := m.OptionalDeps[n]
		if !prod && !opt {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// HasWorkspaces reports whether package.json declares workspaces: the
// install then needs every workspace's package.json too.
func (m *Manifest) HasWorkspaces() bool {
	w := strings.TrimSpace(string(m.Workspaces))
	return w != "" && w != "null" && w != "[]" && w != "{}"
}

// Berry reports whether packageManager names Yarn 2 or later.
func (m *Manifest) Berry() bool {
	v, ok := strings.CutPrefix(m.PackageManager, "yarn@")
	return ok && !strings.HasPrefix(v, "1.") && v != "1"
}

// dependency is one entry of a dependency map of package.json.
type dependency struct {
	kind, name, spec string
}

// dependencies lists every dependency package.json declares, in a fixed
// order (kind, then name), for the lock checks.
func (m *Manifest) dependencies() []dependency {
	var out []dependency
	for _, k := range []struct {
		kind string
		deps map[string]string
	}{{"dependencies", m.Deps}, {"devDependencies", m.DevDeps}, {"optionalDependencies", m.OptionalDeps}} {
		names := make([]string, 0, len(k.deps))
		for n := range k.deps {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			out = append(out, dependency{k.kind, n, k.deps[n]})
		}
	}
	return out
}

// NodeMajor is the node major version a tag of the official node image
// names ("18-bookworm-slim" → 18); ok is false for tags without one (lts,
// current, alpine).
func NodeMajor(tag string) (major int, ok bool) {
	v, _, _ := strings.Cut(tag, "-")
	m, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(m)
	return n, err == nil
}

// NpmOmitDev is npm's option that leaves the devDependencies out, for the
// tag of the official node image: --production before node 16 (npm 6
// ignores --omit), --omit=dev from node 16 (npm 7) on and for tags
// without a version.
func NpmOmitDev(nodeTag string) string {
	if n, ok := NodeMajor(nodeTag); ok && n < 16 {
		return "--production"
	}
	return "--omit=dev"
}
