#!/usr/bin/env bash
# Build every sample app's ORIGINAL Dockerfile with e2e/build.sh and print a
# table: app, build seconds, size, layers, smoke result.
#
# usage: e2e/apps.sh [--no-cache] [APP...]     (default: every fixtures/apps/*)
#   images are tagged localhost/e2e/<app>:orig; reports in e2e/out/<tag>/,
#   the table also in e2e/out/apps.tsv (DOCKSLIM_E2E_OUT overrides e2e/out)
# Exit codes: 0 all passed, 1 some failed, 3 SKIPPED (no stand-ins / buildah).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
flags=()
apps=()
for a in "$@"; do
	case $a in
	--no-cache) flags+=(--no-cache) ;;
	-*) echo "unknown option $a" >&2; exit 2 ;;
	*) apps+=("$a") ;;
	esac
done
if ((${#apps[@]} == 0)); then
	for d in "$root"/fixtures/apps/*/; do apps+=("$(basename "$d")"); done
fi

: "${DOCKSLIM_E2E_OUT:=$here/out}"
mkdir -p "$DOCKSLIM_E2E_OUT"
table=$DOCKSLIM_E2E_OUT/apps.tsv
printf 'app\tbuild_seconds\tsize_bytes\tsize_mb\tlayers\tsmoke\n' >"$table"
failed=0
for app in "${apps[@]}"; do
	tag=localhost/e2e/$app:orig
	out=$DOCKSLIM_E2E_OUT/$(printf '%s' "$tag" | tr -c 'A-Za-z0-9._-' '_')
	rc=0
	"$here/build.sh" ${flags[@]+"${flags[@]}"} --out "$out" "$root/fixtures/apps/$app" "$tag" >/dev/null || rc=$?
	((rc == 3)) && exit 3
	if ((rc != 0)); then
		failed=1
		printf '%s\t-\t-\t-\t-\tFAIL(build.sh exit %d)\n' "$app" "$rc" >>"$table"
		continue
	fi
	get() { sed -n "s/^$1=//p" "$out/summary.env"; }
	size=$(get size_bytes)
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$app" "$(get build_seconds)" "$size" \
		"$(awk -v b="$size" 'BEGIN{printf "%.1f", b/1e6}')" "$(get layers)" "$(get smoke)" >>"$table"
done
column -t -s $'\t' "$table"
exit "$failed"
