"""Set up without a terminal: real OBS, a fresh home, the Scripts panel's Set up bgremove button.

OBS starts with a HOME it has never seen and a copy of the checkout without ``.venv``, so the
script finds no environment: its panel offers the button. The filter is added before the set-up
(it passes the picture through), the button is pressed as the Scripts dialog does it (on OBS's UI
thread, through the test companion), the installer runs in the background with OBS's own Python,
and the same filter then composites: no restart, no terminal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.install import REAL_HOME, snapshot_checkout
from tests.support.obs import Obs
from tests.support.rig import GREEN, KIND, composites, passes_through

pytestmark = pytest.mark.slow

SOURCE, FILTER = "clip", "bg"
SETUP_SECONDS = 1200.0
"""Deadline for the whole set-up (a venv, ~0.5 GB of wheels from pip's cache, the self-check):
only catches a hang."""


def test_set_up_button_makes_the_filter_work_without_a_restart(
    tmp_path: Path, require_obs: None, still_lucia: Path
) -> None:
    repo = snapshot_checkout(tmp_path / "bgremove")
    script = repo / "obs_bgremove.py"
    obs = Obs(
        tmp_path / "obs",
        scripts=[script],
        env={"BGREMOVE_VENV": "", "XDG_DATA_HOME": "", "PIP_CACHE_DIR": str(REAL_HOME / ".cache" / "pip")},
    )
    try:
        obs.start()
        obs.wait_log("bgremove's Python environment is missing")
        obs.add_media(SOURCE, still_lucia)
        obs.wait_rendering(SOURCE)
        obs.add_filter(SOURCE, FILTER, KIND, GREEN)
        obs.wait_rendering(SOURCE, ready=lambda rgba: passes_through(rgba, GREEN))

        assert obs.press_setup() == [script.name]
        obs.wait_log("setup: Running the self-check in the venv", timeout=SETUP_SECONDS)
        obs.wait_log(f"bgremove set up: filter '{KIND}' ready", timeout=SETUP_SECONDS)
        obs.wait_rendering(SOURCE, ready=composites(GREEN))

        venv = obs.home / ".local" / "share" / "bgremove" / "venv"
        assert (venv / "pyvenv.cfg").is_file()
        assert "setup: bgremove self-check: OK" in obs.run_log
        obs.assert_no_script_errors()
    finally:
        obs.stop()
