package stagestate

import (
	"slices"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
)

// purgeAt analyses a purge of pkgs at the start of the first command named
// name on line n (or at the end of that RUN when name is "").
func purgeAt(t *testing.T, src string, n int, name string, pkgs []string, own bool) AutoRemoval {
	t.Helper()
	f := parsertest.Load(t, src)
	r := runAt(t, f, n)
	at := r.In.End
	for _, p := range r.Purges {
		if name != "" && p.Cmd != nil && p.Cmd.Name == name {
			at = p.Start
		}
	}
	return Of(f).AutoRemove(r.In, at, pkgs, own)
}

func TestAutoRemove(t *testing.T) {
	const slim = "FROM python:3.11-slim-bookworm\n"
	build := "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && pip install psycopg2 && apt-get purge -y gcc libpq-dev\n"
	cases := []struct {
		name, src string
		line      int
		pkgs      []string
		own       bool
		why       string   // a substring of Why; "" for none
		keep      []string // a subset of Keep
	}{
		{name: "build packages, libraries kept", src: slim + build + "CMD [\"gunicorn\", \"app:app\"]\n", line: 2,
			pkgs: []string{"gcc", "libpq-dev"}, keep: []string{"libpq5", "libgomp1"}},
		{name: "a later RUN compiles", src: slim + build + "RUN gcc -o x x.c\n", line: 2, pkgs: []string{"gcc", "libpq-dev"}, own: true,
			why: "`gcc` at line 3 comes from gcc"},
		{name: "a dependency's command later", src: slim + "RUN apt-get update && apt-get install -y build-essential && make && apt-get purge -y build-essential\nRUN make install\n",
			line: 2, pkgs: []string{"build-essential"}, why: "`make` at line 3 comes from make"},
		{name: "installed again later", src: slim + "RUN apt-get update && apt-get install -y build-essential && apt-get purge -y build-essential\nRUN apt-get install -y perl && perl -e 1\n",
			line: 2, pkgs: []string{"build-essential"}},
		{name: "a later build needs the compiler", src: slim + "RUN apt-get update && apt-get install -y build-essential && apt-get purge -y build-essential\nRUN apt-get install -y make && make\n",
			line: 2, pkgs: []string{"build-essential"}, why: "`make` at line 3 may compile"},
		{name: "a later pip install", src: slim + build + "RUN pip install --no-cache-dir uwsgi\n", line: 2, pkgs: []string{"gcc", "libpq-dev"},
			own: true, why: "`pip install` at line 3 may compile, which needs"},
		{name: "a stage built FROM it", src: "FROM debian:bookworm-slim AS base\nRUN apt-get update && apt-get install -y build-essential && apt-get purge -y build-essential\nFROM base\nRUN make\n",
			line: 2, pkgs: []string{"build-essential"}, why: "`make` at line 4"},
		{name: "a script", src: slim + build + "CMD [\"./start.sh\"]\n", line: 2, pkgs: []string{"gcc", "libpq-dev"},
			why: "runs the script ./start.sh"},
		{name: "python's own commands", src: slim + "RUN apt-get update && apt-get install -y python3-dev gcc && pip install x && apt-get purge -y python3-dev gcc\nCMD [\"python3\", \"-m\", \"x\"]\n",
			line: 2, pkgs: []string{"python3-dev", "gcc"}, keep: []string{"libgomp1"}},
		{name: "Debian's python", src: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y python3-dev python3-pip gcc && pip install x && apt-get purge -y python3-dev gcc\n",
			line: 2, pkgs: []string{"python3-dev", "gcc"}, keep: []string{"libpython3.11"}},
		{name: "a full image", src: "FROM python:3.11-bookworm\n" + build, line: 2, pkgs: []string{"gcc"}, why: "buildpack-deps"},
		{name: "an unknown image", src: "FROM example.com/base:1\n" + build, line: 2, pkgs: []string{"gcc"}, why: "not one dockslim knows"},
		{name: "another release", src: "FROM debian:trixie-slim\n" + build, line: 2, pkgs: []string{"gcc"}, why: "not Debian bookworm"},
		{name: "orphans before", src: slim + "RUN apt-get update && apt-get install -y curl && apt-get purge -y curl\n" + build, line: 3,
			pkgs: []string{"gcc"}, why: "without --auto-remove"},
		{name: "an unknown package", src: slim + "RUN apt-get update && apt-get install -y nginx && apt-get purge -y nginx\n", line: 2,
			pkgs: []string{"nginx"}, why: "does not know what nginx depends on"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ar := purgeAt(t, c.src, c.line, "apt-get", c.pkgs, c.own)
			if c.why == "" && ar.Why != "" || !strings.Contains(ar.Why, c.why) {
				t.Errorf("Why = %q, want %q", ar.Why, c.why)
			}
			for _, k := range c.keep {
				if !slices.Contains(ar.Keep, k) {
					t.Errorf("Keep = %v, want %s in it", ar.Keep, k)
				}
			}
			if c.why == "" && len(ar.Takes) == 0 {
				t.Errorf("Takes nothing")
			}
		})
	}
}

func TestPurgesAndMarks(t *testing.T) {
	f := parsertest.Load(t, `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y gcc libpq-dev curl && apt-mark manual libpq5 && apt-get purge -y --auto-remove gcc libpq-dev
RUN apt-get remove -y curl
RUN apt-mark auto '.*' && apt-mark manual ca-certificates && apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false
`)
	r := runAt(t, f, 2)
	if len(r.Purges) != 1 || !r.Purges[0].AutoRemove || len(r.Marks) != 1 || !r.Marks[0].Manual {
		t.Fatalf("purges %+v marks %+v", r.Purges, r.Marks)
	}
	if got := r.After.Packages; !slices.Equal(got, []string{"curl"}) || !slices.Equal(r.After.Manual, []string{"libpq5"}) || r.After.Orphans {
		t.Errorf("after line 2: packages %v manual %v orphans %v", got, r.After.Manual, r.After.Orphans)
	}
	if r3 := runAt(t, f, 3); !r3.After.Orphans || len(r3.After.Packages) != 0 {
		t.Errorf("after line 3: %+v", r3.After)
	}
	if r4 := runAt(t, f, 4); r4.After.Orphans || !slices.Equal(r4.After.Manual, []string{"ca-certificates"}) {
		t.Errorf("after line 4: %+v", r4.After)
	}
}
