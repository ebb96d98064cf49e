"""Find the Python environment (venv) that holds bgremove's dependencies, for OBS.

OBS runs scripts in its own interpreter (the distro's Python on Linux; a user-chosen one on
Windows/macOS), where MediaPipe and OpenCV are not installed. The installer builds a venv of the
same Python minor version at a fixed per-user place; a source checkout has ``.venv`` from
``make demo``. The first existing one of these wins:

1. ``$BGREMOVE_VENV`` (tests and custom installs),
2. ``<repo>/.venv`` (a developer checkout),
3. the per-user install location: ``${XDG_DATA_HOME:-~/.local/share}/bgremove/venv`` (Linux),
   ``~/Library/Application Support/bgremove/venv`` (macOS), ``%LOCALAPPDATA%\\bgremove\\venv``
   (Windows).

Standard library only: this runs before any dependency is importable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

FIX_COMMAND = "bash install/install.sh"


def candidates(repo: Path, environ: Mapping[str, str], platform: str, home: Path) -> list[Path]:
    """Where to look for the venv, in order (see the module docstring)."""
    found = [Path(environ["BGREMOVE_VENV"])] if environ.get("BGREMOVE_VENV") else []
    found.append(repo / ".venv")
    if platform == "win32":
        local = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        found.append(Path(local) / "bgremove" / "venv")
    elif platform == "darwin":
        found.append(home / "Library" / "Application Support" / "bgremove" / "venv")
    else:
        data = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
        found.append(Path(data) / "bgremove" / "venv")
    return found


def venv_python(venv: Path, platform: str = sys.platform) -> Path:
    """The interpreter inside a venv."""
    return venv / "Scripts" / "python.exe" if platform == "win32" else venv / "bin" / "python"


def site_packages(venv: Path, version: tuple[int, int], platform: str = sys.platform) -> Path:
    """The venv's site-packages for a Python ``major.minor``."""
    if platform == "win32":
        return venv / "Lib" / "site-packages"
    return venv / "lib" / f"python{version[0]}.{version[1]}" / "site-packages"


@dataclass(frozen=True)
class Environment:
    """Attributes:
    venv: The venv found, or None.
    python: Its interpreter (runs the worker), or None when unusable.
    problem: What is wrong and the one command that fixes it ("" when usable).
    """

    venv: Path | None
    python: Path | None
    problem: str


def locate(
    repo: Path,
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    home: Path | None = None,
    version: tuple[int, int] = (sys.version_info[0], sys.version_info[1]),
) -> Environment:
    """Find the venv and check that OBS's Python version can use it."""
    places = candidates(repo, environ, platform, home or Path.home())
    venv = next((place for place in places if place.is_dir()), None)
    if venv is None:
        looked = ", ".join(str(place) for place in places)
        return Environment(
            None,
            None,
            f"bgremove's Python environment is missing (looked in {looked}); the filter passes the "
            f"picture through. Fix: run `{FIX_COMMAND}` in the bgremove folder (or `make demo` in a "
            "source checkout), then restart OBS.",
        )
    python = venv_python(venv, platform)
    if not python.exists():
        return Environment(
            venv,
            None,
            f"The bgremove environment {venv} has no Python interpreter ({python}). Fix: run `{FIX_COMMAND}` "
            "again, then restart OBS.",
        )
    if not site_packages(venv, version, platform).is_dir():
        return Environment(
            venv,
            None,
            f"The bgremove environment {venv} was not built for OBS's Python {version[0]}.{version[1]}. "
            f"Fix: run `{FIX_COMMAND}` again (it uses OBS's Python version), then restart OBS.",
        )
    return Environment(venv, python, "")
