"""install/install.sh, run for real: real OBS detection, a real venv, real pip, a real self-check.

Everything happens in the temporary HOME of conftest.py's session-wide :func:`installed_home`
(one real install); the tests below exercise re-runs, --register, the refusals and finally
--uninstall on it, in file order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bgremove_core import selfcheck
from tests.support.install import OTHER_SCRIPT, REAL_HOME, InstalledHome, run_install, tree, user_env
from tests.support.paths import REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="install.sh is exercised on Linux here"),
]


def obs_python_minor() -> str:
    """The Python minor version ("3.11") that this machine's OBS scripting library links."""
    libs = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    lib = next(line.split("=> ")[1] for line in libs.splitlines() if "libobs-scripting.so" in line)
    linked = subprocess.run(["ldd", lib], capture_output=True, text=True, check=True).stdout
    return linked.split("libpython", 1)[1].split(".so", 1)[0]


def python_minor(python: str | Path) -> str:
    """ "3.11" for a working interpreter, "" for one that does not run (e.g. a dead pyenv shim)."""
    result = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Path -> (size, mtime) of every file, to prove a refused run touched nothing."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_install_builds_a_venv_of_the_python_obs_links(installed_home: InstalledHome) -> None:
    assert python_minor(installed_home.venv / "bin" / "python") == obs_python_minor()
    assert str(installed_home.obs_script) in installed_home.output
    assert "bgremove self-check: OK" in installed_home.output
    assert not (installed_home.repo / "build").exists(), "pip built inside the checkout"
    assert not list(installed_home.repo.glob("*.egg-info")), "pip built inside the checkout"


