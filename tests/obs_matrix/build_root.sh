#!/usr/bin/env bash
# Build (once) a Debian root filesystem that carries a newer OBS Studio from Debian's own packages,
# so the real-OBS tests can run on the OBS a Debian 13 or sid user gets:
#   trixie -> OBS 30.2.3 with Python 3.13,   sid -> OBS 32.2.2 with Python 3.14.
# Usage: build_root.sh SUITE   (prints the root's path on stdout)
# Idempotent and cached under ${BGREMOVE_OBS_ROOTS:-~/.cache/bgremove/obs-roots}/SUITE: a root is
# rebuilt only when the package list below changes. Needs root (mmdebstrap, chroot) and apt access
# to a Debian mirror, as on a CI machine; the mirror is the host's own (or $DEBIAN_MIRROR).
set -euo pipefail

suite=${1:?usage: build_root.sh SUITE (trixie or sid)}
cache=${BGREMOVE_OBS_ROOTS:-${XDG_CACHE_HOME:-$HOME/.cache}/bgremove/obs-roots}
root="$cache/$suite"
# What the tests drive inside the root: OBS and its screen, ffmpeg for clips, Python for the test
# venv, libgles2 for MediaPipe's native library, strace for the file-access audit, git for installs.
packages=obs-studio,xvfb,python3,python3-venv,python3-dev,ffmpeg,libgl1-mesa-dri,libgles2,ca-certificates,procps,strace,git,make
stamp_text="suite=$suite packages=$packages"

if [ -f "$root/.bgremove-root" ] && [ "$(cat "$root/.bgremove-root")" = "$stamp_text" ]; then
    echo "$root"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Building an OBS root needs root (mmdebstrap and chroot); run this as root." >&2
    exit 1
fi
command -v mmdebstrap >/dev/null || { echo "Please install mmdebstrap (apt-get install -y mmdebstrap)." >&2; exit 1; }

mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$cache"
partial="$root.partial"
rm -rf "$partial"
echo "Building the $suite root for the OBS matrix in $root (a few minutes, about 800 MB)..." >&2
# sid's Release file can be past its Valid-Until date: the packages are still the ones we want.
mmdebstrap --quiet --variant=apt --include="$packages" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    "$suite" "$partial" "$mirror" >&2
printf '%s' "$stamp_text" >"$partial/.bgremove-root"
rm -rf "$root"
mv "$partial" "$root"
echo "$root"
