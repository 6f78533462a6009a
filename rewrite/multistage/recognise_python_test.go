package multistage

import "testing"

const pyApp = "FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y gcc libpq-dev\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n"

func TestRecognisePython(t *testing.T) {
	reqs := map[string]string{"requirements.txt": "psycopg2==2.9.9\n", "app.py": "\n"}
	runRecCases(t, recognisePython, []recCase{
		{name: "psycopg2 against libpq-dev", files: reqs, src: pyApp, want: "split: "},
		{name: "slim builder with gcc", want: "split: ",
			src: "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y build-essential\nRUN pip install --no-cache-dir uwsgi\nCMD [\"uwsgi\"]\n"},

		{name: "not python", want: "none", src: "FROM debian:bookworm\nRUN apt-get install -y gcc && pip install x\nCMD [\"x\"]\n"},
		{name: "pip without compilers", want: "none",
			src: "FROM python:3.12\nRUN pip install flask\nCMD [\"flask\", \"run\"]\n"},
		{name: "compilers without pip", want: "none",
			src: "FROM python:3.12\nRUN apt-get update && apt-get install -y gcc\nCMD [\"python\"]\n"},

		{name: "alpine", want: "split: the virtualenv /opt/venv",
			src: "FROM python:3.12-alpine\nRUN apk add gcc musl-dev\nRUN pip install x\nCMD [\"x\"]\n"},
		{name: "alpine apk add with a variable", want: "decline: names packages with variables",
			src: "FROM python:3.12-alpine\nRUN apk add gcc musl-dev $EXTRA\nRUN pip install x\nCMD [\"x\"]\n"},
		{name: "pip by its path", want: "decline: pip is run by its path",
			src: "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nRUN /usr/local/bin/pip install x\nCMD [\"x\"]\n"},
		{name: "pip --user", want: "decline: pip install --user installs outside site-packages",
			src: "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nRUN pip install --user x\nCMD [\"x\"]\n"},
		{name: "VIRTUAL_ENV set", want: "decline: VIRTUAL_ENV is set",
			src: "FROM python:3.12-slim\nENV VIRTUAL_ENV=/venv\nRUN apt-get update && apt-get install -y gcc\nRUN pip install x\nCMD [\"x\"]\n"},
		{name: "own virtualenv before", want: "decline: already makes a virtualenv",
			src: "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nRUN python -m venv /venv\nRUN pip install x\nCMD [\"x\"]\n"},
		{name: "own virtualenv in the pip RUN", want: "decline: already makes a virtualenv",
			src: "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nRUN python3 -m venv /venv && pip install x\nCMD [\"x\"]\n"},
		{name: "an unknown build step", want: "decline: the build stage runs make",
			src: "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nRUN make deps\nRUN pip install x\nCMD [\"x\"]\n"},
		{name: "no slim variant", want: "decline: knows no slim variant",
			src: "FROM python:3.12-windowsservercore-ltsc2022\nRUN apt-get update && apt-get install -y gcc\nRUN pip install x\nCMD [\"x\"]\n"},
		{name: "--no-binary on a full image", want: "decline: pip install --no-binary compiles projects from source",
			src: "FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y gcc\nRUN pip install --no-binary :all: x\nCMD [\"x\"]\n"},
		{name: "pure local project on a full image", files: map[string]string{"setup.py": "from setuptools import setup\nsetup()\n"}, want: "split: ",
			src: "FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y gcc\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"x\"]\n"},
		{name: "local C extension on a full image", files: map[string]string{"setup.py": "setup(ext_modules=[Extension('x', ['x.c'])])\n"}, want: "decline: pip builds a local project with C extensions",
			src: "FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y gcc\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"x\"]\n"},
		{name: "local C extension that links nothing", want: "split: ",
			files: map[string]string{"setup.py": "setup(ext_modules=[Extension('x', ['x.c'])])\n", "x.c": "#include <Python.h>\n#include <stdio.h>\n"},
			src:   "FROM python:3.12-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"x\"]\n"},
		{name: "local C extension with a library header", want: "decline: pip builds a local project with C extensions (.: setup.py ext_modules), which may link any of the -dev packages python:3.12-bookworm comes with (libpq-dev, libxml2-dev, ...): x.c includes <zlib.h>",
			files: map[string]string{"setup.py": "setup(ext_modules=[Extension('x', ['x.c'])])\n", "x.c": "#include <Python.h>\n#include <zlib.h>\n"},
			src:   "FROM python:3.12-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"x\"]\n"},
		{name: "unreadable requirements on a full image", src: pyApp, want: "decline: which dockslim cannot read"},
	})
}

func TestIsPipInstall(t *testing.T) {
	for argv, want := range map[string]bool{"pip install x": true, "pip3 install x": true, "pip3.12 install x": true,
		"pipx install x": false, "pip download x": false, "pip-compile install": false} {
		c := command{argv: splitWords(argv)}
		if got := isPipInstall(c); got != want {
			t.Errorf("isPipInstall(%q) = %v, want %v", argv, got, want)
		}
	}
}

func splitWords(s string) []string {
	var out []string
	for _, w := range []byte(s) {
		if w == ' ' {
			out = append(out, "")
			continue
		}
		if len(out) == 0 {
			out = append(out, "")
		}
		out[len(out)-1] += string(w)
	}
	return out
}
