#!/usr/bin/env bash
# Build one sample app with buildah, run its smoke command in the image and
# report size, layers, build time and (optionally) how much of a rebuild after
# a one-file edit came from the layer cache. See e2e/README.md.
#
# usage: e2e/build.sh [options] APPDIR [DOCKERFILE] TAG
#   APPDIR      build context (fixtures/apps/<name>); holds `smoke` and
#               optionally `smoke.expected`
#   DOCKERFILE  default APPDIR/Dockerfile (may live outside APPDIR, e.g. a
#               rewritten one)
#   TAG         image name to build, e.g. localhost/e2e/node-app:orig
# options:
#   --out DIR        where logs and reports go (default e2e/out/<TAG as file name>)
#   --no-cache       rebuild every step (layers are still stored for later builds)
#   --no-smoke       do not run the smoke command
#   --touch FILE     then append a newline to APPDIR/FILE in a scratch copy of
#                    the context and rebuild; report cached vs re-run steps
#   --rm             remove the built image at the end (default: keep it; the
#                    --touch rebuild's image is always removed)
#
# stdout: key=value lines (also written to OUT/summary.env), e.g.
#   image_id=... build_seconds=12.3 size_bytes=... layers=5 steps=6 steps_cached=0
#   steps_run=6 smoke=pass touch_file=app.py rebuild_seconds=... rebuild_steps_cached=3
# Exit codes: 0 ok, 1 build or smoke failure, 2 usage, 3 SKIPPED (missing
# stand-in base images / tools and they cannot be made here).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/lib.sh
. "$here/lib.sh"

usage() { awk 'NR>1 && /^#/{sub(/^# ?/, ""); print; next} NR>1{exit}' "$0" >&2; exit 2; }

out='' no_cache=0 smoke=1 touch_file='' rm_image=0
args=()
while (($#)); do
	case $1 in
	--out) out=${2:?}; shift ;;
	--no-cache) no_cache=1 ;;
	--no-smoke) smoke=0 ;;
	--touch) touch_file=${2:?}; shift ;;
	--rm) rm_image=1 ;;
	-h | --help) usage ;;
	-*) echo "unknown option $1" >&2; usage ;;
	*) args+=("$1") ;;
	esac
	shift
done
case ${#args[@]} in
2) appdir=${args[0]} dockerfile=${args[0]}/Dockerfile tag=${args[1]} ;;
3) appdir=${args[0]} dockerfile=${args[1]} tag=${args[2]} ;;
*) usage ;;
esac
[[ -d $appdir ]] || e2e_die "no such app directory: $appdir"
[[ -f $dockerfile ]] || e2e_die "no such Dockerfile: $dockerfile"
appdir=$(cd "$appdir" && pwd)
dockerfile=$(cd "$(dirname "$dockerfile")" && pwd)/$(basename "$dockerfile")
if ! type -P buildah >/dev/null || ! type -P jq >/dev/null; then
	e2e_skip "buildah and jq are needed (apt-get install -y buildah jq, then e2e/bases.sh)"
fi
[[ -z $out ]] && out=${DOCKSLIM_E2E_OUT:-$here/out}/$(printf '%s' "$tag" | tr -c 'A-Za-z0-9._-' '_')
mkdir -p "$out"

summary=$out/summary.env
: >"$summary"
report() { printf '%s=%s\n' "$1" "$2" | tee -a "$summary"; }