def test_self_check_passes_in_the_installed_venv(installed_home: InstalledHome, tmp_path: Path) -> None:
    result = subprocess.run(
        [installed_home.venv / "bin" / "python", "-m", "bgremove_core.selfcheck"],
        cwd=tmp_path,
        env=installed_home.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"venv: {installed_home.venv}" in result.stdout
    for model in ("landscape", "general"):
        assert f"model {model}: " in result.stdout
    site = installed_home.venv / "lib" / f"python{obs_python_minor()}" / "site-packages"
    assert (site / "bgremove_core" / "selfcheck.py").is_file()


def test_rerun_is_a_no_op(installed_home: InstalledHome) -> None:
    before = snapshot(installed_home.venv)
    result = run_install(installed_home.repo, installed_home.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout
    assert "Installing" not in result.stdout
    assert snapshot(installed_home.venv) == before


def test_register_adds_the_script_once_with_a_backup(installed_home: InstalledHome) -> None:
    original = installed_home.collection.read_bytes()
    other = installed_home.collection.with_name("Other.json").read_bytes()

    result = run_install(installed_home.repo, installed_home.env, "--register")
    assert result.returncode == 0, result.stdout + result.stderr
    scripts = json.loads(installed_home.collection.read_text())["modules"]["scripts-tool"]
    assert scripts == [OTHER_SCRIPT, {"path": str(installed_home.obs_script), "settings": {}}]
    [backup] = installed_home.backups()
    assert backup.read_bytes() == original
    assert installed_home.collection.with_name("Other.json").read_bytes() == other

    again = run_install(installed_home.repo, installed_home.env, "--register")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing to change" in again.stdout
    assert installed_home.backups() == [backup]


@pytest.fixture
def dummy_obs(installed_home: InstalledHome, tmp_path: Path):
    """A process named ``obs`` running as this user with the test HOME (a renamed ``sleep``)."""
    fake = tmp_path / "obs"
    shutil.copy(shutil.which("sleep"), fake)
    process = subprocess.Popen([fake, "60"], env=installed_home.env)
    yield process
    process.kill()
    process.wait()


def test_register_refuses_while_obs_runs(installed_home: InstalledHome, dummy_obs) -> None:
    before = snapshot(installed_home.obs_dir)
    result = run_install(installed_home.repo, installed_home.env, "--register")
    assert result.returncode != 0
    assert "OBS is running; close OBS first" in result.stderr
    assert snapshot(installed_home.obs_dir) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"modules": {"scripts-tool": [', "cannot be read as JSON"),
        (b"\xff\xfe garbage", "cannot be read as JSON"),
        (b'["not", "a", "collection"]', "not in the format OBS writes"),
        (b'{"modules": {"scripts-tool": "x"}}', "not in the format OBS writes"),
    ],
)
def test_register_leaves_a_broken_collection_untouched(
    installed_home: InstalledHome, content: bytes, message: str
) -> None:
    original = installed_home.collection.read_bytes()
    installed_home.collection.write_bytes(content)
    try:
        before = snapshot(installed_home.obs_dir)
        result = run_install(installed_home.repo, installed_home.env, "--register")
        assert result.returncode != 0
        assert message in result.stderr
        assert str(installed_home.collection) in result.stderr
        assert snapshot(installed_home.obs_dir) == before
    finally:
        installed_home.collection.write_bytes(original)


def other_python(folder: Path) -> str:
    """An interpreter of another minor version than the one OBS links.

    A real one when the machine has it; otherwise a stand-in in ``folder`` that answers the
    installer's version probe with 3.9 — the refusal path under test is the same either way,
    and the test never depends on what else happens to be installed.
    """
    wanted = obs_python_minor()
    pyenv = Path(os.environ.get("PYENV_ROOT", REAL_HOME / ".pyenv")) / "versions"
    candidates = [shutil.which(f"python3.{minor}") for minor in range(9, 15)]
    candidates += sorted(str(p) for p in pyenv.glob("3.*/bin/python3"))
    real = next((c for c in candidates if c and python_minor(c) not in ("", wanted)), None)
    if real is not None:
        return real
    stand_in = folder / "python3.9"
    stand_in.write_text("#!/bin/sh\necho 3.9\n")
    stand_in.chmod(0o755)
    return str(stand_in)


@pytest.mark.parametrize(
    ("python", "message"),
    [
        ("/nonexistent/python3", "does not run"),
        ("other-version", "but OBS loads Python"),
    ],
)
def test_wrong_python_is_refused(
    installed_home: InstalledHome, python: str, message: str, tmp_path: Path
) -> None:
    if python == "other-version":
        python = other_python(tmp_path)
    before = snapshot(installed_home.home)
    result = run_install(installed_home.repo, installed_home.env, "--python", python)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert snapshot(installed_home.home) == before


def test_no_network_is_one_clear_sentence(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = user_env(home) | {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
        "PIP_FIND_LINKS": "",
        "PIP_CACHE_DIR": str(tmp_path / "empty-cache"),
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "2",
    }
    result = run_install(REPO, env, "--prefix", str(tmp_path / "prefix"))
    assert result.returncode != 0
    assert "pip could not download the pinned packages" in result.stderr
    assert not (tmp_path / "prefix" / "install-stamp").exists()


def test_uninstall_restores_home(installed_home: InstalledHome) -> None:
    """Runs last: it removes the module's install."""
    original = json.loads(installed_home.backups()[0].read_text())
    result = run_install(installed_home.repo, installed_home.env, "--uninstall")
    assert result.returncode == 0, result.stdout + result.stderr
    backups = {str(p.relative_to(installed_home.home)) for p in installed_home.backups()}
    assert len(backups) == 2  # one from --register, one from --uninstall
    assert tree(installed_home.home) - backups == installed_home.before
    assert json.loads(installed_home.collection.read_text()) == original


def test_self_check_run_finds_the_astronaut_and_no_problems() -> None:
    lines: list[str] = []
    assert selfcheck.run(lines.append) == []
    assert any(line.startswith("model landscape: ") for line in lines)
    assert not any("scikit-image not installed" in line for line in lines)


def test_self_check_names_a_missing_package_in_one_sentence() -> None:
    """-S hides site-packages: numpy, cv2 and mediapipe are all missing, as in a bare Python."""
    result = subprocess.run(
        [sys.executable, "-S", "-m", "bgremove_core.selfcheck"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("PROBLEM: ")]
    assert [p.split()[3] for p in problems] == ["numpy", "cv2", "mediapipe"], result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("fill", "has_person", "verdict"),
    [(0.0, True, "did not find the person"), (1.0, False, "found a person where there is none")],
)
def test_self_check_rejects_a_wrong_mask(fill: float, has_person: bool, verdict: str) -> None:
    mask = np.full((144, 256), fill, np.float32)
    assert verdict in selfcheck._judge("landscape", "frame", mask, has_person, (256, 144))
