#!/usr/bin/env bash
# Build the local stand-ins for the official base images that the sample apps
# (fixtures/apps) and dockslim's rewrites use, so real builds work without
# Docker Hub. See e2e/README.md.
#
# usage: e2e/bases.sh [--force] [--force-rootfs] [--list] [NAME...]
#   NAME            e2e/bases/<NAME> directory names (default: all); parents
#                   that are missing are built first
#   --force         rebuild the named images (all by default) even if present
#   --force-rootfs  also redo the debootstrap tarball
#   --list          print NAME and image reference of every stand-in, then exit
#   -j, --jobs N    build up to N images at once (default 2, or $DOCKSLIM_E2E_JOBS)
#
# Exit codes: 0 ok, 1 error, 3 SKIPPED (Debian archive unreachable).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/lib.sh
. "$here/lib.sh"

# dir | image reference | parent dir ("rootfs" = imported from the tarball) | extra tags
STANDINS=(
	"debian-bookworm|docker.io/library/debian:bookworm|rootfs|docker.io/library/debian:12"
	"debian-bookworm-slim|docker.io/library/debian:bookworm-slim|rootfs|docker.io/library/debian:12-slim"
	"buildpack-deps-bookworm-curl|docker.io/library/buildpack-deps:bookworm-curl|debian-bookworm|"
	"buildpack-deps-bookworm-scm|docker.io/library/buildpack-deps:bookworm-scm|buildpack-deps-bookworm-curl|"
	"buildpack-deps-bookworm|docker.io/library/buildpack-deps:bookworm|buildpack-deps-bookworm-scm|"
	"python-3.11|docker.io/library/python:3.11|buildpack-deps-bookworm|docker.io/library/python:3.11-bookworm"
	"python-3.11-slim|docker.io/library/python:3.11-slim|debian-bookworm-slim|docker.io/library/python:3.11-slim-bookworm"
	"node-18|docker.io/library/node:18|buildpack-deps-bookworm|docker.io/library/node:18-bookworm"
	"node-18-slim|docker.io/library/node:18-slim|debian-bookworm-slim|docker.io/library/node:18-bookworm-slim"
	"golang-1.19|docker.io/library/golang:1.19|buildpack-deps-bookworm-scm|docker.io/library/golang:1.19-bookworm"
	"rust-1|docker.io/library/rust:1|buildpack-deps-bookworm|docker.io/library/rust:1-bookworm"
	"rust-1-slim|docker.io/library/rust:1-slim|debian-bookworm-slim|docker.io/library/rust:1-slim-bookworm"
	"eclipse-temurin-17-jdk|docker.io/library/eclipse-temurin:17-jdk|debian-bookworm|"
	"eclipse-temurin-17-jre|docker.io/library/eclipse-temurin:17-jre|debian-bookworm|"
	"distroless-static-debian12|gcr.io/distroless/static-debian12:latest|debian-bookworm-slim|"
	"distroless-static-debian12-nonroot|gcr.io/distroless/static-debian12:nonroot|distroless-static-debian12|"
	"debian-trixie-slim|docker.io/library/debian:trixie-slim|rootfs|docker.io/library/debian:13-slim"
)

force=0 force_rootfs=0 list=0
jobs=${DOCKSLIM_E2E_JOBS:-2}
want=()
while (($#)); do
	arg=$1
	shift
	case $arg in
	-j | --jobs) jobs=${1:?--jobs needs a number}; shift ;;
	-j[0-9]*) jobs=${arg#-j} ;;
	--force) force=1 ;;
	--force-rootfs) force_rootfs=1 force=1 ;;
	--list) list=1 ;;
	-h | --help) awk 'NR>1 && /^#/{sub(/^# ?/, ""); print; next} NR>1{exit}' "$0"; exit 0 ;;
	-*) e2e_die "unknown flag $arg" ;;
	*) want+=("$arg") ;;
	esac
done

declare -A REF=() PARENT=() ALIASES=()
ORDER=()
for row in "${STANDINS[@]}"; do
	IFS='|' read -r d ref parent aliases <<<"$row"
	REF[$d]=$ref PARENT[$d]=$parent ALIASES[$d]=$aliases
	ORDER+=("$d")
done

if ((list)); then
	for d in "${ORDER[@]}"; do printf '%s\t%s\n' "$d" "${REF[$d]}"; done
	exit 0
fi

