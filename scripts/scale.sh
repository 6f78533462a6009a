#!/usr/bin/env bash
# scale.sh: whole-process wall time and peak memory of dockslim on large
# inputs (issue 16's targets), each case run RUNS times (default 3), with
# the median printed. Inputs come from cmd/synthetic (the same every time):
#
#   toolchain-10MB  one 10 MB Dockerfile shaped like the largest real ones
#                   (a few stages of long RUN scripts)   target < 2 s, < 200 MB
#   tree-3000       3,000 services of a monorepo, each a Dockerfile of one
#                   to three stages and its build context  target < 5 s, < 300 MB
#   stages-10MB     one 10 MB Dockerfile of ~14,000 small stages (no target:
#                   the worst shape; printed for reference, SCALE_ALL=1)
#
# Usage: scripts/scale.sh [RUNS]   (make scale). DOCKSLIM=path measures
# that binary instead of building this tree's (a before/after comparison).
# Needs GNU time (/usr/bin/time). The machine's load is printed first: on
# a shared machine wall time grows with it, user+sys much less.
set -euo pipefail
runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dockslim-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$root"

echo "machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
if [[ -n ${DOCKSLIM:-} ]]; then
	cp "$DOCKSLIM" "$work/dockslim"
else
	CGO_ENABLED=0 go build -tags urfave_cli_no_docs -o "$work/dockslim" ./cmd/dockslim
fi
go run ./cmd/synthetic -shape toolchain -size 10000000 -o "$work/toolchain.Dockerfile"
go run ./cmd/synthetic -tree "$work/tree" -files 3000
if [[ -n ${SCALE_ALL:-} ]]; then
	go run ./cmd/synthetic -shape stages -size 10000000 -o "$work/stages.Dockerfile"
fi

# measure NAME WALL_TARGET_S RSS_TARGET_MB ARGS...: the median of $runs runs.
measure() {
	local name=$1 wall_max=$2 rss_max=$3
	shift 3
	local walls=() rsss=() cpus=()
	for _ in $(seq "$runs"); do
		# check exits 1 when it finds something: that is not a failure here.
		/usr/bin/time -f '%e %M %U %S' -o "$work/time" "$work/dockslim" "$@" >/dev/null 2>"$work/stderr" || true
		if grep -q 'internal error\|panic' "$work/stderr"; then
			cat "$work/stderr" >&2
			exit 1
		fi
		read -r wall rss user sys < <(tail -n 1 "$work/time")
		walls+=("$wall")
		rsss+=("$rss")
		cpus+=("$(echo "$user + $sys" | bc)")
	done
	local wall rss cpu verdict=ok
	wall=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
	rss=$(printf '%s\n' "${rsss[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
	cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
	rss=$((rss / 1024))
	if [[ $wall_max != - ]] && { (($(echo "$wall > $wall_max" | bc))) || ((rss > rss_max)); }; then
		verdict="over (target < ${wall_max} s, < ${rss_max} MB)"
	fi
	printf '%-16s wall %6.2f s  user+sys %6.2f s  max RSS %5d MB  %s   (runs: %s)\n' \
		"$name" "$wall" "$cpu" "$rss" "$verdict" "${walls[*]}"
}

measure toolchain-10MB 2 200 check "$work/toolchain.Dockerfile"
measure tree-3000 5 300 check "$work/tree"
if [[ -n ${SCALE_ALL:-} ]]; then
	measure stages-10MB - - check "$work/stages.Dockerfile"
fi
