package multistage

import "testing"

// The shared part (stage.go) that completes every recogniser's plan: users,
// the runtime command, instructions after the build, heredocs, releases.
// Go is the vehicle.
func TestFinishStage(t *testing.T) {
	runRecArchive(t, recogniseGo, "finish")
	runRecCases(t, recognisePython, []recCase{
		{name: "runtime libraries of a release without a table", want: "decline: knows the package names of Debian bullseye, bookworm and trixie only",
			files: map[string]string{"requirements.txt": "psycopg2==2.9.9\n"},
			src:   "FROM python:3.9-buster\nRUN apt-get update && apt-get install -y gcc libpq-dev\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n"},
	})
}
