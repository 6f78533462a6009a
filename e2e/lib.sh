# shellcheck shell=bash
# Common settings for the e2e scripts (sourced, not executed).
#
# Everything runs rootful buildah with chroot isolation (the default "oci"
# isolation fails here: crun cannot set up cgroups).
#
# Storage: buildah 1.28 (Debian bookworm) IGNORES the STORAGE_DRIVER
# environment variable, so the driver is passed as a flag on every call
# through the buildah() wrapper below. overlay (the default) works on this
# machine's ext4 root as root; set DOCKSLIM_E2E_STORAGE_DRIVER=vfs where it
# does not (e.g. /var/lib/containers itself on overlayfs). Images built with
# one driver are invisible to the other. DOCKSLIM_E2E_STORAGE_ROOT selects a
# separate image store (default: buildah's /var/lib/containers/storage).
: "${DOCKSLIM_E2E_STORAGE_DRIVER:=overlay}"
: "${BUILDAH_ISOLATION:=chroot}"
# Docker (v2s2) image format, like `docker build`: keeps HEALTHCHECK, SHELL,
# ONBUILD, which the OCI format drops with a warning.
: "${BUILDAH_FORMAT:=docker}"
export BUILDAH_ISOLATION BUILDAH_FORMAT
E2E_BUILDAH_FLAGS=(--storage-driver "$DOCKSLIM_E2E_STORAGE_DRIVER")
if [[ -n ${DOCKSLIM_E2E_STORAGE_ROOT:-} ]]; then
	E2E_BUILDAH_FLAGS+=(--root "$DOCKSLIM_E2E_STORAGE_ROOT" --runroot "$DOCKSLIM_E2E_STORAGE_ROOT/run")
fi
buildah() { command buildah "${E2E_BUILDAH_FLAGS[@]}" "$@"; }

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

# Install the host tools when missing (root, Debian).
e2e_ensure_tools() {
	local missing=() t
	for t in buildah debootstrap curl jq; do
		type -P "$t" >/dev/null || missing+=("$t")  # -P: buildah is also a function here
	done
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || e2e_die "need root to install: ${missing[*]}"
	e2e_log "installing ${missing[*]}"
	apt-get update -qq >/dev/null 2>&1 || e2e_skip "apt-get update failed (Debian archive unreachable?); cannot install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
