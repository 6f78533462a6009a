#!/usr/bin/env bash
# Build an app's original Dockerfile and a rewritten one, smoke-test both and
# compare size, layers, build time and cache reuse after a one-file edit.
#
# usage: e2e/compare.sh APPDIR NEW_DOCKERFILE [TOUCH_FILE]
#   TOUCH_FILE  a source file (relative to APPDIR) to edit for the rebuild
#               comparison; default: the first of main.go index.js src/main.rs
#               greeter/cli.py ... that exists, else none
# Reports in e2e/out/compare-<app>/{orig,new}/; table on stdout.
# Exit codes: 0 both built and passed their smoke test, 1 otherwise, 3 SKIPPED.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# >= 2)) || { awk 'NR>1 && /^#/{sub(/^# ?/, ""); print; next} NR>1{exit}' "$0" >&2; exit 2; }
appdir=$1 new=$2 touch_file=${3:-}
app=$(basename "$(cd "$appdir" && pwd)")
if [[ -z $touch_file ]]; then
	for f in main.go index.js src/main.rs src/server.js src/checksum.c greeter/cli.py fastsum/__init__.py tools.sh \
		src/main/java/com/example/inventory/Main.java; do
		[[ -f $appdir/$f ]] && { touch_file=$f; break; }
	done
fi
base=${DOCKSLIM_E2E_OUT:-$here/out}/compare-$app
touch_args=()
[[ -n $touch_file ]] && touch_args=(--touch "$touch_file")

rc=0
for v in orig new; do
	df=$appdir/Dockerfile
	[[ $v == new ]] && df=$new
	r=0
	"$here/build.sh" --out "$base/$v" ${touch_args[@]+"${touch_args[@]}"} "$appdir" "$df" "localhost/e2e/$app:$v" >/dev/null || r=$?
	((r == 3)) && exit 3
	((r == 0)) || rc=1
done

get() { [[ -f $base/$1/summary.env ]] && sed -n "s/^$2=//p" "$base/$1/summary.env"; }
printf '%-22s %15s %15s\n' "$app" orig new
for k in size_bytes layers build_seconds smoke rebuild_steps rebuild_steps_cached rebuild_seconds; do
	printf '%-22s %15s %15s\n' "$k" "$(get orig "$k" || echo -)" "$(get new "$k" || echo -)"
done
o=$(get orig size_bytes || true) n=$(get new size_bytes || true)
if [[ -n $o && -n $n ]]; then
	awk -v o="$o" -v n="$n" 'BEGIN{printf "%-22s %15.1f MB (%.0f%%)\n", "size_saved", (o-n)/1e6, o ? 100*(o-n)/o : 0}'
fi
exit "$rc"
