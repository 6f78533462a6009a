package nodeproj

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Status says whether a frozen install (npm ci, yarn install
// --frozen-lockfile, pnpm install --frozen-lockfile) installs from a lock
// file what a plain install would, without failing.
type Status int

const (
	// InSync: every dependency package.json declares is in the lock file
	// with the range package.json asks for.
	InSync Status = iota
	// Unknown: the lock file does not record enough to tell (an old
	// format, workspaces, overrides).
	Unknown
	// OutOfSync: the frozen install fails (or there is no usable lock).
	OutOfSync
)

// Check is a Status with its reason (empty for InSync).
type Check struct {
	Status Status
	Why    string
}

func unknown(format string, args ...any) Check {
	return Check{Unknown, fmt.Sprintf(format, args...)}
}

func outOfSync(format string, args ...any) Check {
	return Check{OutOfSync, fmt.Sprintf(format, args...)}
}

// npmRoot is the root package's entry of package-lock.json v2/v3.
type npmRoot struct {
	Deps     map[string]string `json:"dependencies"`
	DevDeps  map[string]string `json:"devDependencies"`
	Optional map[string]string `json:"optionalDependencies"`
	Peer     map[string]string `json:"peerDependencies"`
}

func (r npmRoot) of(kind string) map[string]string {
	switch kind {
	case "dependencies":
		return r.Deps
	case "devDependencies":
		return r.DevDeps
	case "optionalDependencies":
		return r.Optional
	}
	return r.Peer
}

// NpmLock checks package-lock.json (or npm-shrinkwrap.json) against
// package.json the way npm ci does: lockfileVersion 1 or later, and every
// dependency locked from the root package's entry (lockfileVersion 2 and
// 3 record there the ranges package.json had when the lock was written).
// npmMajor is the npm of the image when known (0 otherwise): npm 6 cannot
// read lockfileVersion 3.
func NpmLock(m *Manifest, name string, lock []byte, npmMajor int) Check {
	var l struct {
		LockfileVersion int                        `json:"lockfileVersion"`
		Packages        map[string]json.RawMessage `json:"packages"`
	}
	if err := json.Unmarshal(lock, &l); err != nil {
		return outOfSync("%s does not parse: %v", name, err)
	}
	switch {
	case l.LockfileVersion < 1:
		return outOfSync("%s has no lockfileVersion, so npm ci cannot install from it", name)
	case m.HasWorkspaces():
		return unknown("package.json declares workspaces, whose manifests dockslim does not check against %s", name)
	case l.LockfileVersion > 2 && npmMajor > 0 && npmMajor < 7:
		return unknown("%s has lockfileVersion %d, which npm %d (in this node image) cannot read", name, l.LockfileVersion, npmMajor)
	case l.LockfileVersion == 1:
		return unknown("%s has lockfileVersion 1, which records no version ranges, so dockslim cannot tell whether it matches package.json", name)
	case len(m.PeerDeps) > 0:
		return unknown("package.json has peerDependencies, which dockslim does not check against %s", name)
	}
	var root npmRoot
	if raw, ok := l.Packages[""]; !ok || json.Unmarshal(raw, &root) != nil {
		return unknown("%s has no entry for the root package", name)
	}
	for _, d := range m.dependencies() {
		got, ok := root.of(d.kind)[d.name]
		if ok && got == d.spec {
			if _, locked := l.Packages["node_modules/"+d.name]; !locked && d.kind != "optionalDependencies" {
				return outOfSync("%s does not lock %s", name, d.name)
			}
			continue
		}
		if ok {
			return outOfSync("package.json asks for %s %s but %s has %s", d.name, d.spec, name, got)
		}
		for _, k := range []string{"dependencies", "devDependencies", "optionalDependencies"} {
			if s, other := root.of(k)[d.name]; other && s == d.spec {
				return unknown("package.json lists %s in %s but %s in %s", d.name, d.kind, name, k)
			}
		}
		return outOfSync("package.json asks for %s %s, which %s does not have", d.name, d.spec, name)
	}
	return Check{Status: InSync}
}

// YarnLock checks a Yarn 1 yarn.lock against package.json the way
// yarn install --frozen-lockfile does: every "name@range" of package.json
// must be one of the lock's entry patterns.
func YarnLock(m *Manifest, lock []byte) Check {
	text := string(lock)
	switch {
	case strings.Contains(text, "\n__metadata:") || strings.HasPrefix(text, "__metadata:"):
		return unknown("yarn.lock is Yarn 2+'s, whose --immutable also fails when checksums or the lock's format would change")
	case !strings.Contains(text, "# yarn lockfile v1"):
		return unknown("yarn.lock has no \"# yarn lockfile v1\" header")
	case m.HasWorkspaces():
		return unknown("package.json declares workspaces, whose manifests dockslim does not check against yarn.lock")
	}
	patterns := map[string]bool{}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if line == "" || line[0] == ' ' || line[0] == '#' || !strings.HasSuffix(line, ":") {
			continue
		}
		for _, p := range strings.Split(strings.TrimSuffix(line, ":"), ",") {
			patterns[strings.Trim(strings.TrimSpace(p), `"`)] = true
		}
	}
	for _, d := range m.dependencies() {
		if !patterns[d.name+"@"+d.spec] {
			return outOfSync("yarn.lock has no entry for %s@%s, which package.json asks for", d.name, d.spec)
		}
	}
	return Check{Status: InSync}
}

