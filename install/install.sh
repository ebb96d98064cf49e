#!/usr/bin/env bash
# bgremove installer for Linux and macOS.
#
# OBS only loads Python scripts with the one Python it was built or configured with, and only
# sees packages importable by that interpreter. So this script finds that Python, builds a venv
# of the same minor version at a fixed per-user place the OBS script knows, installs the pinned
# requirements into it, proves the result works (self-check), and then tells the user the exact
# path to add in OBS, or adds it itself with --register.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
OBS_SCRIPT="$REPO/obs_bgremove.py"
REQUIREMENTS="$REPO/requirements/runtime.txt"
OS="$(uname -s)"

usage() {
    cat <<EOF
Usage: install/install.sh [--python PATH] [--prefix DIR] [--register | --uninstall]

Builds the Python environment OBS's bgremove filter imports from, checks it, and prints the
script to add in OBS (Tools > Scripts).

  --python PATH  Use this interpreter instead of the one detected from OBS (same minor version).
  --prefix DIR   Install into DIR instead of $(default_prefix).
                 The venv is DIR/venv; OBS then needs BGREMOVE_VENV=DIR/venv in its environment.
  --register     Also add obs_bgremove.py to OBS's current scene collection (OBS must be closed).
  --uninstall    Remove the venv and the scripts entries this installer added, nothing else.
  --help         Show this help.
EOF
}

say() { printf '%s\n' "$*"; }
die() {
    printf 'bgremove install: %s\n' "$*" >&2
    exit 1
}

default_prefix() {
    if [[ "$OS" == Darwin ]]; then
        printf '%s\n' "$HOME/Library/Application Support/bgremove"
    else
        printf '%s\n' "${XDG_DATA_HOME:-$HOME/.local/share}/bgremove"
    fi
}

obs_config_dir() {
    if [[ "$OS" == Darwin ]]; then
        printf '%s\n' "$HOME/Library/Application Support/obs-studio"
    else
        printf '%s\n' "${XDG_CONFIG_HOME:-$HOME/.config}/obs-studio"
    fi
}

# Python versions every pinned package has wheels for (pyproject's requires-python agrees).
SUPPORTED_RANGE="3.11 to 3.14"
supported_python() {
    case "$1" in
        3.11 | 3.12 | 3.13 | 3.14) return 0 ;;
        *) return 1 ;;
    esac
}

# Linux: MediaPipe's native library links libGLESv2.so.2 even on the CPU; without it the filter
# cannot load. Checked before anything is downloaded.
check_linux_libraries() {
    [[ "$OS" == Linux ]] || return 0
    command -v ldconfig >/dev/null || return 0
    [[ "$(ldconfig -p)" == *"libGLESv2.so.2 "* ]] ||
        die "MediaPipe needs the OpenGL ES library libGLESv2.so.2, which is not installed; install it (Debian/Ubuntu: sudo apt-get install libgles2) and re-run."
}

# Prints "major.minor" of a Python interpreter, or nothing if it does not run.
python_version_of() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

# ---------------------------------------------------------------- which Python OBS loads

# Linux: the libpython that OBS's scripting library links, e.g. /usr/lib/.../libpython3.11.so.1.0.
linux_obs_libpython() {
    local lib libpython libs=()
    if command -v ldconfig >/dev/null; then
        while read -r lib; do libs+=("$lib"); done < <(ldconfig -p | awk '/libobs-scripting\.so/ {print $NF}')
    fi
    if command -v dpkg >/dev/null; then
        # libobs0t64 is Debian 13's and sid's name for libobs0 (the 64-bit time_t transition).
        while read -r lib; do libs+=("$lib"); done < <(dpkg -L libobs0 libobs0t64 obs-studio 2>/dev/null |
            grep -E '(libobs-scripting\.so|obs-scripting/_obspython\.so)' || true)
    fi
    for lib in /usr/lib/*/libobs-scripting.so* /usr/lib64/libobs-scripting.so* \
        /usr/lib/libobs-scripting.so* /usr/local/lib/libobs-scripting.so* \
        /usr/lib/*/obs-scripting/_obspython.so /usr/local/lib/obs-scripting/_obspython.so; do
        [[ -e "$lib" ]] && libs+=("$lib")
    done
    for lib in "${libs[@]+"${libs[@]}"}"; do
        libpython="$(ldd "$lib" 2>/dev/null | awk '/libpython3\.[0-9]+/ {print $3}')"
        if [[ -n "$libpython" ]]; then
            printf '%s\n' "${libpython%%$'\n'*}"
            return
        fi
    done
}

