#!/usr/bin/env bash
# Debian/Ubuntu packages the test suite drives for real: OBS Studio (the filter's host), Xvfb (a
# screen for it), ffmpeg (audio muxing, alpha video), strace (the file-access audit test), venv
# support, libgles2 (MediaPipe's native library links libGLESv2.so.2), mmdebstrap (builds the
# Debian 13 / sid roots the newer-OBS tests run in, tests/obs_matrix), Chromium with its WebDriver
# (the `bgremove studio` page tests drive it headless), and for running the Windows code under
# python.org's Windows Python (tests/windows): wine64, osslsigncode (checks python.org's signature)
# and the mingw C compiler (a ProcessPrng DLL for Wine 8), and libXtst (`make screenshots` types and
# clicks in OBS's Tools > Scripts window). Installs only what is missing.
set -euo pipefail

need=()
command -v obs >/dev/null 2>&1 || need+=(obs-studio)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v strace >/dev/null 2>&1 || need+=(strace)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
[[ "$(ldconfig -p 2>/dev/null)" == *"libGLESv2.so.2 "* ]] || need+=(libgles2)
[[ "$(ldconfig -p 2>/dev/null)" == *"libXtst.so.6 "* ]] || need+=(libxtst6)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ -x /usr/lib/wine/wine64 ] || need+=(wine64)
command -v osslsigncode >/dev/null 2>&1 || need+=(osslsigncode)
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install these with your package manager, then re-run: ${need[*]}" >&2
    exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "Installing system packages: ${need[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${need[@]}"
