#!/usr/bin/env bash
# Run a command (by default pytest ARGS) inside a cached Debian root with a newer OBS.
# Usage: run_in_root.sh SUITE [pytest arguments...]
#        run_in_root.sh SUITE -- COMMAND [arguments...]   (e.g. -- bash install/install.sh)
#
# The root comes from build_root.sh (built once). In a private mount namespace (nothing leaks to
# the host, everything is unmounted when the command ends) it gets /proc, /sys, /dev, this
# checkout and ../shared at the same absolute paths as on the host, then pytest runs inside with
# a venv of the root's own Python (the Python its OBS embeds), built once per requirements change
# under /opt/bgremove-venv in the root. Needs root, like build_root.sh. Heavy: the caller holds
# the machine's heavy-work lock if it uses one; this script takes none (a nested lock would wait
# for itself).
set -euo pipefail

suite=${1:?usage: run_in_root.sh SUITE [pytest arguments...]}
shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd "$here/../.." && pwd -P)"
shared="$(cd "$repo/.." && pwd -P)/shared"
root="$("$here/build_root.sh" "$suite")"
venv=/opt/bgremove-venv

# The venv's fingerprint: what decides its contents.
stamp="$(cat "$repo/requirements/runtime.txt" "$repo/requirements/test.txt" "$repo/requirements/demo.txt" | sha256sum | cut -d' ' -f1)"

# Network settings for pip inside the root: the host's resolver and CA bundle.
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/host-ca-certificates.crt"
fi

inner=$(
    cat <<'INNER'
set -euo pipefail
root=$1 repo=$2 shared=$3 venv=$4 stamp=$5
shift 5
for m in proc sys dev dev/pts dev/shm; do
    mkdir -p "$root/$m"
    mount --rbind "/$m" "$root/$m"
done
for dir in "$repo" "$shared"; do
    mkdir -p "$root$dir"
    mount --bind "$dir" "$root$dir"
done
run() {
    chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        SSL_CERT_FILE=/etc/ssl/certs/host-ca-certificates.crt PIP_CERT=/etc/ssl/certs/host-ca-certificates.crt \
        PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$repo" "$@"
}
if [[ "$(cat "$root$venv/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    echo "Building the test venv in the $(basename "$root") root (once per requirements change)..." >&2
    rm -rf "$root$venv"
    run python3 -m venv "$venv"
    run "$venv/bin/python" -m pip install -q --no-deps -r "$repo/requirements/runtime.txt" >&2
    run "$venv/bin/python" -m pip install -q -r "$repo/requirements/test.txt" >&2
    printf '%s' "$stamp" >"$root$venv/.stamp"
fi
if [[ "${1:-}" == -- ]]; then
    shift
else
    set -- "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
fi
run /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$repo" "$@"
INNER
)
exec unshare --mount --propagation private bash -c "$inner" inner "$root" "$repo" "$shared" "$venv" "$stamp" "$@"
