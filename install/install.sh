#!/bin/sh
# Linux and macOS: runs the installer (install/install.py) with a Python 3; see install/README.md.
here="$(cd "$(dirname "$0")" && pwd -P)"
for python in python3 python3.14 python3.13 python3.12 python3.11; do
    command -v "$python" >/dev/null 2>&1 && exec "$python" "$here/install.py" "$@"
done
echo "bgremove install: No Python 3 was found; install Python 3.12 (python.org or your distribution), then re-run." >&2
exit 1
