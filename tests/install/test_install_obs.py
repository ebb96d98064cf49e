"""install.sh --register, then real OBS: the filter a user gets after the one install command.

OBS runs with its own HOME (the harness's), so the session's :func:`installed_home` keeps the
OBS config test_install_sh.py checks. That HOME's default per-user data folder
(``~/.local/share/bgremove``) is a link to the folder install.sh filled, and OBS starts without
``BGREMOVE_VENV`` and without ``XDG_DATA_HOME``: the script must find the installed venv at its
default place, exactly as on a user's machine. The registered script is the installed snapshot
of the checkout (it has no ``.venv`` beside it), not this checkout.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import REPO, InstalledHome, run_install, user_env

sys.path.insert(0, str(REPO / "tests" / "obs"))
from harness import Obs, missing_binaries  # tests/obs is not a package: import by path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.obs,
    pytest.mark.skipif(sys.platform != "linux", reason="install.sh is exercised on Linux here"),
]

KIND = "bgremove_filter"
SOURCE, FILTER = "clip", "bg"
SKIP_ENV = "BGREMOVE_SKIP_OBS"
GREEN = {"background": "colour", "colour": "#00FF00", "light_wrap": 0.0}
MARGIN = 12
"""Pixels the hand-drawn mask is eroded by on each side, so checks ignore the soft edge."""


@pytest.fixture
def obs(tmp_path: Path) -> Iterator[Obs]:
    """A stopped OBS whose environment names no venv; stopped again (and its Xvfb) at teardown."""
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: real-OBS tests skipped on request.")
    missing = missing_binaries()
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found on PATH (set {SKIP_ENV}=1 to skip).", pytrace=False)
    instance = Obs(tmp_path / "obs", env={"BGREMOVE_VENV": "", "XDG_DATA_HOME": ""})
    yield instance
    instance.stop()


def _bgr(rgba: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR)


def _green_share(rgba: np.ndarray) -> float:
    return float((np.abs(rgba[..., :3].astype(np.int16) - (0, 255, 0)).max(axis=-1) <= 12).mean())


def _regions(frame_bgr: np.ndarray, clip_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Core person and core background of the clip frame the paused source shows.

    The frame is found by matching the unfiltered screenshot against the clip's extracted frames;
    its hand-drawn mask, eroded by :data:`MARGIN`, gives regions that are surely one or the other.
    """
    size = (107, 60)
    small = cv2.resize(frame_bgr, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    frames = sorted((clip_dir / "lucia_frames").glob("*.jpg"))
    errors = [
        np.abs(cv2.resize(cv2.imread(str(f)), size, interpolation=cv2.INTER_AREA) - small).mean()
        for f in frames
    ]
    masks = sorted((clip_dir / "lucia_masks").glob("*.png"))
    hand = cv2.imread(str(masks[int(np.argmin(errors))]), cv2.IMREAD_GRAYSCALE) > 127
    kernel = np.ones((2 * MARGIN + 1, 2 * MARGIN + 1), np.uint8)
    person = cv2.erode(hand.astype(np.uint8), kernel).astype(bool)
    background = cv2.erode((~hand).astype(np.uint8), kernel).astype(bool)
    return person, background


def _detail(bgr: np.ndarray) -> np.ndarray:
    return np.abs(cv2.Laplacian(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.CV_32F))


def test_registered_install_gives_a_working_filter(
    installed_home: InstalledHome, obs: Obs, shared_data: Path
) -> None:
    obs.start()
    assert obs.stop() == 0, obs.log_tail()  # OBS has written its own config and collection
    data = obs.home / ".local" / "share"
    data.mkdir(parents=True)
    (data / "bgremove").symlink_to(installed_home.venv.parent, target_is_directory=True)

    result = run_install(installed_home.repo, user_env(obs.home), "--register")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Added {installed_home.obs_script} to bgremove.json" in result.stdout
    assert "bgremove self-check: OK" in result.stdout

    obs.start()
    python = data / "bgremove" / "venv" / "bin" / "python"
    obs.wait_log(f"filter '{KIND}' registered; worker Python: {python}\n")
    assert KIND in obs.filter_kinds()

    obs.add_media(SOURCE, shared_data / "clips" / "lucia.mp4")
    obs.wait_rendering(SOURCE)
    obs.add_filter(SOURCE, FILTER, KIND, GREEN)
    obs.wait_rendering(SOURCE, timeout=60, ready=lambda rgba: _green_share(rgba) > 0.3)
    obs.wait_log("worker started (pid")
    obs.request(
        "TriggerMediaInputAction",
        {"inputName": SOURCE, "mediaAction": "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PAUSE"},
    )
    obs.wait_frames(5)
    obs.set_filter_enabled(SOURCE, FILTER, False)
    obs.wait_frames(2)
    original = _bgr(obs.screenshot(SOURCE))
    obs.set_filter_enabled(SOURCE, FILTER, True)
    obs.set_filter_settings(SOURCE, FILTER, {"background": "blur", "blur_strength": 40})
    blurred = _bgr(obs.settled_screenshot(SOURCE))

    person, background = _regions(original, shared_data / "clips")
    kept = (np.abs(blurred.astype(np.int16) - original).max(axis=-1)[person] <= 12).mean()
    assert kept > 0.9, f"only {kept:.1%} of the person's core pixels kept their colour"
    ratio = _detail(blurred)[background].mean() / _detail(original)[background].mean()
    assert ratio < 0.4, f"background detail only fell to {ratio:.0%} of the original"

    obs.assert_no_script_errors()
    assert "environment is missing" not in obs.run_log
    obs.assert_clean_exit()
