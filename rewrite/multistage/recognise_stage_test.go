package multistage

import "testing"

// The shared part (stage.go) that completes every recogniser's plan: users,
// the runtime command, instructions after the build, heredocs, releases.
// Go is the vehicle.
func TestFinishStage(t *testing.T) {
	const head = "FROM golang:1.22-bookworm\nWORKDIR /app\nCOPY . .\n"
	runRecCases(t, recogniseGo, []recCase{
		{name: "user created by the build stage", want: "split: the binary /app/server",
			src: head + "RUN CGO_ENABLED=0 go build -o server .\nRUN useradd -r app\nUSER app\nCMD [\"/app/server\"]\n"},
		{name: "user nobody exists everywhere", want: "split: the binary /app/server",
			src: head + "RUN CGO_ENABLED=0 go build -o server .\nUSER nobody\nCMD [\"/app/server\"]\n"},
		{name: "unknown user", want: "plan: the binary /app/server (finish: ",
			src: head + "RUN CGO_ENABLED=0 go build -o server .\nUSER app\nCMD [\"/app/server\"]\n"},
		{name: "the CMD runs a file the runtime lacks", want: "plan: the binary /app/server (finish: ",
			src: head + "RUN CGO_ENABLED=0 go build -o server .\nCMD [\"/app/run.sh\"]\n"},
		{name: "a shell-form CMD needs a shell: debian fallback", want: "split: the binary /app/server",
			src: head + "RUN CGO_ENABLED=0 go build -o server .\nCMD /app/server --port $PORT\n"},
		{name: "tests after the build stay in the build stage", want: "split: the binary /app/server",
			src: head + "RUN CGO_ENABLED=0 go build -o server .\nRUN go test ./...\nCMD [\"/app/server\"]\n"},
		{name: "an unknown step after the build", want: "plan: the binary /app/server (finish: ",
			src: head + "RUN CGO_ENABLED=0 go build -o server .\nRUN ./server --migrate\nCMD [\"/app/server\"]\n"},
		{name: "contract kept: ENV, EXPOSE, HEALTHCHECK, ARG", want: "split: the binary /app/server",
			src: "ARG PORT=8080\n" + head + "ENV GIN_MODE=release\nRUN CGO_ENABLED=0 go build -o server .\nARG PORT\nEXPOSE $PORT\nHEALTHCHECK CMD [\"/app/server\", \"-health\"]\nSTOPSIGNAL SIGTERM\nCMD [\"/app/server\"]\n"},
		// runCommands does not read heredoc bodies: a build there is not
		// recognised (a limitation, on the safe side).
		{name: "build in a heredoc", want: "none",
			src: "# syntax=docker/dockerfile:1\n" + head + "RUN <<EOF\nCGO_ENABLED=0 go build -o server .\nEOF\nCMD [\"/app/server\"]\n"},
		{name: "FROM another stage", want: "none",
			src: "FROM golang:1.22 AS base\nFROM base\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\nCMD [\"/app/server\"]\n"},
		{name: "a final stage that only copies", want: "none",
			src: "FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /server .\nFROM scratch\nCOPY --from=build /server /server\nCMD [\"/server\"]\n"},
		{name: "a final golang stage that builds", want: "split: the binary /server",
			src: "FROM node:20 AS web\nRUN echo web\nFROM golang:1.22\nCOPY --from=web / /web\nRUN CGO_ENABLED=0 go build -o /server .\nCMD [\"/server\"]\n"},
		{name: "FROM an ARG", want: "split: the binary /server",
			src: "ARG GO=1.22\nFROM golang:${GO}\nRUN CGO_ENABLED=0 go build -o /server .\nCMD [\"/server\"]\n"},
		{name: "FROM an unset ARG", want: "none",
			src: "ARG GO\nFROM golang:${GO}\nRUN CGO_ENABLED=0 go build -o /server .\nCMD [\"/server\"]\n"},
	})
	runRecCases(t, recognisePython, []recCase{
		{name: "runtime libraries of a release without a table", want: "decline: knows the package names of Debian bullseye, bookworm and trixie only",
			files: map[string]string{"requirements.txt": "psycopg2==2.9.9\n"},
			src:   "FROM python:3.9-buster\nRUN apt-get update && apt-get install -y gcc libpq-dev\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n"},
	})
}
