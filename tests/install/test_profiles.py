"""The installer's Windows and macOS branches on OBS profiles of those systems, by the real code.

A profile is what OBS leaves in its configuration folder: global.ini with OBS's version
(``LastVersion``) and the Python home chosen in Tools > Scripts > Python Settings, and scene
collections. On Linux the tests ask the installer for the other system's answers (its functions
take the system as an argument); under Windows Python (``make test-windows``) the Windows branch
runs natively, with the Windows paths, ``tasklist`` and the embeddable Python of the test prefix.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bgremove_core import systems
from bgremove_obs.host import installer, obs_python, scene_collection
from bgremove_obs.host.obs_python import InstallError
from tests.support.install import COLLECTION, OTHER_SCRIPT, tree, write_obs_profile

SYSTEMS = ["win32"] if sys.platform == "win32" else ["win32", "darwin"]
OBS_30_2 = (30 << 24) | (2 << 16) | 3
"""``LastVersion`` as OBS 30.2.3 writes it (major << 24 | minor << 16 | patch)."""
SCRIPT = installer.REPO / "obs_bgremove.py"


def profile_environ(root: Path) -> dict[str, str]:
    """A user whose Windows folders live under ``root`` (ignored by the other systems)."""
    return {"APPDATA": str(root / "Roaming"), "LOCALAPPDATA": str(root / "Local")}


def python_home(root: Path, platform: str) -> tuple[Path, Path]:
    """A Python home as OBS's Python Settings name it, and the interpreter the installer must find
    in it: the running Python itself, linked into that system's layout (natively: its own home)."""
    if platform == sys.platform:
        return Path(sys.base_prefix), Path(sys.base_prefix) / "python.exe"
    home = root / "Python312"
    interpreter = systems.pythons_in_home(home, platform)[0]
    interpreter.parent.mkdir(parents=True)
    interpreter.symlink_to(sys.executable)
    return home, interpreter


def make_profile(root: Path, platform: str, python: Path | None, version: int = OBS_30_2) -> Path:
    config = systems.obs_config_dir(platform, profile_environ(root), root / "home")
    write_obs_profile(config, version, python)
    return config


@pytest.mark.parametrize("platform", SYSTEMS)
def test_the_python_set_in_obs_is_the_one_installed_for(tmp_path: Path, platform: str) -> None:
    home, interpreter = python_home(tmp_path, platform)
    make_profile(tmp_path, platform, home)
    environ = profile_environ(tmp_path)
    if not obs_python.makes_venvs(interpreter):
        # Under Wine: the test prefix's embeddable Python has no venv module, as on a user's
        # machine that points OBS at one: refused before anything is written, in one sentence.
        with pytest.raises(InstallError, match="cannot create virtual environments"):
            obs_python.find(platform, None, environ, tmp_path / "home")
        return
    found = obs_python.find(platform, None, environ, tmp_path / "home")
    assert found.python == interpreter
    assert found.version == sys.version_info[:2]
    assert found.configured


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in interpreter is a shell script")
@pytest.mark.parametrize("platform", SYSTEMS)
def test_a_python_newer_than_this_obs_loads_is_refused(tmp_path: Path, platform: str) -> None:
    """OBS 29.1 loads Python up to 3.11: a Python 3.12 set in its settings is refused, by name."""
    home = tmp_path / "Python312"
    interpreter = systems.pythons_in_home(home, platform)[0]
    interpreter.parent.mkdir(parents=True)
    interpreter.write_text("#!/bin/sh\necho 3.12\n")
    interpreter.chmod(0o755)
    make_profile(tmp_path, platform, home, version=(29 << 24) | (1 << 16))
    with pytest.raises(InstallError, match=r"this OBS loads Python 3\.11 to 3\.11"):
        obs_python.find(platform, None, profile_environ(tmp_path), tmp_path / "home")


@pytest.mark.parametrize("platform", SYSTEMS)
def test_register_then_uninstall_leave_the_profile_as_it_was(tmp_path: Path, platform: str) -> None:
    environ = profile_environ(tmp_path)
    config = make_profile(tmp_path, platform, None)
    collection = config / "basic" / "scenes" / f"{COLLECTION}.json"
    original, other = collection.read_bytes(), collection.with_name("Other.json").read_bytes()
    before = tree(tmp_path)

    installer.register(platform, config)
    scripts = json.loads(collection.read_text())["modules"]["scripts-tool"]
    assert scripts == [OTHER_SCRIPT, {"path": str(SCRIPT), "settings": {}}]
    [backup] = collection.parent.glob(f"{COLLECTION}.json.bgremove-*.bak")
    assert backup.read_bytes() == original
    assert scene_collection.listing(config, SCRIPT) == [collection]

    prefix = systems.data_dir(platform, environ, tmp_path / "home")
    layout = installer.Layout(prefix, platform)
    installer._make_prefix(layout)
    installer.uninstall(layout, platform, config)
    assert json.loads(collection.read_text()) == json.loads(original)
    assert collection.with_name("Other.json").read_bytes() == other
    backups = {str(p.relative_to(tmp_path)) for p in collection.parent.glob("*.bak")}
    assert tree(tmp_path) - backups == before, "uninstall left something it made"


@pytest.mark.parametrize("platform", SYSTEMS)
def test_the_venv_layout_is_this_systems(tmp_path: Path, platform: str) -> None:
    layout = installer.Layout(systems.data_dir(platform, profile_environ(tmp_path), tmp_path), platform)
    inside = layout.python.relative_to(layout.venv)
    assert inside == (Path("Scripts", "python.exe") if platform == "win32" else Path("bin", "python"))
    assert os.path.commonpath([layout.log, layout.stamp, layout.venv]) == str(layout.prefix)


@pytest.mark.parametrize(
    ("settings_file", "recorded"),
    [("global.ini", COLLECTION), ("user.ini", f"{COLLECTION}.json")],
    ids=["obs-29-30", "obs-31-plus"],
)
def test_the_current_collection_is_found_as_each_obs_records_it(
    tmp_path: Path, settings_file: str, recorded: str
) -> None:
    config = tmp_path / "obs-studio"
    write_obs_profile(config)
    (config / settings_file).write_text(f"[Basic]\nSceneCollectionFile={recorded}\n")
    assert scene_collection.current(config) == config / "basic" / "scenes" / f"{COLLECTION}.json"