# Sets OBS_LIBPYTHON and OBS_PY_VERSION ("3.11"), both empty when no such OBS is installed.
find_linux_obs_python() {
    OBS_LIBPYTHON="$(linux_obs_libpython)"
    OBS_PY_VERSION=""
    if [[ "$OBS_LIBPYTHON" =~ libpython(3\.[0-9]+) ]]; then
        OBS_PY_VERSION="${BASH_REMATCH[1]}"
    fi
}

no_linux_obs() {
    if command -v flatpak >/dev/null && flatpak info com.obsproject.Studio >/dev/null 2>&1; then
        die "Flatpak OBS is not supported by this script because its sandbox cannot see a venv built outside it; install OBS from your distribution's packages (e.g. apt-get install obs-studio) or pass --python."
    fi
    die "No OBS with Python scripting was found (no libobs-scripting linking libpython); install OBS from your distribution's packages (e.g. apt-get install obs-studio) or pass --python."
}

# macOS: OBS 30.1+ loads Python up to 3.12, older OBS up to 3.11 (never 3.13).
macos_max_python() {
    local plist=/Applications/OBS.app/Contents/Info.plist version major minor
    [[ -f "$plist" ]] || die "OBS.app was not found in /Applications; install OBS Studio first or pass --python."
    version="$(defaults read /Applications/OBS.app/Contents/Info CFBundleShortVersionString)"
    IFS=. read -r major minor _ <<<"$version"
    if ((major > 30 || (major == 30 && minor >= 1))); then echo 3.12; else echo 3.11; fi
}

# macOS: the interpreter inside the Python home OBS is pointed at (Python Settings), if any.
macos_configured_python() {
    local home candidate
    home="$(sed -n '/^Path64bit=/{s///p;q;}' "$(obs_config_dir)/global.ini" 2>/dev/null)"
    [[ -n "$home" ]] || return 0
    for candidate in "$home"/bin/python3.1[0-9] "$home"/Versions/Current/bin/python3; do
        if [[ -x "$candidate" ]]; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
}

# Sets PYTHON and PY_VERSION to the interpreter the venv is built from.
choose_python() {
    local wanted="" candidate version lib_prefix
    if [[ "$OS" == Linux ]]; then
        find_linux_obs_python
        wanted="$OBS_PY_VERSION"
        [[ -n "$wanted" || -n "$PYTHON" ]] || no_linux_obs
        if [[ -n "$wanted" ]] && ! supported_python "$wanted"; then
            die "This OBS embeds Python $wanted, but bgremove needs Python $SUPPORTED_RANGE (the versions its packages have wheels for); install an OBS built with one of those (e.g. the package of Debian 12, 13 or Ubuntu 24.04)."
        fi
    elif [[ "$OS" == Darwin && -z "$PYTHON" ]]; then
        PYTHON="$(macos_configured_python)"
        if [[ -z "$PYTHON" ]]; then
            version="$(macos_max_python)"
            for candidate in "/Library/Frameworks/Python.framework/Versions/$version/bin/python$version" \
                /Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11; do
                [[ -x "$candidate" ]] && PYTHON="$candidate" && break
            done
            [[ -n "$PYTHON" ]] || die "No python.org Python $version was found; install Python $version from python.org (OBS loads only a framework Python), then re-run."
        fi
    elif [[ "$OS" != Darwin ]]; then
        die "This installer supports Linux and macOS; on Windows run install/install.ps1."
    fi

    if [[ -n "$PYTHON" ]]; then
        version="$(python_version_of "$PYTHON")"
        [[ -n "$version" ]] || die "The interpreter '$PYTHON' does not run; check --python or OBS's Python Settings."
        if [[ -n "$wanted" && "$version" != "$wanted" ]]; then
            die "'$PYTHON' is Python $version but OBS loads Python $wanted; pass a Python $wanted interpreter with --python."
        fi
    else
        # The interpreter installed beside OBS's libpython first: exactly the Python OBS embeds.
        lib_prefix="$(dirname "$OBS_LIBPYTHON")"
        lib_prefix="${lib_prefix%%/lib*}"
        for candidate in "$lib_prefix/bin/python$wanted" "/usr/bin/python$wanted" "python$wanted" python3; do
            version="$(python_version_of "$candidate")"
            if [[ "$version" == "$wanted" ]] && "$candidate" -c 'import ensurepip, venv' 2>/dev/null; then
                PYTHON="$(command -v "$candidate")"
                break
            fi
        done
        if [[ -z "$PYTHON" ]]; then
            if command -v "python$wanted" >/dev/null || [[ -x "/usr/bin/python$wanted" ]]; then
                die "Python $wanted is installed but cannot create virtual environments; install its venv module (e.g. sudo apt-get install python$wanted-venv) and re-run."
            fi
            die "OBS loads Python $wanted, which is not installed; install it with its venv module (e.g. sudo apt-get install python$wanted python$wanted-venv) and re-run."
        fi
    fi
    PY_VERSION="$(python_version_of "$PYTHON")"
    supported_python "$PY_VERSION" ||
        die "'$PYTHON' is Python $PY_VERSION; bgremove needs Python $SUPPORTED_RANGE (the versions its packages have wheels for)."
    "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null ||
        die "'$PYTHON' cannot create virtual environments; install its venv module (e.g. sudo apt-get install python$PY_VERSION-venv) and re-run."
}

