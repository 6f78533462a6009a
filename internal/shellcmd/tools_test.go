package shellcmd

import (
	"strings"
	"testing"
)

func parseLine(t *testing.T, line string) *Invocation {
	t.Helper()
	argv := strings.Fields(line)
	lit := make([]bool, len(argv))
	for i, a := range argv {
		lit[i] = a != "$X"
	}
	tool := ToolOf(argv[0])
	if tool == nil {
		t.Fatalf("no tool for %q", argv[0])
	}
	return tool.Parse(argv, lit)
}

func TestToolParse(t *testing.T) {
	cases := []struct {
		line, verb, operands, opts string
	}{
		{"apt-get -o Dpkg::Options::=--force-confold install -y curl", "install", "curl", "-o=Dpkg::Options::=--force-confold -y"},
		{"apt-get install -qy -t bookworm-backports curl=1.2 jq", "install", "curl=1.2 jq", "-q -y -t=bookworm-backports"},
		{"apt-get -oAPT::Install-Recommends=0 install vim", "install", "vim", "-o=APT::Install-Recommends=0"},
		{"apt-get --option=Acquire::Retries=3 remove bar", "remove", "bar", "--option=Acquire::Retries=3"},
		{"aptitude install -y x", "install", "x", "-y"},
		{"dnf in -y --setopt install_weak_deps=False gcc", "install", "gcc", "-y --setopt=install_weak_deps=False"},
		{"yum -c /etc/yum.conf --enablerepo epel groupinstall Tools", "group install", "Tools", "-c=/etc/yum.conf --enablerepo=epel"},
		{"dnf group install -y Tools", "group install", "Tools", "-y"},
		{"microdnf --nodocs install -y python3", "install", "python3", "--nodocs -y"},
		{"zypper --non-interactive in -y --no-recommends curl", "install", "curl", "--non-interactive -y --no-recommends"},
		{"apk add --no-cache -t .build-deps gcc musl-dev", "add", "gcc musl-dev", "--no-cache -t=.build-deps"},
		{"pip3 install -r requirements.txt --no-cache-dir .", "install", ".", "-r=requirements.txt --no-cache-dir"},
		{"pip3.11 install -e .", "install", "", "-e=."},
		{"npm ci --omit dev", "ci", "", "--omit=dev"},
		{"npm i -g typescript", "install", "typescript", "-g"},
		{"npm --prefix /app isntall", "install", "", "--prefix=/app"},
		{"pnpm -C web i --frozen-lockfile", "install", "", "-C=web --frozen-lockfile"},
		{"gem i bundler -v 2.4.0", "install", "bundler", "-v=2.4.0"},
		{"composer -d /app i --no-dev", "install", "", "-d=/app --no-dev"},
		{"apt-get $X curl", "", "curl", ""},
		{"apt-get install -- -weird", "install", "-weird", ""},
	}
	for _, c := range cases {
		inv := parseLine(t, c.line)
		var ops, opts []string
		for _, i := range inv.Operands {
			ops = append(ops, inv.Argv[i])
		}
		for _, o := range inv.Options {
			s := o.Name
			if o.HasValue {
				s += "=" + o.Value
			}
			opts = append(opts, s)
		}
		if inv.Verb != c.verb || strings.Join(ops, " ") != c.operands || strings.Join(opts, " ") != c.opts {
			t.Errorf("%s:\n got verb %q operands %q opts %q\nwant verb %q operands %q opts %q",
				c.line, inv.Verb, strings.Join(ops, " "), strings.Join(opts, " "), c.verb, c.operands, c.opts)
		}
	}
}

func TestInvocationLookups(t *testing.T) {
	inv := parseLine(t, "apt-get install -y -o A=1 -o B=2 curl")
	if !inv.Has("-y") || inv.Has("--yes") {
		t.Error("Has")
	}
	if v, ok := inv.Value("-o"); !ok || v != "B=2" {
		t.Errorf("Value(-o) = %q", v)
	}
	if got := strings.Join(inv.OperandValues(), ","); got != "curl" {
		t.Errorf("OperandValues = %q", got)
	}
	if ToolOf("/usr/bin/yum") != Dnf || ToolOf("pip3.12") != Pip || ToolOf("pipx") != nil || ToolOf("ls") != nil {
		t.Error("ToolOf")
	}
}
