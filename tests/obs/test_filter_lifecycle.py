"""The Background Remover filter's life in real OBS: reloads, restarts, a killed worker, bad input.

Each test drives its own OBS (the ``obs_factory`` fixture) playing the real lucia clip, uses the
colour mode with a pure colour as an easy-to-measure sign that the filter is compositing, and
ends by asserting a clean exit (code 0, "Number of memory leaks: 0").
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np

from tests.support.images import share
from tests.support.obs import Obs
from tests.support.paths import SCRIPT
from tests.support.rig import (
    BACKGROUND_SHARE,
    BLUE,
    GREEN,
    KIND,
    composites,
    passes_through,
    wait_gone,
    worker_pids,
)


def shows(obs: Obs, source: str, settings: dict) -> np.ndarray:
    """Wait until most of the source shows this colour mode's colour (the person is ~10% of it)."""
    return obs.wait_rendering(source, ready=composites(settings))


def test_live_filter_survives_a_script_reload(obs_factory, lucia_clip: Path) -> None:
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, GREEN)
    shows(obs, "clip", GREEN)
    obs.reload_scripts()
    obs.wait_log("filter 'bgremove_filter' reloaded")
    shows(obs, "clip", GREEN)
    obs.set_filter_settings("clip", "bg", BLUE)  # handled by the reloaded code
    shows(obs, "clip", BLUE)
    obs.add_filter("clip", "second", KIND, GREEN)  # created by the reloaded code
    shows(obs, "clip", GREEN)
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def test_settings_survive_a_restart(obs_factory, lucia_clip: Path) -> None:
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, {**BLUE, "threshold": 0.6})
    shows(obs, "clip", BLUE)
    obs.restart()
    assert obs.filter_settings("clip", "bg") == {**BLUE, "threshold": 0.6}
    shows(obs, "clip", BLUE)
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def test_killed_worker_passes_through_then_recovers(obs_factory, lucia_clip: Path) -> None:
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, GREEN)
    shows(obs, "clip", GREEN)
    (first,) = worker_pids(obs)

    os.kill(first, 9)
    obs.wait_log("The worker stopped (exit code -9)")
    obs.wait_log("worker started", count=2)
    second = worker_pids(obs)[1]
    assert second != first
    shows(obs, "clip", GREEN)
    obs.assert_clean_exit()
    wait_gone(second)


def test_invalid_settings_are_repaired_not_fatal(obs_factory, lucia_clip: Path) -> None:
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, {**GREEN, "threshold": 7.5, "feather": -40, "model": "nonsense"})
    shows(obs, "clip", GREEN)
    obs.wait_log(
        "Setting 'threshold' (Threshold) must be between 0.05 and 0.95, not 7.5. Using 0.95 instead."
    )
    obs.wait_log("Setting 'feather' (Feather) must be between 0 and 30, not -40. Using 0 instead.")
    obs.wait_log("Setting 'model' (Model) must be one of landscape, general, not 'nonsense'.")

    obs.set_filter_settings("clip", "bg", {"blur_strength": 1e300, "colour": "not a colour"})
    obs.wait_log("Setting 'colour' (Colour) must be a colour like #00B140")
    obs.wait_rendering("clip", ready=lambda rgba: share(rgba, (0, 0xB1, 0x40)) > BACKGROUND_SHARE)
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def test_several_filters_resolution_change_and_source_removal(
    obs_factory, lucia_clip: Path, tmp_path: Path
) -> None:
    smaller = tmp_path / "lucia-640x360.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(lucia_clip), "-vf", "scale=640:360", str(smaller)],
        check=True,
    )
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("one", lucia_clip)
    obs.add_media("two", lucia_clip)
    obs.add_filter("one", "bg", KIND, GREEN)
    obs.add_filter("two", "bg", KIND, BLUE)
    shows(obs, "one", GREEN)
    shows(obs, "two", BLUE)
    assert len(set(worker_pids(obs))) == 2

    obs.request("SetInputSettings", {"inputName": "two", "inputSettings": {"local_file": str(smaller)}})
    resized = obs.wait_rendering(
        "two", ready=lambda rgba: rgba.shape[:2] == (360, 640) and composites(BLUE)(rgba)
    )
    assert share(resized, (0, 0, 255)) < 0.97, "the person should stay visible at the new size"

    two_pid = worker_pids(obs)[1]
    obs.request("RemoveInput", {"inputName": "two"})
    wait_gone(two_pid, "the removed source's worker exiting")
    shows(obs, "one", GREEN)
    obs.assert_clean_exit()


def test_missing_environment_passes_through_and_says_how_to_fix(
    obs_factory, lucia_clip: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "not-a-venv"
    empty.mkdir()
    obs = obs_factory(scripts=[SCRIPT], env={"BGREMOVE_VENV": str(empty)})
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, GREEN)
    obs.wait_log("has no Python interpreter")
    assert "bash install/install.sh" in obs.run_log
    frame = obs.wait_rendering("clip")
    assert passes_through(frame, GREEN), "without dependencies the picture must pass through"
    assert KIND in obs.filter_kinds()
    obs.assert_no_script_errors()
    obs.assert_clean_exit()
