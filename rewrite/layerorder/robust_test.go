package layerorder

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// TestNoPanics runs the passes over odd Dockerfiles: they must not crash,
// every output must parse, and a second run must change nothing.
func TestNoPanics(t *testing.T) {
	srcs := []string{
		"FROM scratch\nCOPY . /\nRUN pip install -r requirements.txt\n",
		"FROM x\nCOPY\n",
		"FROM x\nCOPY . .",
		"FROM x\nWORKDIR /app\nCOPY . .\nRUN",
		"FROM x\nWORKDIR /app\nCOPY . .\nRUN npm ci",
		"FROM x\nWORKDIR /app\nCOPY [\".\", \"./\"]\nRUN [\"npm\", \"ci\"]\n",
		"FROM x\nWORKDIR /app\nCOPY --from=y . .\nRUN npm ci\n",
		"FROM x\nWORKDIR /app\nCOPY <<EOF /app/x\nhi\nEOF\nRUN npm ci\n",
		"FROM x\nWORKDIR /app\nADD https://example.com/a.tgz /app/\nRUN npm ci\n",
		"FROM x\nWORKDIR $X\nCOPY . .\nRUN npm ci\n",
		"FROM x\nWORKDIR /app\nCOPY . $DEST\nRUN npm ci\n",
		"FROM x\nWORKDIR /app\nCOPY ./* ./\nRUN tar\nRUN tar xzf\nRUN cp\nRUN chmod\nRUN curl -O\nRUN wget\nRUN git clone\nRUN cd\nRUN pip\nRUN go\nRUN mvn\nRUN dotnet\nRUN cargo\nRUN npm\nRUN yarn\nRUN pnpm\nRUN uv\nRUN poetry\nRUN pipenv\nRUN bundle\nRUN composer\nRUN test -f x\n",
		"FROM x AS a\nWORKDIR /app\nCOPY . .\nFROM a\nRUN pip install -r requirements.txt\nONBUILD RUN npm ci\nVOLUME /app\nRUN npm ci\n",
		"FROM x\r\nWORKDIR /app\r\nCOPY . .\r\nRUN pip install -r requirements.txt\r\nRUN apt-get install -y curl",
		"FROM x\nWORKDIR /app\nCOPY . .\nRUN go build ./...\nRUN poetry install\nRUN composer install\nRUN uv sync\nRUN mvn package\nRUN ./gradlew build\n",
	}
	for _, ctx := range []string{"", "."} {
		for _, src := range srcs {
			for _, unsafe := range []bool{false, true} {
				opts := rewrite.Options{ContextDir: ctx, UnsafeFixes: unsafe}
				res, err := testEngine(t).Run("Dockerfile", []byte(src), opts)
				if err != nil {
					continue // not a Dockerfile buildkit accepts
				}
				if errs := res.InternalErrors; len(errs) > 0 {
					t.Errorf("%q: %s", src, strings.Join(errs, "; "))
				}
				if res.Unstable || len(res.Dropped) > 0 {
					t.Errorf("%q: unstable=%v dropped=%v", src, res.Unstable, res.Dropped)
				}
				if _, err := parser.Load("Dockerfile", res.Output); err != nil {
					t.Errorf("%q: output does not parse: %v", src, err)
				}
				again, _ := testEngine(t).Run("Dockerfile", res.Output, opts)
				if again != nil && string(again.Output) != string(res.Output) {
					t.Errorf("%q: not stable", src)
				}
			}
		}
	}
}

// testEngine runs this package's passes (and rewrite.InvalidPass), in the
// order of rewrite/all's list.
func testEngine(t testing.TB) *rewrite.Engine {
	t.Helper()
	e, err := rewrite.NewEngine(rewrite.InvalidPass, DockerignorePass, HoistPass, SplitPass)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
