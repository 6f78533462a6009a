#!/usr/bin/env bash
# make e2e: create the stand-in base images (once per machine), then build
# every sample app before and after `dockslim fix` and compare.
#
# Exit codes: 0 all apps pass, 1 an app fails, 3 SKIPPED (the machine cannot
# do real builds: no Debian archive, no buildah), anything else an error.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=e2e/lib.sh
source e2e/lib.sh

start=$(date +%s)
rc=0
bash e2e/bases.sh || rc=$?
if [[ $rc == "$E2E_EXIT_SKIPPED" ]]; then
	exit "$E2E_EXIT_SKIPPED" # bases.sh printed the loud SKIPPED banner
elif [[ $rc != 0 ]]; then
	# bases.sh works on a healthy machine; a failure here is the network or
	# the Debian archive misbehaving mid-way, not dockslim.
	e2e_skip "e2e/bases.sh failed with exit code $rc while building the stand-in bases (see above)"
fi
e2e_log "stand-in bases ready after $(($(date +%s) - start))s"

# The measure package drives buildah; give it the same store and isolation
# as the scripts (buildah 1.28 reads the driver only from a flag, which
# measure passes from STORAGE_DRIVER).
export STORAGE_DRIVER="$DOCKSLIM_E2E_STORAGE_DRIVER" DOCKSLIM_PULL=never
out=${DOCKSLIM_E2E_REPORT:-e2e/out/report}
# Built, not `go run`: go run turns every failing exit code into 1, and 3
# (SKIPPED) must reach the caller.
suite=$(mktemp -d)/e2e-suite
go build -o "$suite" ./e2e/suite
rc=0
"$suite" -apps fixtures/apps -out "$out" "$@" || rc=$?
# Then `dockslim fix --verify` on every app (verify.md): most of its builds
# are in the cache by now.
dockslim=$(dirname "$suite")/dockslim
go build -o "$dockslim" ./cmd/dockslim
vrc=0
"$suite" -apps fixtures/apps -out "$out" -verify "$dockslim" "$@" || vrc=$?
if [[ $rc == 0 || $vrc == 1 ]]; then
	rc=$vrc
fi
rm -rf "$(dirname "$suite")"
e2e_log "e2e finished in $(($(date +%s) - start))s (exit $rc); report in $out/"
exit "$rc"
