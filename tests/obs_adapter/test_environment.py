"""Where the OBS script looks for bgremove's venv, and what it says when it is unusable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bgremove_obs.host.environment import candidates, locate


def test_search_order_per_platform(tmp_path: Path) -> None:
    repo, home = tmp_path / "repo", tmp_path / "home"
    env = {"BGREMOVE_VENV": "/opt/venv", "XDG_DATA_HOME": "/data", "LOCALAPPDATA": "C:/Local"}
    assert candidates(repo, env, "linux", home) == [
        Path("/opt/venv"),
        repo / ".venv",
        Path("/data/bgremove/venv"),
    ]
    assert candidates(repo, {}, "linux", home)[-1] == home / ".local/share/bgremove/venv"
    assert candidates(repo, {}, "darwin", home)[-1] == home / "Library/Application Support/bgremove/venv"
    assert candidates(repo, env, "win32", home)[-1] == Path("C:/Local/bgremove/venv")


def test_missing_venv_names_the_fix(tmp_path: Path) -> None:
    found = locate(tmp_path / "repo", {}, "linux", tmp_path / "home")
    assert found.python is None
    assert "bash install/install.sh" in found.problem and str(tmp_path / "repo" / ".venv") in found.problem


def test_directory_without_interpreter_is_refused(tmp_path: Path) -> None:
    found = locate(tmp_path, {"BGREMOVE_VENV": str(tmp_path)}, "linux", tmp_path)
    assert found.venv == tmp_path and found.python is None
    assert "no Python interpreter" in found.problem


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="needs a venv (the Windows test prefix has none)")
def test_the_test_venv_is_usable(tmp_path: Path) -> None:
    found = locate(tmp_path, {"BGREMOVE_VENV": sys.prefix}, sys.platform, tmp_path)
    assert found.problem == ""
    assert found.python is not None and found.python.exists()
