"""What differs between Linux, Windows and macOS when bgremove is installed for OBS: one place.

The installer (:mod:`bgremove_obs.host.installer`), the OBS script's venv lookup
(:mod:`bgremove_obs.host.environment`) and every repair hint (the script, the worker, the model files)
take these facts from here, so a path or a command cannot differ between them. A test keeps the
per-system literals in this module. Nothing here touches the disk or imports beyond the standard
library: each fact is a function of the system (a ``sys.platform`` value: ``linux``, ``win32``,
``darwin``), the environment variables and the home folder, so any system's answer can be asked
for on any other.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

WINDOWS, MACOS = "win32", "darwin"

SUPPORTED_PYTHON = ((3, 11), (3, 12), (3, 13), (3, 14))
"""Interpreters that have wheels for every pinned package (pyproject's requires-python agrees)."""
SUPPORTED_RANGE = "3.11 to 3.14"

OBS_PYTHON_SETTING = ("Python", "Path64bit")
"""Section and key of the Python home OBS loads on Windows and macOS (Tools > Scripts > Python
Settings), in ``user.ini`` (OBS 31+) or ``global.ini`` (older)."""
OBS_SETTINGS_FILES = ("user.ini", "global.ini")
"""Where OBS keeps the user's settings (scene collection, Python home), newest layout first."""

_FIX = {
    "linux": "bash install/install.sh",
    MACOS: "bash install/install.sh",
    WINDOWS: r"powershell -ExecutionPolicy Bypass -File install\install.ps1",
}


def obs_max_python(obs_version: tuple[int, int] | None) -> tuple[int, int]:
    """The newest Python a Windows or macOS OBS loads: 3.12 from OBS 30.1 on (also when the
    version is unknown), 3.11 before, never 3.13 (OBS's Python Settings do not find it)."""
    return (3, 11) if obs_version is not None and obs_version < (30, 1) else (3, 12)


def data_dir(
    platform: str = sys.platform, environ: Mapping[str, str] = os.environ, home: Path | None = None
) -> Path:
    """The per-user folder the installer fills (venv, log, stamp)."""
    home = home or Path.home()
    if platform == WINDOWS:
        return Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "bgremove"
    if platform == MACOS:
        return home / "Library" / "Application Support" / "bgremove"
    return Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "bgremove"


def obs_config_dir(
    platform: str = sys.platform, environ: Mapping[str, str] = os.environ, home: Path | None = None
) -> Path:
    """OBS's per-user configuration folder (global.ini, user.ini, basic/scenes)."""
    home = home or Path.home()
    if platform == WINDOWS:
        return Path(environ.get("APPDATA") or home / "AppData" / "Roaming") / "obs-studio"
    if platform == MACOS:
        return home / "Library" / "Application Support" / "obs-studio"
    return Path(environ.get("XDG_CONFIG_HOME") or home / ".config") / "obs-studio"


def venv_python(venv: Path, platform: str = sys.platform) -> Path:
    """The interpreter inside a venv."""
    return venv / "Scripts" / "python.exe" if platform == WINDOWS else venv / "bin" / "python"


def site_packages(venv: Path, version: tuple[int, int], platform: str = sys.platform) -> Path:
    """The venv's site-packages for a Python ``major.minor``."""
    if platform == WINDOWS:
        return venv / "Lib" / "site-packages"
    return venv / "lib" / f"python{version[0]}.{version[1]}" / "site-packages"


def pythons_in_home(python_home: Path, platform: str = sys.platform) -> list[Path]:
    """Interpreters that may live in the Python home OBS is set to, most likely first."""
    if platform == WINDOWS:
        return [python_home / "python.exe"]
    return [
        *(python_home / "bin" / f"python{major}.{minor}" for major, minor in reversed(SUPPORTED_PYTHON)),
        python_home / "Versions" / "Current" / "bin" / "python3",
    ]


def base_interpreter(base_prefix: Path, version: tuple[int, int], platform: str = sys.platform) -> Path:
    """The interpreter of a Python installation (``sys.base_prefix``): inside OBS
    ``sys.executable`` is OBS itself, so this is how OBS's own Python is started."""
    if platform == WINDOWS:
        return base_prefix / "python.exe"
    return base_prefix / "bin" / f"python{version[0]}.{version[1]}"


def framework_python(version: tuple[int, int]) -> Path:
    """macOS: where python.org's installer puts Python ``version`` (the only kind OBS loads)."""
    major, minor = version
    return Path(f"/Library/Frameworks/Python.framework/Versions/{major}.{minor}/bin/python{major}.{minor}")


def fix_command(platform: str = sys.platform) -> str:
    """The one command, run in the bgremove folder, that (re)builds the environment."""
    return _FIX.get(platform, _FIX["linux"])


SETUP_BUTTON = "Set up bgremove"
"""The button of the script's panel in OBS's Tools > Scripts that runs the installer."""


def repair_hint(platform: str = sys.platform) -> str:
    """How a user repairs the environment, to follow "Fix: " in a sentence."""
    return (
        f"press {SETUP_BUTTON} in OBS's Tools > Scripts (select obs_bgremove.py), or run "
        f"`{fix_command(platform)}` in the bgremove folder"
    )