# ---------------------------------------------------------------- install

sha256() {
    if command -v sha256sum >/dev/null; then sha256sum | cut -d' ' -f1; else shasum -a 256 | cut -d' ' -f1; fi
}

# Everything that changes what ends up in the venv: interpreter, pinned requirements, package code.
install_fingerprint() {
    local file sources=()
    for file in "$REPO"/bgremove_core "$REPO"/bgremove_obs; do
        if [[ -d "$file" ]]; then sources+=("$file"); fi
    done
    {
        printf '%s %s\n' "$PYTHON" "$PY_VERSION"
        cat "$REQUIREMENTS" "$REPO/pyproject.toml"
        find "${sources[@]}" -type f ! -name '*.pyc' | LC_ALL=C sort | while read -r file; do
            printf '%s\n' "$file"
            cat "$file"
        done
    } | sha256
}

# Runs pip with its output in the log; on failure explains it in one sentence.
pip_install() {
    if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --no-deps "$@" >>"$LOG" 2>&1; then
        if grep -qiE 'NewConnectionError|Temporary failure in name resolution|Network is unreachable|Connection refused|timed out|No matching distribution|Could not find a version' "$LOG"; then
            die "pip could not download the pinned packages (no network, or the package index is unreachable); connect to the internet and re-run (details in $LOG)."
        fi
        die "pip failed to install bgremove's pinned packages; the details are in $LOG."
    fi
}

# The project is built from a copy so that pip's in-tree build leaves no build/ or egg-info in the repo.
install_package() {
    local item
    STAGING="$(mktemp -d)"
    for item in pyproject.toml README.md LICENSE bgremove_core bgremove_obs; do
        if [[ -e "$REPO/$item" ]]; then cp -R "$REPO/$item" "$STAGING/"; fi
    done
    find "$STAGING" -name __pycache__ -prune -exec rm -rf {} +
    pip_install "$STAGING"
}

# The directories mkdir -p would create for $1, deepest first, so uninstall can remove exactly those.
missing_dirs() {
    local dir="$1"
    while [[ ! -e "$dir" ]]; do
        printf '%s\n' "$dir"
        dir="$(dirname "$dir")"
    done
}

install_venv() {
    local fingerprint created stamp="$PREFIX/install-stamp"
    fingerprint="$(install_fingerprint)"
    if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$fingerprint" ]]; then
        say "bgremove is up to date in $VENV (nothing to install)."
        return
    fi
    if [[ ! -d "$PREFIX" ]]; then
        created="$(missing_dirs "$PREFIX")"
        mkdir -p "$PREFIX"
        printf '%s\n' "$created" >"$PREFIX/created-dirs"
    fi
    : >"$LOG"
    rm -f "$stamp"
    if [[ ! -x "$VENV/bin/python" || "$(python_version_of "$VENV/bin/python")" != "$PY_VERSION" ]]; then
        say "Creating a Python $PY_VERSION venv in $VENV from $PYTHON ..."
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV" >>"$LOG" 2>&1 || die "'$PYTHON' could not create the venv $VENV; the details are in $LOG."
    fi
    say "Installing the pinned packages (requirements/runtime.txt) ..."
    # --no-deps: mediapipe declares sounddevice (audio tasks only, never imported here);
    # runtime.txt pins everything the vision tasks do import.
    pip_install -r "$REQUIREMENTS"
    say "Installing bgremove from $REPO ..."
    install_package
    printf '%s\n' "$fingerprint" >"$stamp"
}