# FROM images that are not present locally: the stand-ins are missing.
check_bases() {
	local ref missing=()
	# stage names (FROM x AS name) are not images to look up
	while read -r ref; do
		# scratch is no image; ${ARG} references are resolved by buildah, not here
		[[ -z $ref || $ref == scratch || $ref == *'$'* ]] && continue
		e2e_image_exists "$ref" || missing+=("$ref")
	done < <(awk 'toupper($1)=="FROM"{for(i=2;i<=NF;i++) if($i !~ /^--/){print $i; break}}' "$dockerfile" |
		grep -vxF -f <(awk 'toupper($1)=="FROM" && toupper($(NF-1))=="AS"{print $NF}' "$dockerfile") || true)
	((${#missing[@]} == 0)) && return 0
	e2e_skip "base image(s) not present locally: ${missing[*]} (build the stand-ins: e2e/bases.sh)"
}

# build CONTEXT LOG [TAG]: buildah bud with the layer cache; sets last_id, last_secs.
build() {
	local ctx=$1 log=$2 t0 t1 flags=()
	[[ -n ${3:-} ]] && flags+=(-t "$3")
	((no_cache)) && flags+=(--no-cache)
	t0=$(date +%s.%N)
	if ! buildah bud --layers --pull=never --isolation chroot --format docker \
		${flags[@]+"${flags[@]}"} --iidfile "$out/iid" -f "$dockerfile" "$ctx" >"$log" 2>&1; then
		tail -40 "$log" >&2
		e2e_die "build failed (full log: $log)"
	fi
	t1=$(date +%s.%N)
	last_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
	last_id=$(cat "$out/iid")
}

# count_steps LOG PREFIX: instructions that ran vs came from the layer cache.
# Each instruction prints "STEP i/n: ..." ("[s/N] STEP ..." in multi-stage
# builds); a cache hit is followed by "--> Using cache <id>". FROM steps are
# neither run nor cached and are not counted.
count_steps() {
	local log=$1 p=$2 steps cached
	steps=$(grep -cE '^(\[[0-9]+/[0-9]+\] )?STEP [0-9]+/[0-9]+: ' "$log" || true)
	local froms
	froms=$(grep -cE '^(\[[0-9]+/[0-9]+\] )?STEP [0-9]+/[0-9]+: FROM ' "$log" || true)
	cached=$(grep -cE '^--> Using cache ' "$log" || true)
	report "${p}steps" "$((steps - froms))"
	report "${p}steps_cached" "$cached"
	report "${p}steps_run" "$((steps - froms - cached))"
}

check_bases

build "$appdir" "$out/build.log" "$tag"
report tag "$tag"
report image_id "$last_id"
report build_seconds "$last_secs"
count_steps "$out/build.log" ""

# Size and layers come from the image's manifest (layer sizes there are the
# uncompressed tar sizes, their sum is what `buildah images` shows) and its
# history (one entry per instruction, empty_layer for metadata-only ones).
buildah inspect --type image "$last_id" >"$out/inspect.json"
jq -r '.Manifest | fromjson | [.layers[].size] | add' "$out/inspect.json" | { read -r s; report size_bytes "$s"; }
jq -r '.Manifest | fromjson | .layers | length' "$out/inspect.json" | { read -r n; report layers "$n"; }
# history.tsv: layer size in bytes ("-" for an empty layer) <TAB> created_by
jq -r '(.Manifest | fromjson | [.layers[].size]) as $sizes
	| reduce .Docker.history[] as $h ({i: 0, rows: []};
		if ($h.empty_layer // false) then .rows += [["-", $h.created_by]]
		else .rows += [[($sizes[.i] | tostring), $h.created_by]] | .i += 1 end)
	| .rows[] | @tsv' "$out/inspect.json" >"$out/history.tsv"

if ((smoke)); then
	[[ -f $appdir/smoke ]] || e2e_die "$appdir/smoke is missing"
	# One line of whitespace-separated words; quotes as in the shell, no
	# expansions. Run directly as argv (the image need not have a shell).
	mapfile -d '' argv < <(grep -v '^[[:space:]]*#' "$appdir/smoke" | head -1 | xargs printf '%s\0')
	ctr=$(buildah from --pull=never --quiet "$last_id")
	rc=0
	buildah run --isolation chroot "$ctr" -- "${argv[@]}" >"$out/smoke.out" 2>"$out/smoke.err" || rc=$?
	buildah rm "$ctr" >/dev/null
	result=pass
	if ((rc != 0)); then
		result=fail
		echo "smoke command exited $rc: ${argv[*]}" >&2
		cat "$out/smoke.err" >&2
	elif [[ -f $appdir/smoke.expected ]] && ! diff -u "$appdir/smoke.expected" "$out/smoke.out" >"$out/smoke.diff"; then
		result=fail
		echo "smoke output differs from smoke.expected:" >&2
		cat "$out/smoke.diff" >&2
	fi
	report smoke "$result"
	[[ $result == pass ]] || exit 1
fi

if [[ -n $touch_file ]]; then
	[[ -f $appdir/$touch_file ]] || e2e_die "--touch: no such file $appdir/$touch_file"
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
	cp -a "$appdir/." "$scratch/"
	# Content, not mtime, decides buildah's COPY cache: change one byte.
	printf '\n' >>"$scratch/$touch_file"
	build "$scratch" "$out/rebuild.log" # untagged, removed below
	report touch_file "$touch_file"
	report rebuild_seconds "$last_secs"
	count_steps "$out/rebuild.log" rebuild_
	buildah rmi "$last_id" >/dev/null 2>&1 || true
fi
if ((rm_image)); then buildah rmi "$tag" >/dev/null 2>&1 || true; fi
exit 0
