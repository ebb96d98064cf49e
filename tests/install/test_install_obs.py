"""install.sh --register, then real OBS: the filter a user gets after the one install command.

OBS runs with its own HOME (the harness's), so the session's :func:`installed_home` keeps the
OBS config test_install_sh.py checks. That HOME's default per-user data folder
(``~/.local/share/bgremove``) is a link to the folder install.sh filled, and OBS starts without
``BGREMOVE_VENV`` and without ``XDG_DATA_HOME``: the script must find the installed venv at its
default place, exactly as on a user's machine. The registered script is the installed snapshot
of the checkout (it has no ``.venv`` beside it), not this checkout.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support.images import regions
from tests.support.install import InstalledHome, run_install, user_env
from tests.support.obs import Obs
from tests.support.rig import GREEN, KIND, composites, passes_through, settled_masks

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="install.sh is exercised on Linux here"),
]

SOURCE, FILTER = "clip", "bg"


@pytest.fixture
def obs(tmp_path: Path, require_obs: None) -> Iterator[Obs]:
    """A stopped OBS whose environment names no venv; stopped again (and its Xvfb) at teardown."""
    instance = Obs(tmp_path / "obs", env={"BGREMOVE_VENV": "", "XDG_DATA_HOME": ""})
    yield instance
    instance.stop()


def _bgr(rgba: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR)


def _detail(bgr: np.ndarray) -> np.ndarray:
    return np.abs(cv2.Laplacian(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.CV_32F))


def test_registered_install_gives_a_working_filter(
    installed_home: InstalledHome, obs: Obs, still_lucia: Path, still_lucia_mask: np.ndarray
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

    obs.add_media(SOURCE, still_lucia)
    obs.wait_rendering(SOURCE)
    obs.add_filter(SOURCE, FILTER, KIND, GREEN)
    obs.wait_rendering(SOURCE, ready=composites(GREEN))
    obs.set_filter_enabled(SOURCE, FILTER, False)
    original = _bgr(obs.wait_rendering(SOURCE, ready=lambda rgba: passes_through(rgba, GREEN)))
    obs.set_filter_enabled(SOURCE, FILTER, True)
    obs.set_filter_settings(SOURCE, FILTER, {"background": "blur", "blur_strength": 40})
    settled_masks(obs)
    blurred = _bgr(obs.screenshot(SOURCE))

    area = regions(still_lucia_mask)
    kept = (np.abs(blurred.astype(np.int16) - original).max(axis=-1)[area.person] <= 12).mean()
    assert kept > 0.9, f"only {kept:.1%} of the person's core pixels kept their colour"
    ratio = _detail(blurred)[area.background].mean() / _detail(original)[area.background].mean()
    assert ratio < 0.4, f"background detail only fell to {ratio:.0%} of the original"

    obs.assert_no_script_errors()
    assert "environment is missing" not in obs.run_log
    obs.assert_clean_exit()
