# shellcheck shell=bash
# Common settings for the e2e scripts (sourced, not executed).
#
# Everything runs rootful buildah with the vfs storage driver and chroot
# isolation: that is what works on the project's machines (no Docker daemon,
# no overlay-on-overlay, no user namespaces needed).

: "${STORAGE_DRIVER:=vfs}"
: "${BUILDAH_ISOLATION:=chroot}"
# Docker (v2s2) image format, like `docker build`: keeps HEALTHCHECK, SHELL,
# ONBUILD and the per-step history that the OCI format drops or warns about.
: "${BUILDAH_FORMAT:=docker}"
export STORAGE_DRIVER BUILDAH_ISOLATION BUILDAH_FORMAT

# Where the debootstrap tarball, build contexts and logs are cached.
: "${DOCKSLIM_E2E_CACHE:=/var/cache/dockslim-e2e}"
# Debian mirror used by debootstrap and written into the stand-ins' sources.
: "${DOCKSLIM_E2E_MIRROR:=http://deb.debian.org/debian}"
# Extra CA certificates of this network (it re-signs HTTPS), copied into the
# stand-in rootfs so that npm and go can fetch from inside a build.
: "${DOCKSLIM_E2E_EXTRA_CA_DIR:=/usr/local/share/ca-certificates}"

E2E_EXIT_SKIPPED=3

e2e_log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
e2e_die() { printf '[e2e] ERROR: %s\n' "$*" >&2; exit 1; }

# e2e_skip MESSAGE: the environment cannot run real builds; say so loudly.
e2e_skip() {
	printf '\n==================================================================\n' >&2
	printf 'SKIPPED: %s\n' "$*" >&2
	printf '==================================================================\n\n' >&2
	exit "$E2E_EXIT_SKIPPED"
}

e2e_image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

e2e_archive_reachable() {
	curl -fsS --max-time 20 -o /dev/null "$DOCKSLIM_E2E_MIRROR/dists/bookworm/Release"
}

# Install buildah/debootstrap when missing (root, Debian).
e2e_ensure_tools() {
	local missing=()
	command -v buildah >/dev/null || missing+=(buildah)
	command -v debootstrap >/dev/null || missing+=(debootstrap)
	command -v curl >/dev/null || missing+=(curl)
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || e2e_die "need root to install: ${missing[*]}"
	e2e_archive_reachable || e2e_skip "Debian archive ($DOCKSLIM_E2E_MIRROR) unreachable; cannot install ${missing[*]}"
	e2e_log "installing ${missing[*]}"
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
