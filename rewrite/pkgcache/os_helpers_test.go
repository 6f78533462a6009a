package pkgcache

import (
	"strings"
	"testing"

	"github.com/dockslim/dockslim/internal/parsertest"
	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/internal/stagestate"
	"github.com/dockslim/dockslim/internal/textedit"
	"github.com/dockslim/dockslim/parser"
)

// osLoad parses a one-RUN Dockerfile and returns its file and commands.
func osLoad(t *testing.T, run string) (*parser.File, []*shellcmd.Command) {
	t.Helper()
	f := parsertest.Load(t, "FROM x\nRUN "+run+"\n")
	return f, shellcmd.All(f.Instructions[1])
}

func TestAptAssumesYes(t *testing.T) {
	for _, tc := range []struct {
		args string
		want bool
	}{
		{"apt-get install x", false},
		{"apt-get install -y x", true},
		{"apt-get -yq install x", true},
		{"apt-get -qy install x", true},
		{"apt-get -q -y install x", true},
		{"apt-get --yes install x", true},
		{"apt-get install --assume-yes x", true},
		{"apt-get -qq install x", true},
		{"apt-get -q -q install x", true},
		{"apt-get -q=2 install x", true},
		{"apt-get --quiet=2 install x", true},
		{"apt-get -q install x", false},
		{"apt-get -o APT::Get::Assume-Yes=true install x", true},
		{"apt-get -oAPT::Get::Assume-Yes=true install x", true},
		{"apt-get -o Dpkg::Options::=--force-confold install x", false},
		{"apt-get -t bookworm-backports install yy", false},
	} {
		if got := aptAssumesYes(strings.Fields(tc.args)); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestPathCovers(t *testing.T) {
	for _, tc := range []struct {
		p, q string
		want bool
	}{
		{"/var/lib/apt/lists/*", "/var/lib/apt/lists", true},
		{"/var/lib/apt", "/var/lib/apt/lists", true},
		{"/var/lib/apt/lists", "/var/lib/apt", false},
		{"/var/lib/apt/lists/", "/var/lib/apt/lists/*", true},
		{"/tmp/*.tgz", "/tmp/a.tgz", true},
		{"/tmp/*.zip", "/tmp/a.tgz", false},
		{"/var/lib/aptx", "/var/lib/apt", false},
		{"a.tgz", "a.tgz", true},
	} {
		if got := pathCovers(tc.p, tc.q); got != tc.want {
			t.Errorf("pathCovers(%q, %q) = %v, want %v", tc.p, tc.q, got, tc.want)
		}
	}
}

func TestDownloadAndExtract(t *testing.T) {
	for _, tc := range []struct {
		run, path, word string
	}{
		{"curl -fsSL -o /tmp/a.tgz https://e.com/a.tgz", "/tmp/a.tgz", "/tmp/a.tgz"},
		{"curl -fsSLo /tmp/a.tgz https://e.com/a.tgz", "/tmp/a.tgz", "/tmp/a.tgz"},
		{"curl --output '/tmp/a b.tgz' https://e.com/a.tgz", "/tmp/a b.tgz", "'/tmp/a b.tgz'"},
		{"curl -sSLO https://e.com/dl/a-1.2.tgz", "a-1.2.tgz", "a-1.2.tgz"},
		{"curl -H 'X: y' -O https://e.com/a.zip", "a.zip", "a.zip"},
		{"curl -fsSL https://e.com/a.tgz", "", ""},
		{"curl -O https://e.com/a.tgz?x=1", "", ""},
		{"curl -OJ https://e.com/a.tgz", "", ""},
		{"wget https://e.com/a.tgz", "a.tgz", "a.tgz"},
		{"wget -qO /tmp/a.tgz https://e.com/x", "/tmp/a.tgz", "/tmp/a.tgz"},
		{"wget --output-document=/tmp/a.tgz https://e.com/x", "/tmp/a.tgz", "/tmp/a.tgz"},
		{"wget -qO- https://e.com/x", "", ""},
		{"wget -P /tmp https://e.com/a.tgz", "/tmp/a.tgz", "/tmp/a.tgz"},
		{"wget -qP /tmp https://e.com/a.tgz", "/tmp/a.tgz", "/tmp/a.tgz"},
		{"wget --directory-prefix /opt/dl https://e.com/a.tgz", "/opt/dl/a.tgz", "/opt/dl/a.tgz"},
		{"curl --output-dir /tmp -O https://e.com/a.tgz", "/tmp/a.tgz", "/tmp/a.tgz"},
		{"curl -o /tmp/$(date).tgz https://e.com/a.tgz", "", ""},
		{"wget -o log.txt https://e.com/a.tgz", "a.tgz", "a.tgz"},
	} {
		f, cmds := osLoad(t, tc.run)
		d, ok := downloadTarget(stagestate.Scope{File: f, In: f.Instructions[1]}, cmds[0])
		if !ok {
			d = download{}
		}
		if ok != (tc.path != "") || d.path != tc.path || d.word != tc.word {
			t.Errorf("%s: got %q %q %v, want %q %q", tc.run, d.path, d.word, ok, tc.path, tc.word)
		}
	}
	for _, tc := range []struct {
		run  string
		want bool
	}{
		{"tar xzf /tmp/a.tgz", true},
		{"tar -xzf /tmp/a.tgz -C /opt", true},
		{"tar -C /opt -xzvf /tmp/a.tgz", true},
		{"tar -x -f /tmp/a.tgz", true},
		{"tar --extract --file=/tmp/a.tgz", true},
		{"tar --extract --file /tmp/a.tgz", true},
		{"tar -xf/tmp/a.tgz", true},
		{"tar -tzf /tmp/a.tgz", false},
		{"tar czf /tmp/a.tgz /etc", false},
		{"tar xzf /tmp/b.tgz", false},
		{"unzip -q /tmp/a.tgz -d /opt", true},
		{"unzip -d /opt /tmp/a.tgz", true},
		{"unzip /tmp/other.zip", false},
		{"tar xzf /tmp/*.tgz", true},
		{"tar xzf '/tmp/*.tgz'", false},
		{"tar xzf *.tgz", false},
		{"tar xzf /tmp/*.zip", false},
	} {
		f, cmds := osLoad(t, tc.run)
		sc := stagestate.Scope{File: f, In: f.Instructions[1]}
		if got := isExtract(sc, cmds[0], download{path: "/tmp/a.tgz", word: "/tmp/a.tgz"}); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.run, got, tc.want)
		}
	}
}

