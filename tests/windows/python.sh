#!/usr/bin/env bash
# Runs the Windows Python of a prefix built by prefix.sh under Wine: python.sh PREFIX [python arguments].
# WINDOWS_PYTHON=pythonw.exe runs the windowed interpreter instead of python.exe.
# stdin is /dev/null and output goes through a pipe: Python under Wine aborts when its stdout is a
# regular file. The checkout is put on sys.path with a .pth file (the embeddable Python ignores
# PYTHONPATH; its ._pth file decides sys.path).
set -euo pipefail
PREFIX="${1:?usage: python.sh PREFIX [arguments]}"
shift
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
printf 'Z:%s\n' "${REPO//\//\\}" >"$PREFIX/python/Lib/site-packages/bgremove-checkout.pth"
export WINEPREFIX="$PREFIX/wine" WINEDEBUG=-all WINEDLLOVERRIDES=bcryptprimitives=n,b
/usr/lib/wine/wine64 "$PREFIX/python/${WINDOWS_PYTHON:-python.exe}" "$@" </dev/null 2>&1 | cat
exit "${PIPESTATUS[0]}"
