"""bgremove's Windows code, run by python.org's Windows CPython 3.12 under Wine (tests/windows).

The prefix (Wine + the embeddable Python + the pinned set's win_amd64 wheels) is built once by
prefix.sh and cached under ~/.cache/bgremove. Marked ``windows`` (part of ``make test``): the
self-check, ``bgremove process`` on a photo, no console window for the worker and the installer
started from a windowed program (on an Xvfb screen), and under Windows Python the worker,
channel, installer-profile and per-system tests. Marked ``windows_extra`` (only ``make test-windows``):
``bgremove process`` on a short video (with imageio-ffmpeg's ffmpeg.exe) and the supervisor's
restart rules.

What Wine cannot show: OBS itself (obs.dll, obspython, GPU drawing), a venv made by a full
python.org install (the embeddable Python has no venv module), and Windows' own pipe and timer
behaviour where Wine differs.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.cli.clitools import core_regions, truth_mask
from tests.support.paths import CLIPS, LUCIA, LUCIA_MASKS, PEOPLE, REPO

HERE = Path(__file__).resolve().parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="drives Wine from Linux"),
]

WINDOWS_TESTS = [
    "tests/obs_adapter/test_supervisor_worker.py",
    "tests/obs_adapter/test_channel.py",
    "tests/obs_adapter/test_environment.py",
    "tests/core/test_systems.py",
    "tests/install/test_profiles.py",
]
"""Run under Windows Python by test_windows_code_passes_its_tests (the real worker among them)."""
WINDOWS_EXTRA_TESTS = ["tests/obs_adapter/test_supervisor.py"]


@pytest.fixture(scope="session")
def windows_python() -> Path:
    """The cached prefix folder (built on first use: about 150 MB of downloads, a minute)."""
    result = subprocess.run(
        ["bash", str(HERE / "prefix.sh"), sys.executable],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip().splitlines()[-1])


def run_windows(
    prefix: Path, *arguments: str | Path, cwd: Path = REPO, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python.exe arguments`` under Wine (``env`` added to this process's environment); Linux
    paths are reachable as Z:\\..."""
    return subprocess.run(
        ["bash", str(HERE / "python.sh"), str(prefix), *map(str, arguments)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@contextlib.contextmanager
def x_display(prefix: Path) -> Iterator[str]:
    """A private Xvfb screen for Wine (it draws windows, console windows too, only on a display).

    On the way out, waits for the prefix's Wine processes to end before the screen goes away, so
    no Wine process of a later test finds a display that no longer exists.
    """
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as announced:
            number = announced.readline().strip()  # empty if Xvfb exited instead
        assert number, "Xvfb did not start"
        yield f":{number}"
        subprocess.run(
            ["/usr/lib/wine/wineserver", "-w"],
            env={**os.environ, "WINEPREFIX": str(prefix / "wine")},
            timeout=120,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def windows_path(path: Path) -> str:
    return "Z:" + str(path).replace("/", "\\")


def alpha_of(image: np.ndarray, hand_mask: Path) -> tuple[float, float]:
    """Mean alpha on the sure person and on the sure background of a hand-made mask."""
    person, background = core_regions(truth_mask(hand_mask, image.shape))
    alpha = image[..., 3].astype(np.float32)
    return float(alpha[person].mean()), float(alpha[background].mean())


@pytest.mark.windows
def test_self_check_passes_under_windows_python(windows_python: Path) -> None:
    result = run_windows(windows_python, "-m", "bgremove_core.selfcheck")
    assert result.returncode == 0, result.stdout
    assert "python.exe" in result.stdout.splitlines()[0], result.stdout
    for model in ("landscape", "general"):
        assert f"model {model}: " in result.stdout
    assert "bgremove self-check: OK" in result.stdout


@pytest.mark.windows
def test_process_a_photo_under_windows_python(windows_python: Path, tmp_path: Path) -> None:
    out = tmp_path / "cutout.png"
    photo = PEOPLE / "images" / "105.jpg"
    result = run_windows(
        windows_python, "-m", "bgremove_core.cli", "process", windows_path(photo), windows_path(out),
        "--background", "transparent",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    image = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert image is not None and image.shape[2] == 4
    person, background = alpha_of(image, PEOPLE / "masks" / "105.png")
    assert person > 200 and background < 40, (person, background)


@pytest.mark.windows
def test_windows_code_passes_its_tests(windows_python: Path) -> None:
    """The worker (started with the Windows Python, answering its first frame with no byte on
    its stdin), the shared-memory channel and fence, the venv lookup, the per-system facts and
    the installer's Windows branch on a Windows profile, all under Windows Python."""
    result = run_windows(
        windows_python, "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-q", *WINDOWS_TESTS
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in result.stdout.splitlines()[-1]


@pytest.mark.windows
def test_worker_and_installer_open_no_console_window(windows_python: Path, tmp_path: Path) -> None:
    """OBS is a windowed program, and a console program it starts gets a console window beside it
    unless started with CREATE_NO_WINDOW. Started from pythonw.exe (windowed, like OBS), a plain
    console child gets one, so the check can fail; the real worker and the Set up button's
    installer process get none (console_windows.py)."""
    report = tmp_path / "console-windows.json"
    with x_display(windows_python) as display:
        result = run_windows(
            windows_python,
            HERE / "console_windows.py",
            windows_path(report),
            env={"DISPLAY": display, "WINDOWS_PYTHON": "pythonw.exe"},
        )
    seen = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else result.stdout[-3000:]
    assert result.returncode == 0, seen
    assert seen == {"plain child": True, "installer": False, "worker": False}, seen


@pytest.mark.windows_extra
def test_process_a_short_video_under_windows_python(windows_python: Path, tmp_path: Path) -> None:
    """No ffmpeg on the PATH in the Wine prefix: the ffmpeg.exe of imageio-ffmpeg's Windows wheel
    encodes (H.264)."""
    out = tmp_path / "cutout.mp4"
    result = run_windows(
        windows_python, "-m", "bgremove_core.cli", "process", windows_path(LUCIA), windows_path(out),
        "--background", "colour", "--colour", "#00FF00", "--end", "0.5",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    assert "No ffmpeg was found" not in result.stdout
    video = cv2.VideoCapture(str(out))
    frames = []
    while (frame := video.read()[1]) is not None:
        frames.append(frame)
    assert len(frames) == 12
    person, background = core_regions(truth_mask(LUCIA_MASKS / "00000.png", frames[0].shape))
    source = cv2.imread(str(CLIPS / "lucia_frames" / "00000.jpg"))
    green = (frames[0][..., 1].astype(int) - frames[0][..., [0, 2]].max(axis=-1)) > 150
    assert green[background].mean() > 0.9
    assert cv2.absdiff(frames[0], source).mean(axis=2)[person].mean() < 20


@pytest.mark.windows_extra
def test_supervisor_rules_hold_under_windows_python(windows_python: Path) -> None:
    result = run_windows(
        windows_python, "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-q", *WINDOWS_EXTRA_TESTS
    )
    assert result.returncode == 0, result.stdout[-6000:]
