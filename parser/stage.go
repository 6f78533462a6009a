package parser

import (
	"strconv"
	"strings"
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
	ref := SplitImageRef(raw)
	ref.Start = in.ArgsStart
	ref.End = in.ArgsStart
	if txt := f.Src[in.ArgsStart:in.ArgsEnd]; strings.HasPrefix(string(txt), raw) {
		ref.End = in.ArgsStart + len(raw)
	}
	ref.Scratch = strings.EqualFold(raw, "scratch")
	for _, prev := range f.Stages {
		if prev.Name != "" && strings.EqualFold(prev.Name, raw) {
			ref.StageRef = prev
		}
	}
	st.Base = ref
	f.Stages = append(f.Stages, st)
	return st
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
	for _, st := range f.Stages {
		if st.Name != "" && strings.EqualFold(st.Name, name) {
			return st
		}
	}
	for _, st := range f.Stages {
		if strconv.Itoa(st.Index) == name {
			return st
		}
	}
	return nil
}
