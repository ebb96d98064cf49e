"""Smoke run on the newer OBS a Debian 13 or sid user gets, inside Debian root filesystems.

For each root (built once from Debian's own packages by build_root.sh and cached), the real tests
run inside it with that root's Python: the installer builds and registers a working filter
(tests/install), and in real OBS the filter is listed, blurs and makes the background transparent
on a real person, reads the fast set of source material (full-range H.264, MJPEG 4:2:2, 10-bit),
and OBS exits with code 0 and "Number of memory leaks: 0" (the render and format modules'
fixtures assert that when they stop OBS), also when closed by SIGINT or SIGTERM. The inner
tests compare against the OBS version they run on. `make test-obs-matrix` runs the whole OBS
suite in each root instead of this subset.

Needs root and apt access to a Debian mirror (as on CI); without them this fails and says so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

#: Debian suite -> (OBS version, Python version) its packages carry (checked inside the root).
ROOTS = {"trixie": ("30.2.3", "3.13"), "sid": ("32.2.2", "3.14")}
SMOKE = (
    "tests/install/test_install_obs.py::test_registered_install_gives_a_working_filter",
    "tests/obs/test_filter_render.py::test_filter_kind_is_listed",
    "tests/obs/test_filter_render.py::test_blur_mode",
    "tests/obs/test_filter_render.py::test_transparent_mode",
    *(
        f"tests/obs/test_filter_formats.py::test_source_material[{name}]"
        for name in ("h264-full-range", "mjpeg-422-full-range", "h264-10bit")  # its FAST set
    ),
    *(
        f"tests/obs/test_clean_exit.py::test_obs_exits_as_usual_with_the_filter[{way}]"
        for way in ("window", "sigint", "sigterm")
    ),
)
#: Builds a root (downloads ~300 MB the first time) plus its test venv, then runs the smoke tests.
DEADLINE = 3600

pytestmark = [pytest.mark.obs, pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def _can_build_roots() -> None:
    if os.geteuid() != 0:
        pytest.fail("The newer-OBS smoke tests build Debian roots with mmdebstrap and chroot: run as root.")
    if shutil.which("mmdebstrap") is None:
        pytest.fail("mmdebstrap is missing: run `make system-deps` (or apt-get install -y mmdebstrap).")


def _in_root(suite: str, *command: str) -> str:
    root = subprocess.run(
        [HERE / "build_root.sh", suite], capture_output=True, text=True, timeout=DEADLINE, check=True
    ).stdout.strip()
    return subprocess.run(
        ["chroot", root, *command], capture_output=True, text=True, timeout=60, check=True
    ).stdout


@pytest.mark.parametrize("suite", list(ROOTS))
def test_installer_and_filter_work_on_newer_obs(suite: str) -> None:
    obs_version, python_version = ROOTS[suite]
    assert _in_root(suite, "obs", "--version").split()[-1].startswith(obs_version)
    assert _in_root(suite, "python3", "--version").split()[-1].startswith(python_version)
    run = subprocess.run(
        [HERE / "run_in_root.sh", suite, "-q", "-rfEs", *SMOKE],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        cwd=REPO,
        check=False,
    )
    report = run.stdout[-6000:] + run.stderr[-3000:]
    assert run.returncode == 0, report
    summary = run.stdout.strip().splitlines()[-1]
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summary)}
    assert counts == {"passed": len(SMOKE)}, report