((${#want[@]})) || want=("${ORDER[@]}")
declare -A SELECTED=()
for d in "${want[@]}"; do
	[[ -n ${REF[$d]:-} ]] || e2e_die "unknown stand-in '$d' (see --list)"
	SELECTED[$d]=1
done

[[ $(id -u) == 0 ]] || e2e_die "run as root (rootful buildah, debootstrap)"

cache=$DOCKSLIM_E2E_CACHE
logs=$cache/logs
mkdir -p "$cache" "$logs"

# Serialise concurrent runs (two terminals, CI + a developer).
exec 9>"$cache/.lock"
flock 9

# --- decide what to build -------------------------------------------------
declare -A TODO=()
need() { # need DIR: DIR must exist afterwards
	local d=$1
	[[ -n ${TODO[$d]:-} ]] && return 0
	if [[ -n ${SELECTED[$d]:-} && $force == 1 ]] || ! e2e_image_exists "${REF[$d]}"; then
		TODO[$d]=1
	fi
	if [[ ${PARENT[$d]} != rootfs ]]; then
		need "${PARENT[$d]}"
		# a rebuilt parent means a rebuilt child (new base layers)
		[[ -n ${TODO[${PARENT[$d]}]:-} ]] && TODO[$d]=1
	fi
	return 0
}
for d in "${ORDER[@]}"; do [[ -n ${SELECTED[$d]:-} ]] && need "$d"; done

if ((${#TODO[@]} == 0)); then
	e2e_log "all requested stand-ins present (use --force to rebuild)"
	exit 0
fi

e2e_ensure_tools
e2e_archive_reachable || e2e_skip "Debian archive $DOCKSLIM_E2E_MIRROR is unreachable; stand-in base images not built"

# --- one debootstrap per Debian release ------------------------------------
# The release of a rootfs stand-in is in its name: debian-<suite>[-slim].
suite_of() { local s=${1#debian-}; echo "${s%-slim}"; }
tarball_of() { echo "$cache/$1-minbase.tar.gz"; }

make_tarball() { # make_tarball SUITE
	local suite=$1 tarball dir log
	tarball=$(tarball_of "$suite")
	if [[ -s $tarball && $force_rootfs == 0 ]]; then
		return 0
	fi
	log=$logs/debootstrap.log
	[[ $suite == bookworm ]] || log=$logs/debootstrap-$suite.log
	dir=$(mktemp -d "$cache/debootstrap.XXXXXX")
	e2e_log "debootstrap --variant=minbase $suite (log: $log)"
	if ! debootstrap --variant=minbase "$suite" "$dir" "$DOCKSLIM_E2E_MIRROR" >"$log" 2>&1; then
		tail -20 "$log" >&2
		rm -rf "$dir"
		e2e_die "debootstrap failed"
	fi
	tar --numeric-owner --xattrs -C "$dir" -czf "$tarball.tmp" --exclude='./dev/*' --exclude='./var/cache/apt/archives/*.deb' --exclude='./proc/*' --exclude='./sys/*' .
	mv "$tarball.tmp" "$tarball"
	rm -rf "$dir"
}

# Docker-style tweaks that the official debian images get from debuerreotype
# (minimizing config), plus this network's CA certificates.
tweak_rootfs() { # tweak_rootfs DIR VARIANT(full|slim) SUITE
	local r=$1 variant=$2 suite=$3
	cat >"$r/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $DOCKSLIM_E2E_MIRROR
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${DOCKSLIM_E2E_MIRROR%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
	rm -f "$r/etc/apt/sources.list"
	cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
	echo 'Acquire::GzipIndexes "true";' >"$r/etc/apt/apt.conf.d/docker-gzip-indexes"
	echo 'Acquire::Languages "none";' >"$r/etc/apt/apt.conf.d/docker-no-languages"
	echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$r/etc/apt/apt.conf.d/docker-autoremove-suggests"
	echo 'force-unsafe-io' >"$r/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
	printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
	chmod 755 "$r/usr/sbin/policy-rc.d"
	rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
		"$r"/var/log/apt/* "$r"/var/log/dpkg.log "$r"/var/log/bootstrap.log "$r"/var/log/alternatives.log
	: >"$r/etc/resolv.conf"
	echo localhost >"$r/etc/hostname"
	if [[ $variant == slim ]]; then
		cat >"$r/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
# dockslim stand-in: like debian:*-slim, no documentation, man pages or translations
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
DPKG
		find "$r/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
		find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
		rm -rf "$r"/usr/share/groff/* "$r"/usr/share/info/* "$r"/usr/share/linda/* \
			"$r"/usr/share/lintian/overrides/* "$r"/usr/share/locale/* "$r"/usr/share/man/*
	fi
	# This network re-signs HTTPS: ship its CAs where update-ca-certificates
	# (run by the ca-certificates package when a child image installs it) finds them.
	local crt
	for crt in "$DOCKSLIM_E2E_EXTRA_CA_DIR"/*.crt; do
		[[ -e $crt ]] || continue
		mkdir -p "$r/usr/local/share/ca-certificates"
		cp "$crt" "$r/usr/local/share/ca-certificates/"
	done
}

import_rootfs() { # import_rootfs DIR
	local d=$1 ref=${REF[$1]} variant=full ctr mnt suite
	[[ $d == *-slim ]] && variant=slim
	suite=$(suite_of "$d")
	make_tarball "$suite"
	ctr=$(buildah from --pull=never scratch)
	mnt=$(buildah mount "$ctr")
	tar --numeric-owner --xattrs -xpzf "$(tarball_of "$suite")" -C "$mnt"
	tweak_rootfs "$mnt" "$variant" "$suite"
	buildah umount "$ctr" >/dev/null
	buildah config \
		--created-by "dockslim e2e/bases.sh: debootstrap --variant=minbase $suite ($variant)" \
		--label org.dockslim.standin=1 --label "org.dockslim.standin.ref=$ref" \
		--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--cmd bash --os linux --arch amd64 "$ctr"
	buildah commit --quiet --rm --format docker "$ctr" "$ref" >/dev/null
}

build_dockerfile() { # build_dockerfile DIR
	local d=$1 ref=${REF[$1]}
	buildah bud --layers --pull=never --format docker --isolation chroot \
		--label org.dockslim.standin=1 --label "org.dockslim.standin.ref=$ref" \
		-t "$ref" -f "$here/bases/$d/Dockerfile" "$here/bases/$d"
}

# Build what is to be built, up to $jobs at a time, each after its parent.
# Each build runs as a background job (so that `set -e` applies inside it).
total_start=$SECONDS
# Debootstrap before the parallel builds, once per release.
for d in "${ORDER[@]}"; do
	[[ -n ${TODO[$d]:-} && ${PARENT[$d]} == rootfs ]] && make_tarball "$(suite_of "$d")"
done
declare -A STATE=() STARTED=() NAME_OF=()
for d in "${ORDER[@]}"; do [[ -n ${TODO[$d]:-} ]] && STATE[$d]=pending; done
running=0 failed=()
while :; do
	for d in "${ORDER[@]}"; do
		[[ ${STATE[$d]:-} == pending ]] || continue
		p=${PARENT[$d]}
		# a parent that is not being built already exists
		if [[ $p != rootfs ]]; then
			case ${STATE[$p]:-built} in
			failed) STATE[$d]=failed failed+=("$d (parent failed)"); continue ;;
			built) ;;
			*) continue ;;
			esac
		fi
		((running < jobs)) || break
		e2e_log "building ${REF[$d]} (log: $logs/$d.log)"
		(
			if [[ $p == rootfs ]]; then import_rootfs "$d"; else build_dockerfile "$d"; fi
			if [[ -n ${ALIASES[$d]} ]]; then
				IFS=',' read -ra al <<<"${ALIASES[$d]}"
				buildah tag "${REF[$d]}" "${al[@]}"
			fi
		) >"$logs/$d.log" 2>&1 &
		NAME_OF[$!]=$d STARTED[$d]=$SECONDS STATE[$d]=running
		running=$((running + 1))
	done
	((running == 0)) && break
	rc=0
	wait -n -p pid || rc=$?
	d=${NAME_OF[$pid]}
	running=$((running - 1))
	if ((rc == 0)); then
		STATE[$d]=built
		e2e_log "built ${REF[$d]} in $((SECONDS - STARTED[$d]))s"
	else
		STATE[$d]=failed failed+=("$d")
		tail -30 "$logs/$d.log" >&2
		e2e_log "FAILED ${REF[$d]} (exit $rc, log: $logs/$d.log)"
	fi
done
((${#failed[@]} == 0)) || e2e_die "stand-ins not built: ${failed[*]}"
e2e_log "done in $((SECONDS - total_start))s"
for d in "${ORDER[@]}"; do
	size=$(buildah images --format '{{.Size}}' "${REF[$d]}" 2>/dev/null | sed -n 1p) || size=missing
	printf '  %-45s %s\n' "${REF[$d]}" "$size" >&2
done
graph=$(buildah info --format '{{.store.GraphRoot}}' 2>/dev/null) &&
	e2e_log "image store $graph ($DOCKSLIM_E2E_STORAGE_DRIVER): $(du -sh "$graph" 2>/dev/null | cut -f1) on disk; cache $cache: $(du -sh "$cache" | cut -f1)"
