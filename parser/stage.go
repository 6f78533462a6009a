package parser

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Stage is a FROM and the instructions up to the next FROM.
type Stage struct {
	Index        int
	Name         string // the AS name, as written; "" when none
	From         *Instruction
	Base         ImageRef
	Platform     string
	Instructions []*Instruction // From first
}

// ImageRef is the image of a FROM, split into its parts.
type ImageRef struct {
	Raw        string // as written
	Start, End int    // span of Raw in the file
	Registry   string // "" for Docker Hub without an explicit host
	Repository string // "python", "library/python", "myorg/app"
	Tag        string
	Digest     string // "sha256:..."
	// Mirror is the prefix of Raw that is Config.RegistryMirror (with
	// /library when the mirrored name has it: a mirror of all of Docker
	// Hub); Registry and Repository are then those of the Docker Hub
	// image it mirrors. "" when Raw does not start with the mirror.
	Mirror string
	// FromArg is true when Raw contains a variable ($VAR / ${VAR}).
	FromArg bool
	// Scratch is FROM scratch; StageRef names an earlier stage.
	Scratch  bool
	StageRef *Stage
}

// String is the reference as written.
func (r ImageRef) String() string { return r.Raw }

func (f *File) newStage(in *Instruction) *Stage {
	st := &Stage{Index: len(f.Stages), From: in}
	args := in.Args()
	if len(args) >= 3 && strings.EqualFold(args[1], "as") {
		st.Name = args[2]
	}
	if fl, ok := in.Flag("platform"); ok {
		st.Platform = fl.Value
	}
	raw := ""
	if len(args) > 0 {
		raw = args[0]
	}
	ref := f.SplitImageRef(raw)
	ref.Start = in.ArgsStart
	ref.End = in.ArgsStart
	if txt := f.Src[in.ArgsStart:in.ArgsEnd]; strings.HasPrefix(string(txt), raw) {
		ref.End = in.ArgsStart + len(raw)
	}
	ref.Scratch = strings.EqualFold(raw, "scratch")
	// The last earlier stage of that name (buildkit rejects duplicates).
	if ns := f.stageNames.find(raw); len(ns) > 0 {
		ref.StageRef = ns[len(ns)-1]
	}
	st.Base = ref
	f.Stages = append(f.Stages, st)
	f.stageNames.add(st)
	return st
}

// stageNames finds stages by AS name, in any case, without a scan of every
// stage (a file can have thousands): names of ASCII stage names in lower
// case; a non-ASCII name (which buildkit rejects) makes lookups scan, as
// Unicode case folding can match it to an ASCII name.
type stageNames struct {
	byLower map[string][]*Stage // in file order
	all     []*Stage            // the named stages, in file order
	scan    bool
}

func (n *stageNames) add(st *Stage) {
	if st.Name == "" {
		return
	}
	n.all = append(n.all, st)
	if !isASCII(st.Name) {
		n.scan = true
		return
	}
	if n.byLower == nil {
		n.byLower = map[string][]*Stage{}
	}
	k := strings.ToLower(st.Name)
	n.byLower[k] = append(n.byLower[k], st)
}

// find returns the named stages whose name equals name in any case
// (strings.EqualFold), in file order.
func (n *stageNames) find(name string) []*Stage {
	if !n.scan {
		if !isASCII(name) {
			return nil // only non-ASCII text folds to non-ASCII text
		}
		return n.byLower[strings.ToLower(name)]
	}
	var out []*Stage
	for _, st := range n.all {
		if strings.EqualFold(st.Name, name) {
			out = append(out, st)
		}
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// SplitImageRef is the package's SplitImageRef seeing through the file's
// registry mirror: the one place where a mirrored reference becomes the
// Docker Hub image it mirrors.
func (f *File) SplitImageRef(raw string) ImageRef {
	hub, ok := f.Unmirror(raw)
	if !ok {
		return SplitImageRef(raw)
	}
	r := SplitImageRef(hub)
	r.Raw, r.Mirror = raw, strings.TrimSuffix(f.cfg.RegistryMirror, "/")
	if rest, ok := strings.CutPrefix(hub, "library/"); ok && r.Registry == "" && !strings.Contains(rest, "/") {
		// A mirror of all of Docker Hub names official images
		// library/NAME, and so must the images written for this FROM.
		r.Mirror += "/library"
	}
	return r
}

// Unmirror returns ref without the registry mirror's prefix; ok is false
// when it does not start with it (or no mirror is set).
func (f *File) Unmirror(ref string) (hub string, ok bool) {
	m := strings.TrimSuffix(f.cfg.RegistryMirror, "/")
	if m == "" {
		return ref, false
	}
	hub, ok = strings.CutPrefix(ref, m+"/")
	if !ok || hub == "" {
		return ref, false
	}
	return hub, true
}

// Mirrored returns a Docker Hub reference ("python:3.12-slim") as the
// file's FROMs name it through the mirror: with the prefix when the file's
// ref used the mirror.
func (r ImageRef) Mirrored(hubRef string) string {
	if r.Mirror == "" {
		return hubRef
	}
	return r.Mirror + "/" + hubRef
}

// SplitImageRef splits a reference like registry:5000/org/name:tag@sha256:...
// It does not validate; a reference with variables is split as far as it can be.
func SplitImageRef(raw string) ImageRef {
	r := ImageRef{Raw: raw, FromArg: strings.Contains(raw, "$")}
	rest := raw
	if i := strings.Index(rest, "@"); i >= 0 {
		r.Digest = rest[i+1:]
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 && !strings.Contains(rest[i:], "/") {
		r.Tag = rest[i+1:]
		rest = rest[:i]
	}
	if i := strings.Index(rest, "/"); i >= 0 {
		host := rest[:i]
		if strings.ContainsAny(host, ".:") || host == "localhost" {
			r.Registry = host
			rest = rest[i+1:]
		}
	}
	r.Repository = rest
	return r
}

// StageByName finds a stage by its AS name or its index as a string.
func (f *File) StageByName(name string) *Stage {
	if ns := f.stageNames.find(name); len(ns) > 0 {
		return ns[0]
	}
	if i, err := strconv.Atoi(name); err == nil && i >= 0 && i < len(f.Stages) && strconv.Itoa(i) == name {
		return f.Stages[i]
	}
	return nil
}
