"""The per-system facts (bgremove_core.systems) and the rule that they live there and nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bgremove_core import systems
from bgremove_obs.host.environment import locate
from tests.support.paths import REPO

HOME = Path("/home/ada")

PER_SYSTEM_LITERALS = re.compile(
    r"LOCALAPPDATA|APPDATA|XDG_DATA_HOME|XDG_CONFIG_HOME|Application Support|Path64bit|"
    r"install\.sh|install\.ps1|python\.exe|\"Scripts\"|\"site-packages\"|Python\.framework"
)
"""What would betray a second copy of a per-system fact: paths, variables, the fix commands."""


def product_sources() -> list[Path]:
    """The code that ships: both packages, the OBS script and the installer's entry point."""
    files = [REPO / "obs_bgremove.py", REPO / "install" / "install.py"]
    for package in ("bgremove_core", "bgremove_obs"):
        files += sorted((REPO / package).rglob("*.py"))
    return files


def test_per_system_facts_live_only_in_the_systems_module() -> None:
    """The installer, the venv lookup and every repair hint must ask bgremove_core.systems."""
    owner = REPO / "bgremove_core" / "systems.py"
    assert PER_SYSTEM_LITERALS.search(owner.read_text())
    elsewhere = {
        str(path.relative_to(REPO)): sorted(set(PER_SYSTEM_LITERALS.findall(path.read_text())))
        for path in product_sources()
        if path != owner
    }
    assert {name: found for name, found in elsewhere.items() if found} == {}


@pytest.mark.parametrize(
    ("platform", "environ", "prefix", "python", "fix"),
    [
        ("linux", {}, HOME / ".local/share/bgremove", "bin/python", "bash install/install.sh"),
        (
            "linux",
            {"XDG_DATA_HOME": "/data"},
            Path("/data/bgremove"),
            "bin/python",
            "bash install/install.sh",
        ),
        (
            "darwin",
            {},
            HOME / "Library/Application Support/bgremove",
            "bin/python",
            "bash install/install.sh",
        ),
        (
            "win32",
            {"LOCALAPPDATA": "C:/Users/ada/AppData/Local"},
            Path("C:/Users/ada/AppData/Local/bgremove"),
            "Scripts/python.exe",
            r"powershell -ExecutionPolicy Bypass -File install\install.ps1",
        ),
    ],
)
def test_each_system_has_its_prefix_interpreter_and_fix(
    platform: str, environ: dict[str, str], prefix: Path, python: str, fix: str
) -> None:
    assert systems.data_dir(platform, environ, HOME) == prefix
    assert systems.venv_python(prefix / "venv", platform) == prefix / "venv" / python
    assert systems.fix_command(platform) == fix
    assert f"`{fix}`" in systems.repair_hint(platform)


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_the_missing_environment_hint_names_this_systems_command(tmp_path: Path, platform: str) -> None:
    found = locate(tmp_path / "repo", {"LOCALAPPDATA": str(tmp_path)}, platform, tmp_path / "home")
    assert found.python is None
    assert systems.repair_hint(platform) in found.problem
    others = {systems.fix_command(p) for p in ("linux", "darwin", "win32")} - {systems.fix_command(platform)}
    assert not any(other in found.problem for other in others)


@pytest.mark.parametrize(
    ("obs", "python"),
    [((29, 1), (3, 11)), ((30, 0), (3, 11)), ((30, 1), (3, 12)), ((32, 2), (3, 12)), (None, (3, 12))],
)
def test_newest_python_each_obs_loads(obs: tuple[int, int] | None, python: tuple[int, int]) -> None:
    assert systems.obs_max_python(obs) == python
