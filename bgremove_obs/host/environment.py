"""Find the Python environment (venv) that holds bgremove's dependencies, for OBS.

OBS runs scripts in its own interpreter (the distro's Python on Linux; a user-chosen one on
Windows/macOS), where MediaPipe and OpenCV are not installed. The installer builds a venv of the
same Python minor version at a fixed per-user place; a source checkout has ``.venv`` from
``make demo``. The first existing one of these wins:

1. ``$BGREMOVE_VENV`` (tests and custom installs),
2. ``<repo>/.venv`` (a developer checkout),
3. the per-user install location, ``venv`` in :func:`bgremove_core.systems.data_dir`.

Standard library only: this runs before any dependency is importable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bgremove_core import systems


def candidates(repo: Path, environ: Mapping[str, str], platform: str, home: Path) -> list[Path]:
    """Where to look for the venv, in order (see the module docstring)."""
    found = [Path(environ["BGREMOVE_VENV"])] if environ.get("BGREMOVE_VENV") else []
    found.append(repo / ".venv")
    found.append(systems.data_dir(platform, environ, home) / "venv")
    return found


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
    fix = systems.repair_hint(platform)
    venv = next((place for place in places if place.is_dir()), None)
    if venv is None:
        looked = ", ".join(str(place) for place in places)
        return Environment(
            None,
            None,
            f"bgremove's Python environment is missing (looked in {looked}); the filter passes the "
            f"picture through. Fix: {fix} (or `make demo` in a source checkout), then restart OBS.",
        )
    python = systems.venv_python(venv, platform)
    if not python.exists():
        return Environment(
            venv,
            None,
            f"The bgremove environment {venv} has no Python interpreter ({python}). Fix: {fix}, then "
            "restart OBS.",
        )
    if not systems.site_packages(venv, version, platform).is_dir():
        return Environment(
            venv,
            None,
            f"The bgremove environment {venv} was not built for OBS's Python {version[0]}.{version[1]}. "
            f"Fix: {fix} (it uses OBS's Python version), then restart OBS.",
        )
    return Environment(venv, python, "")
