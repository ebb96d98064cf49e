"""Running install.sh as a user would: a user's environment, a HOME after OBS's first run, a snapshot.

Used by ``tests/install`` (its conftest holds the one session-wide install these helpers make).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .paths import REPO

REAL_HOME = Path.home()
COLLECTION = "Untitled"
OTHER_SCRIPT = {"path": "/opt/obs-scripts/clock.py", "settings": {"format": "%H:%M"}}


@dataclass(frozen=True)
class InstalledHome:
    """A temporary HOME where install.sh has built the venv.

    Attributes:
        repo: The snapshot of the checkout that was installed (holds ``obs_bgremove.py``).
        home: The HOME directory (pass it as ``HOME`` to OBS to use this install).
        venv: The venv install.sh created, at the default per-user place.
        env: The environment install.sh ran with (HOME set, no XDG_* overrides).
        before: Every path under ``home`` before the install, for the uninstall check.
        output: What the first install printed.
    """

    repo: Path
    home: Path
    venv: Path
    env: dict[str, str]
    before: frozenset[str]
    output: str

    @property
    def obs_script(self) -> Path:
        return self.repo / "obs_bgremove.py"

    @property
    def obs_dir(self) -> Path:
        return self.home / ".config" / "obs-studio"

    @property
    def collection(self) -> Path:
        return self.obs_dir / "basic" / "scenes" / f"{COLLECTION}.json"

    def backups(self) -> list[Path]:
        return sorted(self.collection.parent.glob(f"{COLLECTION}.json.bgremove-*.bak"))


def user_env(home: Path) -> dict[str, str]:
    """The environment of a user whose HOME is ``home``.

    PATH loses the entries under the real home (pyenv shims, ~/.cargo/bin): OBS's Python must be
    found the way a user's shell would, and pip probes ``rustc --version``, whose rustup proxy
    writes ~/.rustup into whatever HOME it sees. pip keeps the real user's cache so the wheels
    are downloaded once per machine, not once per run.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "BGREMOVE_"))}
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not Path(p).is_relative_to(REAL_HOME)
    )
    env["HOME"] = str(home)
    env.setdefault("PIP_CACHE_DIR", str(REAL_HOME / ".cache" / "pip"))
    env["MPLCONFIGDIR"] = str(home.parent / "mplconfig")
    return env


def write_obs_config(home: Path) -> None:
    """What OBS on Linux leaves behind after its first run: global.ini and a scene collection."""
    write_obs_profile(home / ".config" / "obs-studio")


def write_obs_profile(config: Path, last_version: int | None = None, python_home: Path | None = None) -> None:
    """An OBS configuration folder after the first run: global.ini and two scene collections.
    A Windows or macOS OBS also records its version (``LastVersion``) and the Python home chosen
    in Tools > Scripts > Python Settings."""
    (config / "basic" / "scenes").mkdir(parents=True)
    version = f"LastVersion={last_version}\n" if last_version is not None else ""
    python = f"\n[Python]\nPath64bit={python_home}\n" if python_home is not None else ""
    (config / "global.ini").write_text(
        f"[General]\nFirstRun=true\n{version}\n[Basic]\n"
        f"SceneCollection={COLLECTION}\nSceneCollectionFile={COLLECTION}\n{python}"
    )
    for name in (COLLECTION, "Other"):
        (config / "basic" / "scenes" / f"{name}.json").write_text(
            json.dumps(
                {
                    "current_scene": "Scene",
                    "name": name,
                    "scene_order": [{"name": "Scene"}],
                    "sources": [{"id": "scene", "name": "Scene", "settings": {"items": []}}],
                    "modules": {"scripts-tool": [OTHER_SCRIPT], "output-timer": {}},
                },
                indent=4,
            )
        )


def snapshot_checkout(target: Path) -> Path:
    """Copy the checkout's files (not its git data, venvs or build products) to ``target``."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"
    )
    shutil.copytree(REPO, target, ignore=ignore)
    return target


def run_install(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(repo / "install" / "install.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def tree(root: Path) -> frozenset[str]:
    return frozenset(str(p.relative_to(root)) for p in root.rglob("*"))