self_check() {
    say "Running the self-check in the venv ..."
    # Outside the repo, so the installed package is checked, not the checkout; matplotlib
    # (imported by mediapipe) caches its fonts under the prefix instead of the user's home.
    if ! (cd "$PREFIX" && MPLCONFIGDIR="$PREFIX/matplotlib" "$VENV/bin/python" -m bgremove_core.selfcheck 2>>"$LOG"); then
        rm -f "$PREFIX/install-stamp"
        die "The self-check failed (see the PROBLEM lines above; native library messages are in $LOG)."
    fi
}

# ---------------------------------------------------------------- OBS scene collections

# True if an OBS of this user runs with this config dir (it rewrites its scene collection on
# exit, undoing any edit). Without /proc (macOS) every OBS of this user counts.
obs_running() {
    local pid environ home xdg
    for pid in $(pgrep -i -x -u "$(id -u)" obs || true); do
        [[ -d /proc ]] || return 0
        # A process that has exited meanwhile has no readable environment: it is not running.
        environ="$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ")" || continue
        home="$(sed -n '/^HOME=/{s///p;q;}' <<<"$environ")"
        xdg="$(sed -n '/^XDG_CONFIG_HOME=/{s///p;q;}' <<<"$environ")"
        if [[ "${xdg:-${home:-$HOME}/.config}/obs-studio" -ef "$(obs_config_dir)" ]]; then
            return 0
        fi
    done
    return 1
}

refuse_if_obs_running() {
    if obs_running; then
        die "OBS is running; close OBS first (it rewrites its scene collection when it exits), then re-run with $1."
    fi
}

current_collection() {
    local ini name
    ini="$(obs_config_dir)/global.ini"
    name="$(sed -n '/^SceneCollectionFile=/{s///p;q;}' "$ini" 2>/dev/null)"
    printf '%s\n' "$(obs_config_dir)/basic/scenes/${name:-Untitled}.json"
}

# Adds ("add") or removes ("remove") the obs_bgremove.py entry in one scene collection, after a
# timestamped backup; a file that is not a valid collection is left untouched.
edit_collection() {
    "$1" - "$2" "$3" "$OBS_SCRIPT" <<'PY'
import json, os, shutil, sys, time

action, path, script = sys.argv[1:]
name = os.path.basename(path)
try:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
except FileNotFoundError:
    sys.exit(f"bgremove install: The OBS scene collection {path} does not exist; start OBS once and close it, then re-run.")
except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
    sys.exit(f"bgremove install: The OBS scene collection {path} cannot be read as JSON ({exc}); it was left untouched.")
modules = data.get("modules", {}) if isinstance(data, dict) else None
scripts = modules.get("scripts-tool", []) if isinstance(modules, dict) else None
if not isinstance(scripts, list):
    sys.exit(f"bgremove install: The OBS scene collection {path} is not in the format OBS writes; it was left untouched.")


def ours(entry):
    return isinstance(entry, dict) and entry.get("path") == script

def stale(entry):  # another copy of obs_bgremove.py would register the same filter twice
    path = str(entry.get("path", "")) if isinstance(entry, dict) else ""
    return os.path.basename(path) == os.path.basename(script) and path != script


if action == "add":
    new = [s for s in scripts if not stale(s)]
    if not any(map(ours, scripts)):
        new.append({"path": script, "settings": {}})
else:
    new = [s for s in scripts if not ours(s)]
if new == scripts:
    print(f"{name}: nothing to change.")
    sys.exit(0)
stamp, n = time.strftime("%Y%m%d-%H%M%S"), 0
while os.path.exists(backup := f"{path}.bgremove-{stamp}{f'-{n}' if n else ''}.bak"):
    n += 1
shutil.copy2(path, backup)
data.setdefault("modules", {})["scripts-tool"] = new
tmp = path + ".bgremove-tmp"
with open(tmp, "w", encoding="utf-8") as f:
    json.dump(data, f, indent=4, ensure_ascii=False)
os.replace(tmp, path)
for entry in filter(stale, scripts):
    print(f"Removed the other copy {entry['path']} from {name}.")
verb = "Added" if action == "add" else "Removed"
print(f"{verb} {script} {'to' if action == 'add' else 'from'} {name} (backup: {backup}).")
PY
}

