package verify

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
)

// keys formats problems as "LINE RULE [KEY]".
func keys(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %s [%s]", p.Line, p.Rule, p.Key))
	}
	return out
}

type checkCase struct {
	name string
	src  string
	want []string
}

func runChecks(t *testing.T, rule string, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, k := range keys(Check(parsertest.Load(t, tc.src))) {
				if strings.Contains(k, " "+rule+" ") {
					got = append(got, k)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Check =\n\t%s\nwant\n\t%s\nfor\n%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"), tc.src)
			}
		})
	}
}

func TestAptLists(t *testing.T) {
	runChecks(t, RuleAptLists, []checkCase{
		{"no update", "FROM debian:bookworm-slim\nRUN apt-get install -y curl gcc\n",
			[]string{"2 apt-lists [install curl gcc]"}},
		{"update first", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n", nil},
		{"update in an earlier RUN", "FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\n", nil},
		{"update then rm, install in the next RUN", "FROM debian:bookworm-slim\n" +
			"RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n" +
			"RUN apt install -y vim\n",
			[]string{"3 apt-lists [install vim]"}},
		{"rm -rf lists", "FROM debian\nRUN apt-get update; rm -rf /var/lib/apt/lists\nRUN apt-get install x\n", []string{"3 apt-lists [install x]"}},
		{"rm -r lists/*", "FROM debian\nRUN apt-get update; rm -r /var/lib/apt/lists/*\nRUN apt-get install x\n", []string{"3 apt-lists [install x]"}},
		{"rm with others", "FROM debian\nRUN apt-get update && rm -rf /var/lib/apt/lists/* /tmp/*\nRUN apt-get install x\n", []string{"3 apt-lists [install x]"}},
		{"rm -f a folder does nothing", "FROM debian\nRUN apt-get update && rm -f /var/lib/apt/lists\nRUN apt-get install x\n", nil},
		{"find -delete", "FROM debian\nRUN apt-get update && find /var/lib/apt/lists -type f -delete\nRUN apt-get install x\n", []string{"3 apt-lists [install x]"}},
		{"dist-clean", "FROM debian\nRUN apt-get update && apt-get dist-clean\nRUN apt-get install x\n", []string{"3 apt-lists [install x]"}},
		{"clean keeps the lists", "FROM debian\nRUN apt-get update && apt-get clean\nRUN apt-get install x\n", nil},
		{"rm then update again", "FROM debian\nRUN apt-get update && rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install x\n", nil},
		{"inherited from a stage", "FROM debian AS base\nRUN apt-get update\nFROM base\nRUN apt-get install x\n", nil},
		{"inherited removal", "FROM debian AS base\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\nFROM base\nRUN apt-get install x\n",
			[]string{"4 apt-lists [install x]"}},
		{"a new image has none", "FROM debian AS base\nRUN apt-get update\nFROM debian\nRUN apt-get install x\n",
			[]string{"4 apt-lists [install x]"}},
		{"cache mount on the lists", "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt apt-get install -y x\n", nil},
		{"cache mount keeps the image's lists as they were",
			"FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y x\nRUN apt-get install -y y\n",
			[]string{"3 apt-lists [install y]"}},
		{"cache mount elsewhere", "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt apt-get install -y x\n", []string{"2 apt-lists [install x]"}},
		{"upgrade", "FROM debian\nRUN apt-get -y dist-upgrade\n", []string{"2 apt-lists [dist-upgrade]"}},
		{"local .deb", "FROM debian\nRUN apt-get install -y ./pkg.deb\n", nil},
		{"remove needs no lists", "FROM debian\nRUN apt-get purge -y x\n", nil},
		{"exec form", "FROM debian\nRUN [\"apt-get\", \"install\", \"-y\", \"jq\"]\n", []string{"2 apt-lists [install jq]"}},
		{"sh -c", "FROM debian\nRUN sh -c 'apt-get install -y jq'\n", []string{"2 apt-lists [install jq]"}},
		{"heredoc", "FROM debian\nRUN <<EOF\napt-get update\napt-get install -y a\nrm -rf /var/lib/apt/lists/*\napt-get install -y b\nEOF\n",
			[]string{"6 apt-lists [install b]"}},
		{"versions and options", "FROM debian\nRUN apt-get -o Dpkg::Options::=--force-confnew install -y b=1.0 a/bookworm c:amd64\n",
			[]string{"2 apt-lists [install a b c]"}},
	})
}

func TestCACerts(t *testing.T) {
	runChecks(t, RuleCACerts, []checkCase{
		{"curl without recommends", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
			[]string{"2 ca-certs [stage 0: curl]"}},
		{"with ca-certificates", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates\n", nil},
		{"ca-certificates later in the same RUN", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends wget && apt-get install -y ca-certificates\n", nil},
		{"ca-certificates in a later RUN", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends git\nRUN apt-get install -y ca-certificates\n",
			[]string{"2 ca-certs [stage 0: git]"}},
		{"a package that depends on it", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends python3-pip curl\n", nil},
		{"with recommends", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n", nil},
		{"recommends install of another client", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y wget && apt-get install -y --no-install-recommends curl\n", nil},
		{"base ships it", "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n", nil},
		{"full base ships it", "FROM node:20-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n", nil},
		{"node slim does not", "FROM node:20-bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
			[]string{"2 ca-certs [stage 0: curl]"}},
		{"not an https client", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gnupg openssh-client\n", nil},
		{"configured off", "FROM debian:bookworm-slim\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/norec\nRUN apt-get update && apt-get install -y curl\n",
			[]string{"3 ca-certs [stage 0: curl]"}},
		{"option off", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y -o APT::Install-Recommends=false curl\n",
			[]string{"2 ca-certs [stage 0: curl]"}},
		{"once a stage", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN apt-get update && apt-get install -y --no-install-recommends wget\n",
			[]string{"2 ca-certs [stage 0: curl]"}},
		{"each stage", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nFROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends wget\n",
			[]string{"2 ca-certs [stage 0: curl]", "4 ca-certs [stage 1: wget]"}},
		{"inherited ca-certificates", "FROM debian:bookworm-slim AS base\nRUN apt-get update && apt-get install -y ca-certificates\nFROM base\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n", nil},
	})
}

func TestCopyBeforeUse(t *testing.T) {
	runChecks(t, RuleCopyBeforeUse, []checkCase{
		{"install before the copy", "FROM python:3.12\nWORKDIR /app\nRUN pip install -r requirements.txt\nCOPY . .\n",
			[]string{"3 copy-before-use [pip install requirements.txt]"}},
		{"manifest first", "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n", nil},
		{"the whole context", "FROM python:3.12\nCOPY . /app\nWORKDIR /app\nRUN pip install --requirement=requirements.txt\n", nil},
		{"a folder of the context", "FROM python:3.12\nCOPY backend/ /app/\nWORKDIR /app\nRUN pip install -r requirements.txt\n", nil},
		{"elsewhere", "FROM python:3.12\nCOPY requirements.txt /tmp/\nWORKDIR /app\nRUN pip install -r requirements.txt\n",
			[]string{"4 copy-before-use [pip install requirements.txt]"}},
		{"absolute path", "FROM python:3.12\nCOPY requirements.txt /tmp/\nWORKDIR /app\nRUN pip install -r /tmp/requirements.txt\n", nil},
		{"to the file's path", "FROM python:3.12\nCOPY reqs/prod.txt /app/requirements.txt\nWORKDIR /app\nRUN pip install -r requirements.txt\n", nil},
		{"constraints", "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt -c constraints.txt\n",
			[]string{"4 copy-before-use [pip install constraints.txt]"}},
		{"pip install .", "FROM python:3.12\nWORKDIR /app\nRUN pip install .\nCOPY . .\n",
			[]string{"3 copy-before-use [pip install setup.py|pyproject.toml]"}},
		{"pip install -e . after pyproject", "FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml ./\nRUN pip install -e .\n", nil},
		{"a local project before its copy", "FROM python:3.12\nWORKDIR /app\nRUN pip install -e ./libs/a\nCOPY . .\n",
			[]string{"3 copy-before-use [pip install ./libs/a/setup.py|./libs/a/pyproject.toml|./libs/a/setup.cfg]"}},
		{"a local project after its copy", "FROM python:3.12\nWORKDIR /app\nCOPY libs/a ./libs/a/\nRUN pip install ./libs/a /wheels/x-1-py3-none-any.whl\n", nil},
		{"npm ci with a glob", "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n", nil},
		{"npm ci without the lock", "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\n",
			[]string{"4 copy-before-use [npm ci package-lock.json|npm-shrinkwrap.json]"}},
		{"npm install of a package", "FROM node:20\nRUN npm install -g pnpm\n", nil},
		{"yarn", "FROM node:20\nWORKDIR /app\nRUN yarn install --frozen-lockfile\nCOPY . .\n",
			[]string{"3 copy-before-use [yarn install package.json]"}},
		{"go mod download", "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n", nil},
		{"go mod download first", "FROM golang:1.22\nWORKDIR /src\nRUN go mod download\nCOPY . .\n",
			[]string{"3 copy-before-use [go mod download go.mod]"}},
		{"bundle", "FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\n", nil},
		{"composer", "FROM php:8.3\nWORKDIR /app\nRUN composer install\n", []string{"3 copy-before-use [composer install composer.json]"}},
		{"poetry", "FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n", nil},
		{"unknown destination", "FROM python:3.12\nCOPY . $APP_HOME\nRUN pip install -r requirements.txt\n", nil},
		{"destination from ENV", "FROM python:3.12\nENV APP=/srv\nCOPY requirements.txt $APP/\nWORKDIR $APP\nRUN pip install -r requirements.txt\n", nil},
		{"unknown workdir", "FROM python:3.12\nWORKDIR $HOME\nRUN pip install -r requirements.txt\n", nil},
		{"inherited from a stage", "FROM node:20 AS deps\nWORKDIR /app\nCOPY package.json ./\nFROM deps\nRUN npm install\n", nil},
		{"not inherited from an image", "FROM node:20 AS deps\nWORKDIR /app\nCOPY package.json ./\nFROM node:20\nWORKDIR /app\nRUN npm install\n",
			[]string{"6 copy-before-use [npm install package.json]"}},
		{"cd into the copy", "FROM python:3.12\nCOPY . /src\nRUN cd /src && pip install -r requirements.txt\n", nil},
		{"bind mount", "FROM python:3.12\nRUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt\n", nil},
		{"cloned in the RUN", "FROM python:3.12\nRUN git clone https://example.com/app.git /app && cd /app && pip install -r requirements.txt\n", nil},
		{"ADD of an archive", "FROM python:3.12\nADD app.tar.gz /app/\nWORKDIR /app\nRUN pip install -r requirements.txt\n", nil},
		{"ADD of a file", "FROM python:3.12\nADD https://example.com/x.txt /app/\nWORKDIR /app\nRUN pip install -r requirements.txt\n",
			[]string{"4 copy-before-use [pip install requirements.txt]"}},
		{"made by an earlier RUN", "FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry export -o requirements.txt\nRUN pip install -r requirements.txt\n", nil},
		{"redirected", "FROM python:3.12\nRUN echo flask > /tmp/req.txt && pip install -r /tmp/req.txt\n", nil},
		{"copied from another stage", "FROM python:3.12 AS src\nFROM python:3.12\nCOPY --from=src /app /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n", nil},
	})
}

func TestRuntimeLibs(t *testing.T) {
	build := "FROM python:3.12-bookworm AS build\nRUN apt-get update && apt-get install -y --no-install-recommends libpq-dev gcc\nRUN pip wheel --wheel-dir /wheels psycopg2\n"
	runChecks(t, RuleRuntimeLibs, []checkCase{
		{"slim runtime without libpq5", build + "FROM python:3.12-slim-bookworm\nCOPY --from=build /wheels /wheels\n",
			[]string{"5 runtime-libs [libpq-dev]"}},
		{"slim runtime with libpq5", build + "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y libpq5\nCOPY --from=build /wheels /wheels\n", nil},
		{"the -dev package itself", build + "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y libpq-dev\nCOPY --from=build /wheels /wheels\n", nil},
		{"same image", build + "FROM python:3.12-bookworm\nCOPY --from=build /wheels /wheels\n", nil},
		{"built FROM the build stage", build + "FROM build\nCOPY --from=build /wheels /wheels\n", nil},
		{"by index", build + "FROM python:3.12-slim-bookworm\nCOPY --from=0 /wheels /wheels\n", []string{"5 runtime-libs [libpq-dev]"}},
		{"from an image", "FROM python:3.12-slim-bookworm\nCOPY --from=nginx:1 /etc/nginx /etc/nginx\n", nil},
		{"in every Debian image", "FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y zlib1g-dev gcc\nFROM debian:bookworm-slim\nCOPY --from=build /usr/local /usr/local\n", nil},
		{"inherited -dev", "FROM python:3.12-bookworm AS base\nRUN apt-get update && apt-get install -y libxml2-dev\nFROM base AS build\nRUN pip wheel lxml\nFROM python:3.12-slim-bookworm\nCOPY --from=build /wheels /wheels\n",
			[]string{"6 runtime-libs [libxml2-dev]"}},
		{"unknown -dev", build[:len(build)-1] + " && apt-get install -y libfoo-dev\nFROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y libpq5\nCOPY --from=build /wheels /wheels\n", nil},
	})
}

func TestIntroduced(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after string
		want          []string
	}{
		{"DS112 removes the lists a later RUN uses",
			"FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl ca-certificates\nRUN apt install -y vim\n",
			"FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\nRUN apt install --no-install-recommends -y vim\n",
			[]string{"3 apt-lists [install vim]"}},
		{"DS110 loses ca-certificates",
			"FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n",
			"FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
			[]string{"2 ca-certs [stage 0: curl]"}},
		{"layer order moves the install above its manifest",
			"FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n",
			"FROM python:3.12\nWORKDIR /app\nRUN pip install -r requirements.txt\nCOPY . .\n",
			[]string{"3 copy-before-use [pip install requirements.txt]"}},
		{"multi-stage split without the runtime library",
			"FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y libpq-dev\nRUN pip install psycopg2\n",
			"FROM python:3.12-bookworm AS build\nRUN apt-get update && apt-get install -y libpq-dev\nRUN pip install psycopg2\nFROM python:3.12-slim-bookworm\nCOPY --from=build /usr/local /usr/local\n",
			[]string{"5 runtime-libs [libpq-dev]"}},
		{"a problem that moved is the same problem",
			"FROM debian\nRUN apt-get install -y x\n",
			"FROM debian\n\n# comment\nRUN apt-get install --no-install-recommends -y x\n",
			nil},
		{"a multiset: one more of the same",
			"FROM debian\nRUN apt-get install -y x\n",
			"FROM debian\nRUN apt-get install -y x\nRUN apt-get install -y x\n",
			[]string{"3 apt-lists [install x]"}},
		{"a problem fixed is not introduced",
			"FROM debian\nRUN apt-get install -y x\n",
			"FROM debian\nRUN apt-get update && apt-get install -y x\n",
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := keys(Introduced(parsertest.Load(t, tc.before), parsertest.Load(t, tc.after)))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Introduced = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLibcDev: gcc without its Recommends on a base without libc6-dev
// compiles nothing; with libc6-dev by name, a dependency that brings it,
// or a base that ships it, it does.
func TestLibcDev(t *testing.T) {
	bad := "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev\n"
	good := []string{
		"FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n",
		"FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev\n",
		"FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential\n",
		"FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\n",
	}
	if ps := Check(parsertest.Load(t, bad)); len(ps) != 1 || ps[0].Rule != RuleLibcDev || ps[0].Line != 2 {
		t.Errorf("bad: %v", ps)
	}
	for _, g := range good {
		for _, p := range Check(parsertest.Load(t, g)) {
			if p.Rule == RuleLibcDev {
				t.Errorf("%q: %v", g, p)
			}
		}
	}
	if ps := Introduced(parsertest.Load(t, good[0]), parsertest.Load(t, bad)); len(ps) != 1 || ps[0].Rule != RuleLibcDev {
		t.Errorf("Introduced: %v", ps)
	}
}

func TestPurged(t *testing.T) {
	runChecks(t, RulePurged, []checkCase{
		{"library taken", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y libpq-dev gcc && gcc -lpq x.c && apt-get purge -y --auto-remove libpq-dev gcc\n",
			[]string{"2 purged [lib libpq-dev libpq5]"}},
		{"library marked manual", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y libpq-dev gcc && apt-mark manual libpq5 && apt-get purge -y --auto-remove libpq-dev gcc\n", nil},
		{"library installed by name", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y libpq-dev libpq5 && apt-get autopurge -y libpq-dev\n", nil},
		{"without --auto-remove", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y libpq-dev && apt-get purge -y libpq-dev\n", nil},
		{"a purged command", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y gcc && apt-get purge -y gcc\nRUN gcc -o x x.c\n",
			[]string{"3 purged [cmd gcc]"}},
		{"from the table", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y binutils && apt-get remove -y binutils\nRUN strip x\n",
			[]string{"3 purged [cmd strip]"}},
		{"installed again", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y gcc && apt-get purge -y gcc\nRUN apt-get install -y gcc && gcc -o x x.c\n", nil},
	})
}
