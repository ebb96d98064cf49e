"""One real install.sh run shared by every installer test of the session.

The install is the slow part (~0.5 GB of wheels into a fresh venv), so it runs once in
:func:`installed_home`: a temporary HOME that looks like a user's after OBS's first run, with
install.sh run from a snapshot of the checkout (edits made to the repository meanwhile do not
change what is being installed). test_install_sh.py exercises re-runs, --register, the refusals
and finally --uninstall on that HOME; test_install_obs.py runs real OBS on the installed venv
without touching that HOME's OBS config, so the two modules can run in either order.

Test modules import the helpers below with ``from conftest import ...`` (this folder has no
``__init__.py``, as in tests/cli).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
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
    """What OBS leaves behind after its first run: global.ini and a scene collection."""
    obs = home / ".config" / "obs-studio"
    (obs / "basic" / "scenes").mkdir(parents=True)
    (obs / "global.ini").write_text(
        "[General]\nFirstRun=true\n\n[Basic]\n"
        f"SceneCollection={COLLECTION}\nSceneCollectionFile={COLLECTION}\n"
    )
    for name in (COLLECTION, "Other"):
        (obs / "basic" / "scenes" / f"{name}.json").write_text(
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


@pytest.fixture(scope="session")
def installed_home(tmp_path_factory: pytest.TempPathFactory) -> InstalledHome:
    """A HOME with OBS's config and bgremove installed by install.sh with real detection.

    Tests that change this HOME's OBS config must leave it as test_install_sh.py expects
    (test_install_obs.py uses its own HOME and only reads the venv).
    """
    root = tmp_path_factory.mktemp("install")
    repo = snapshot_checkout(root / "bgremove")
    home = root / "home"
    home.mkdir()
    write_obs_config(home)
    before = tree(home)
    env = user_env(home)
    result = run_install(repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    return InstalledHome(
        repo=repo,
        home=home,
        venv=home / ".local" / "share" / "bgremove" / "venv",
        env=env,
        before=before,
        output=result.stdout,
    )
