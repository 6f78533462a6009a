package multistage

import (
	"path"
	"slices"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/parser"
)

// The packages a C program's runtime stage installs: the runtime libraries
// of the -dev packages the build stage installed and its other packages,
// less those that only fetch sources (curl, wget, CA certificates, archive
// tools) when nothing at run time names them, plus ca-certificates when the
// program is an https client.

// runtimePkgs are the runtime stage's packages and those left out.
type runtimePkgs struct {
	install, dropped []string
}

// fetchTools are packages a build stage installs to download and unpack
// sources; the runtime stage gets them only when its command names them.
var fetchTools = []string{"ca-certificates", "curl", "wget", "gnupg", "gnupg2", "gpg", "gpg-agent", "dirmngr",
	"unzip", "zip", "xz-utils", "bzip2", "lzip", "file", "subversion", "mercurial", "lsb-release",
	"apt-transport-https", "software-properties-common", "ccache"}

// tlsDev are -dev packages of TLS libraries and of clients built on them: a
// program linking one may make https connections, which need the CA
// certificates (Debian's libssl3 does not bring them).
var tlsDev = []string{"libssl-dev", "libcurl4-openssl-dev", "libcurl4-gnutls-dev", "libcurl4-nss-dev",
	"libgnutls28-dev", "libnss3-dev", "libwolfssl-dev", "libmbedtls-dev"}

// nativeRuntimePackages sorts the build stage's packages (before limit)
// for the runtime stage rt.
func (si *stageInfo) nativeRuntimePackages(limit *parser.Instruction, rt runtimeImage) (runtimePkgs, *decline) {
	var out runtimePkgs
	pkgs, d := si.apt(limit, minbase, rt)
	if d != nil {
		return out, d
	}
	named := si.runtimeProgramNames()
	tls := false
	for _, dev := range si.aptDev(limit) {
		tls = tls || slices.Contains(tlsDev, dev)
	}
	for _, p := range pkgs {
		if slices.Contains(fetchTools, p) && !slices.Contains(named, p) {
			out.dropped = append(out.dropped, p)
			continue
		}
		out.install = append(out.install, p)
		tls = tls || images.LosesCACerts(p)
	}
	if tls && !slices.Contains(out.install, "ca-certificates") {
		out.install = append([]string{"ca-certificates"}, out.install...)
		out.dropped = slices.DeleteFunc(out.dropped, func(p string) bool { return p == "ca-certificates" })
	}
	out.install = dedupe(out.install)
	return out, nil
}

// runtimeProgramNames are the programs ENTRYPOINT, CMD and HEALTHCHECK
// run (base names).
func (si *stageInfo) runtimeProgramNames() []string {
	var out []string
	for _, kw := range []string{"entrypoint", "cmd", "healthcheck"} {
		in := si.last(kw)
		if in == nil {
			continue
		}
		argvs, _, _ := programsOf(in)
		for _, argv := range argvs {
			if len(argv) > 0 {
				out = append(out, path.Base(argv[0]))
			}
		}
	}
	return out
}
