"""The Background Remover filter's life in real OBS: reloads, restarts, a killed worker, bad input.

Each test drives its own OBS (the ``obs_factory`` fixture) playing the real lucia clip, uses the
colour mode with a pure colour as an easy-to-measure sign that the filter is compositing, and
ends by asserting a clean exit (code 0, "Number of memory leaks: 0").
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import numpy as np
from harness import Obs

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "obs_bgremove.py"
KIND = "bgremove_filter"
GREEN = {"background": "colour", "colour": "#00FF00", "light_wrap": 0.0}
BLUE = {"background": "colour", "colour": "#0000FF", "light_wrap": 0.0}


def share(rgba: np.ndarray, rgb: tuple[int, int, int]) -> float:
    """Fraction of pixels within 12 grey levels of a colour."""
    return float((np.abs(rgba[..., :3].astype(np.int16) - rgb).max(axis=-1) <= 12).mean())


def shows(obs: Obs, source: str, rgb: tuple[int, int, int], timeout: float = 30) -> np.ndarray:
    """Wait until most of the source shows the background colour (the person is ~10% of it)."""
    return obs.wait_rendering(source, timeout, ready=lambda rgba: share(rgba, rgb) > 0.6)


def worker_pids(obs: Obs) -> list[int]:
    return [int(pid) for pid in re.findall(r"worker started \(pid (\d+)\)", obs.run_log)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def wait_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while alive(pid):
        assert time.monotonic() < deadline, f"worker {pid} still runs {timeout} s after its filter went"
        time.sleep(0.1)


def test_live_filter_survives_a_script_reload(obs_factory, lucia_clip: Path) -> None:
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, GREEN)
    shows(obs, "clip", (0, 255, 0))
    obs.reload_scripts()
    obs.wait_log("filter 'bgremove_filter' reloaded")
    shows(obs, "clip", (0, 255, 0))
    obs.set_filter_settings("clip", "bg", BLUE)  # handled by the reloaded code
    shows(obs, "clip", (0, 0, 255))
    obs.add_filter("clip", "second", KIND, GREEN)  # created by the reloaded code
    shows(obs, "clip", (0, 255, 0))
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def test_settings_survive_a_restart(obs_factory, lucia_clip: Path) -> None:
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, {**BLUE, "threshold": 0.6})
    shows(obs, "clip", (0, 0, 255))
    obs.restart()
    assert obs.filter_settings("clip", "bg") == {**BLUE, "threshold": 0.6}
    shows(obs, "clip", (0, 0, 255))
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def test_killed_worker_passes_through_then_recovers(obs_factory, lucia_clip: Path) -> None:
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, GREEN)
    shows(obs, "clip", (0, 255, 0))
    (first,) = worker_pids(obs)

    os.kill(first, 9)
    obs.wait_log("The worker stopped (exit code -9)")
    assert share(obs.screenshot("clip"), (0, 255, 0)) < 0.05, "a dead worker must mean pass-through"

    obs.wait_log("worker started", count=2)
    second = worker_pids(obs)[1]
    assert second != first
    shows(obs, "clip", (0, 255, 0))
    obs.assert_clean_exit()
    wait_gone(second)


def test_invalid_settings_are_repaired_not_fatal(obs_factory, lucia_clip: Path) -> None:
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media("clip", lucia_clip)
    obs.add_filter("clip", "bg", KIND, {**GREEN, "threshold": 7.5, "feather": -40, "model": "nonsense"})
    shows(obs, "clip", (0, 255, 0))
    obs.wait_log(
        "Setting 'threshold' (Threshold) must be between 0.05 and 0.95, not 7.5. Using 0.95 instead."
    )
    obs.wait_log("Setting 'feather' (Feather) must be between 0 and 30, not -40. Using 0 instead.")
    obs.wait_log("Setting 'model' (Model) must be one of landscape, general, not 'nonsense'.")

    obs.set_filter_settings("clip", "bg", {"blur_strength": 1e300, "colour": "not a colour"})
    obs.wait_log("Setting 'colour' (Colour) must be a colour like #00B140")
    shows(obs, "clip", (0, 0xB1, 0x40))  # the schema's default colour
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
    shows(obs, "one", (0, 255, 0))
    shows(obs, "two", (0, 0, 255))
    assert len(set(worker_pids(obs))) == 2

    obs.request("SetInputSettings", {"inputName": "two", "inputSettings": {"local_file": str(smaller)}})
    resized = obs.wait_rendering(
        "two", ready=lambda rgba: rgba.shape[:2] == (360, 640) and share(rgba, (0, 0, 255)) > 0.6
    )
    assert share(resized, (0, 0, 255)) < 0.97, "the person should stay visible at the new size"

    two_pid = worker_pids(obs)[1]
    obs.request("RemoveInput", {"inputName": "two"})
    wait_gone(two_pid)
    shows(obs, "one", (0, 255, 0))
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
    assert share(frame, (0, 255, 0)) < 0.05, "without dependencies the picture must pass through"
    assert KIND in obs.filter_kinds()
    obs.assert_no_script_errors()
    obs.assert_clean_exit()
