package slimbase

import (
	"slices"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/parser"
)

// aptInstall is an `apt-get install` (or `apt install`) a stage runs.
type aptInstall struct {
	Stage *parser.Stage
	In    *parser.Instruction
	Cmd   *shellcmd.Command // nil in exec form
	Off   int
	Pkgs  []string // package names, versions and architectures stripped
}

// metaPackages lists what a meta package installs, as far as the
// full-vs-slim table is concerned.
var metaPackages = map[string][]string{
	"build-essential": {"gcc", "g++", "make", "dpkg-dev", "libc6-dev", "cpp", "binutils", "patch"},
}

// aptInstalls lists the apt installs of the stages, from the stage model.
func aptInstalls(f *parser.File, stages []*parser.Stage) []aptInstall {
	m := stagestate.Of(f)
	var out []aptInstall
	for _, st := range stages {
		for _, in := range st.Instructions {
			r := m.Run(in)
			if r == nil || in.Sub != "" {
				continue
			}
			for _, ins := range r.Installs {
				if ins.Opaque {
					continue
				}
				out = append(out, aptInstall{Stage: st, In: in, Cmd: ins.Cmd, Off: ins.Start, Pkgs: ins.Packages})
			}
		}
	}
	return out
}

// installedBefore reports whether pkg is apt-installed (directly or by a
// meta package) in stage st or in the swapped stage root, before offset off.
func installedBefore(installs []aptInstall, root, st *parser.Stage, off int, pkg string) bool {
	for _, ai := range installs {
		if ai.Off >= off || ai.Stage != st && ai.Stage != root {
			continue
		}
		for _, p := range ai.Pkgs {
			if p == pkg || slices.Contains(metaPackages[p], pkg) {
				return true
			}
		}
	}
	return false
}