register() {
    refuse_if_obs_running --register
    edit_collection "$VENV/bin/python" add "$(current_collection)" ||
        die "Could not register the script; add it by hand in OBS (Tools > Scripts > +): $OBS_SCRIPT"
}

uninstall() {
    local py collection dir created status=0
    py="$VENV/bin/python"
    [[ -x "$py" ]] || py="$(command -v python3 || true)"
    if compgen -G "$(obs_config_dir)/basic/scenes/*.json" >/dev/null; then
        for collection in "$(obs_config_dir)"/basic/scenes/*.json; do
            grep -qF "\"$OBS_SCRIPT\"" "$collection" 2>/dev/null || continue
            refuse_if_obs_running --uninstall
            [[ -n "$py" ]] || die "No Python was found to edit $collection; remove $OBS_SCRIPT in OBS (Tools > Scripts) by hand."
            edit_collection "$py" remove "$collection" || status=1
        done
    fi
    if [[ -f "$VENV/pyvenv.cfg" ]]; then
        rm -rf "$VENV"
        say "Removed $VENV."
    fi
    rm -rf "$PREFIX/install-stamp" "$PREFIX/install.log" "$PREFIX/matplotlib"
    if [[ -f "$PREFIX/created-dirs" ]]; then
        created="$(cat "$PREFIX/created-dirs")"
        rm -f "$PREFIX/created-dirs"
        while read -r dir; do rmdir "$dir" 2>/dev/null || true; done <<<"$created"
    fi
    return "$status"
}

# ---------------------------------------------------------------- main

PYTHON=""
PREFIX=""
STAGING=""
trap 'rm -rf "$STAGING"' EXIT
ACTION=install
OBS_LIBPYTHON=""
OBS_PY_VERSION=""
while (($#)); do
    case "$1" in
        --python)
            (($# >= 2)) || die "--python needs a path to an interpreter."
            PYTHON="$2"
            shift 2
            ;;
        --prefix)
            (($# >= 2)) || die "--prefix needs a directory."
            PREFIX="$2"
            shift 2
            ;;
        --register) ACTION=register && shift ;;
        --uninstall) ACTION=uninstall && shift ;;
        -h | --help) usage && exit 0 ;;
        *) die "Unknown option '$1'; see install/install.sh --help." ;;
    esac
done
PREFIX="${PREFIX:-$(default_prefix)}"
[[ "$PREFIX" = /* ]] || PREFIX="$PWD/$PREFIX"
VENV="$PREFIX/venv"
LOG="$PREFIX/install.log"

if [[ "$ACTION" == uninstall ]]; then
    uninstall
    say "bgremove was uninstalled (the repository itself was left in place)."
    exit 0
fi

[[ -f "$OBS_SCRIPT" ]] || die "The OBS script $OBS_SCRIPT is missing; this checkout of bgremove is incomplete."
[[ -f "$REQUIREMENTS" ]] || die "$REQUIREMENTS is missing; this checkout of bgremove is incomplete."
choose_python
check_linux_libraries
install_venv
self_check
if [[ "$ACTION" == register ]]; then
    register
fi

say ""
say "bgremove is installed for Python $PY_VERSION in $VENV."
say "In OBS: Tools > Scripts > + and choose:"
say "    $OBS_SCRIPT"
if [[ "$OS" == Darwin ]]; then
    say "and in Tools > Scripts > Python Settings set the Python install path to:"
    say "    $("$PYTHON" -c 'import sys; print(sys.base_prefix)')"
fi
if [[ "$PREFIX" != "$(default_prefix)" ]]; then
    say "This venv is not at the default place: start OBS with BGREMOVE_VENV=$VENV in its environment."
elif [[ -n "${BGREMOVE_VENV:-}" || -d "$REPO/.venv" ]]; then
    say "Note: obs_bgremove.py prefers \$BGREMOVE_VENV, then $REPO/.venv, over this venv; unset or remove those for OBS to use it."
fi