// TestRemoveCommands takes the apk update commands out of each RUN; want is
// "" where removeCommands declines.
func TestRemoveCommands(t *testing.T) {
	for _, tc := range []struct{ run, want string }{
		{"apk update && apk add x", "apk add x"},
		{"apk add x && apk update", "apk add x"},
		{"a && apk update && b", "a && b"},
		{"apk update; apk add x", "apk add x"},
		{"apk add x; apk update", "apk add x;"},
		{"apk update \\\n    && apk add x \\\n    && b", "apk add x \\\n    && b"},
		{"a \\\n    && apk update \\\n    && b", "a \\\n    && b"},
		{"apk update && apk update && b", "b"},
		{"apk update || true", ""},
		{"apk update", ""},
		{"(apk update) && b", ""},
		{"apk update \\\n# c\n    && b", ""},
	} {
		f, cmds := osLoad(t, tc.run)
		var drop []*shellcmd.Command
		for _, c := range cmds {
			if c.Has("update") {
				drop = append(drop, c)
			}
		}
		edits, ok := removeCommands(f, drop)
		got := ""
		if ok {
			out, err := textedit.Apply(f.Src, edits)
			if err != nil {
				t.Fatalf("%q: %v", tc.run, err)
			}
			got = strings.TrimSuffix(strings.TrimPrefix(string(out), "FROM x\nRUN "), "\n")
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.run, got, tc.want)
		}
	}
}

// TestDownloadVariables: names written with variables are expanded when
// the scope knows them, else kept as written when every variable is
// declared.
func TestDownloadVariables(t *testing.T) {
	const head = "FROM x\nARG V=1.2\nARG UNSET\nENV HELM=helm.tgz\nRUN "
	for _, tc := range []struct {
		run, path, word string
		vars            []string
	}{
		{"curl -o /tmp/$HELM https://e.com/x", "/tmp/helm.tgz", "/tmp/$HELM", []string{"HELM"}},
		{`curl -o "a-${V}.tgz" https://e.com/x`, "a-1.2.tgz", `"a-${V}.tgz"`, []string{"V"}},
		{"curl -fsSLO https://e.com/a-${V}.tgz", "a-1.2.tgz", "a-${V}.tgz", []string{"V"}},
		{"curl -fsSLO https://e.com/$V/a.tgz", "a.tgz", "a.tgz", nil},
		{"wget -P /tmp https://e.com/a-$V.tgz", "/tmp/a-1.2.tgz", "/tmp/a-$V.tgz", []string{"V"}},
		{"curl -o /tmp/$UNSET.tgz https://e.com/x", "", "/tmp/$UNSET.tgz", []string{"UNSET"}},
		{"curl -O https://e.com/$UNSET.tgz", "", "$UNSET.tgz", []string{"UNSET"}},
		{`curl -O "https://e.com/${UNSET}.tgz"`, "", "${UNSET}.tgz", []string{"UNSET"}},
		{"curl -o /tmp/$NOWHERE.tgz https://e.com/x", "", "", nil},
		{"curl -O https://e.com/$UNSET/a.tgz", "", "", nil},
		{"curl -o /tmp/${V:-x}.tgz https://e.com/x", "", "", nil},
	} {
		f := parsertest.Load(t, head+tc.run+"\n")
		in := f.Instructions[len(f.Instructions)-1]
		d, ok := downloadTarget(stagestate.Scope{File: f, In: in}, shellcmd.All(in)[0])
		if !ok {
			d = download{}
		}
		if ok != (tc.word != "") || d.path != tc.path || d.word != tc.word || strings.Join(d.vars, ",") != strings.Join(tc.vars, ",") {
			t.Errorf("%s: got %q %q %v %v, want %q %q %v", tc.run, d.path, d.word, d.vars, ok, tc.path, tc.word, tc.vars)
		}
	}
}
