package measure

import (
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
)

// MissingFeature is a build that failed because the builder lacks
// something (the tool itself, docker's buildx plugin, heredocs, a COPY
// flag), not because of the Dockerfile: nothing can be measured with it.
type MissingFeature struct {
	Builder string // docker, podman, buildah
	Feature string // what it lacks, e.g. "docker buildx"
	Advice  string // what to do
}

func (m *MissingFeature) Error() string {
	return fmt.Sprintf("%s: %s", m.Feature, m.Advice)
}

// featureShape is one known way a builder says it lacks a feature: the
// log matches re; feature and advice may name the builder ({builder}) and
// re's first group ({arg}).
type featureShape struct {
	builder         string // "" = any
	re              string
	feature, advice string
}

// featureShapes are the messages seen from docker 20–27, podman and
// buildah 1.28 (Debian bookworm's).
var featureShapes = []featureShape{
	{"docker", `unknown flag: --load|'buildx' is not a docker command|unknown command:? "?(?:docker )?buildx|buildx component is missing`,
		"docker buildx is not installed", "install docker-buildx-plugin or use --builder buildah"},
	{"docker", `Cannot connect to the Docker daemon|Is the docker daemon running`,
		"the docker daemon is not running", "start it or use --builder buildah"},
	{"", `(?s)STEP [0-9]+/[0-9]+: (?:RUN|COPY|ADD)[^\n]*<<.*Unknown instruction`,
		"{builder} is too old for heredocs (<<EOF in RUN or COPY)", "upgrade {builder} or use --builder docker"},
	{"", `STEP "(?:COPY|ADD) (--[a-z-]+)[^"]*": (?:COPY|ADD) only supports`,
		"{builder} is too old for {arg}", "upgrade {builder} or use --builder docker"},
}

var featureREs = sync.OnceValue(func() []*regexp.Regexp {
	res := make([]*regexp.Regexp, len(featureShapes))
	for i, s := range featureShapes {
		res[i] = regexp.MustCompile(s.re)
	}
	return res
})

// Diagnose recognises a failed build (its log and error) that says the
// builder lacks a feature; nil for any other failure.
func Diagnose(builder, log string, err error) *MissingFeature {
	if err == nil {
		return nil
	}
	if errors.Is(err, exec.ErrNotFound) {
		return &MissingFeature{Builder: builder, Feature: builder + " is not installed",
			Advice: "install it or use --builder " + strings.Join(otherBuilders(builder), " or ")}
	}
	for i, re := range featureREs() {
		s := featureShapes[i]
		if s.builder != "" && s.builder != builder {
			continue
		}
		if m := re.FindStringSubmatch(log); m != nil {
			arg := ""
			if len(m) > 1 {
				arg = m[1]
			}
			r := strings.NewReplacer("{builder}", builder, "{arg}", arg)
			return &MissingFeature{Builder: builder, Feature: r.Replace(s.feature), Advice: r.Replace(s.advice)}
		}
	}
	return nil
}

func otherBuilders(name string) []string {
	var out []string
	for _, n := range []string{"docker", "podman", "buildah"} {
		if n != name {
			out = append(out, n)
		}
	}
	return out
}