// PnpmLock checks pnpm-lock.yaml against package.json the way pnpm install
// --frozen-lockfile does: the specifier of every dependency (lockfile 5.x
// "specifiers", 6.0 per dependency, 9.0 under importers["."]).
func PnpmLock(m *Manifest, lock []byte) Check {
	y := readYAML(string(lock))
	version := y[key("lockfileVersion")]
	switch {
	case version == "":
		return outOfSync("pnpm-lock.yaml has no lockfileVersion")
	case m.HasWorkspaces() || len(m.Pnpm) > 0 || len(m.Overrides) > 0 || len(m.Resolutions) > 0:
		return unknown("package.json has pnpm settings, overrides or workspaces, which pnpm also checks against pnpm-lock.yaml")
	case y.has("overrides") || y.has("patchedDependencies") || y.has("pnpmfileChecksum"):
		return unknown("pnpm-lock.yaml records overrides, patches or a pnpmfile, which dockslim does not check")
	}
	for _, d := range m.dependencies() {
		spec, ok := y[key(d.kind, d.name, "specifier")]
		if !ok {
			spec, ok = y[key("importers", ".", d.kind, d.name, "specifier")]
		}
		if !ok && strings.HasPrefix(version, "5") {
			spec, ok = y[key("specifiers", d.name)]
		}
		switch {
		case !ok:
			return outOfSync("pnpm-lock.yaml has no specifier for %s, which package.json asks for", d.name)
		case spec != d.spec:
			return outOfSync("package.json asks for %s %s but pnpm-lock.yaml has %s", d.name, d.spec, spec)
		}
	}
	return Check{Status: InSync}
}

// yamlMap holds the scalar values of a block-style YAML document by their
// path of keys (joined by key), which is all pnpm-lock.yaml uses for what
// is read here.
type yamlMap map[string]string

func key(parts ...string) string { return strings.Join(parts, "\x00") }

// has reports whether a top-level key has a value or children.
func (y yamlMap) has(top string) bool {
	for k := range y {
		if k == top || strings.HasPrefix(k, top+"\x00") {
			return true
		}
	}
	return false
}

// readYAML reads block mappings ("key: value", "key:" opening a nested
// mapping by indentation); sequences and flow collections are skipped.
func readYAML(text string) yamlMap {
	out := yamlMap{}
	type level struct {
		indent int
		key    string
	}
	var stack []level
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == '-' {
			continue
		}
		indent := len(line) - len(trimmed)
		k, v, ok := cutKey(trimmed)
		if !ok {
			continue
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		path := make([]string, 0, len(stack)+1)
		for _, l := range stack {
			path = append(path, l.key)
		}
		path = append(path, k)
		out[key(path...)] = v
		if v == "" {
			stack = append(stack, level{indent, k})
		}
	}
	return out
}

// cutKey splits "key: value" (keys and values may be quoted).
func cutKey(s string) (k, v string, ok bool) {
	if q := s[0]; q == '\'' || q == '"' {
		end := strings.IndexByte(s[1:], q)
		if end < 0 || !strings.HasPrefix(s[end+2:], ":") {
			return "", "", false
		}
		k, v = s[1:end+1], s[end+3:]
	} else {
		i := strings.Index(s, ": ")
		switch {
		case i >= 0:
			k, v = s[:i], s[i+2:]
		case strings.HasSuffix(s, ":"):
			k = strings.TrimSuffix(s, ":")
		default:
			return "", "", false
		}
	}
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return k, v, true
}
