"""The real-OBS harness itself, checked with OBS's own filters only (no bgremove code).

Each test starts a real OBS under Xvfb (about a second) and stops it gracefully; the suite
checks what the bgremove end-to-end tests rely on: screenshots are the rendered pixels in RGBA
order, filters change them, settings persist across a restart, scripts really reload, and OBS
exits cleanly.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support.images import mean_change
from tests.support.obs import Obs, ObsFactory, ObsHarnessError, installed_version, is_blank
from tests.support.procs import wait_until

pytestmark = pytest.mark.usefixtures("require_obs")

COLOR_CORRECTION = "color_filter_v2"  # "Color Correction" in OBS 29's filter menu
PROBE_SCRIPT = """
import obspython

loads = globals().get("loads", 0)


def script_load(settings):
    global loads
    loads += 1
    print(f"reload-probe load {loads}")
"""


def read_rgb(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def lucia_rgb_frames(lucia_clip: Path) -> list[np.ndarray]:
    frames = sorted((lucia_clip.parent / "lucia_frames").glob("*.jpg"))
    assert frames, f"No frames next to {lucia_clip}."
    return [read_rgb(path) for path in frames]


def pids_alive(*pids: int) -> list[int]:
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def test_media_source_renders_the_clip(
    obs_factory: ObsFactory, lucia_clip: Path, lucia_rgb_frames: list[np.ndarray]
) -> None:
    obs = obs_factory()
    assert installed_version().startswith(obs.version()), "the harness drives the OBS on PATH"
    obs.add_media("clip", lucia_clip)
    rgba = obs.wait_rendering("clip")

    assert rgba.shape == (480, 854, 4)
    assert (rgba[..., 3] == 255).all(), "a video source should be fully opaque"
    errors = [mean_change(rgba[..., :3], frame) for frame in lucia_rgb_frames]
    best = int(np.argmin(errors))
    mirrored = mean_change(rgba[..., :3], lucia_rgb_frames[best][:, ::-1])
    assert errors[best] < 8, f"screenshot matches no clip frame (best: frame {best})"
    assert errors[best] < mirrored / 3, "the match should be specific, not any similar image"
    obs.assert_clean_exit()


def test_image_screenshot_is_exact_rgba(obs_factory: ObsFactory, lucia_clip: Path) -> None:
    frame_path = lucia_clip.parent / "lucia_frames" / "00000.jpg"
    obs = obs_factory()
    obs.add_image("still", frame_path)
    rgba = obs.wait_rendering("still")
    half = obs.screenshot("still", 427, 240)

    expected = read_rgb(frame_path)
    assert mean_change(rgba[..., :3], expected) < 2, "channels out of order or image altered"
    assert half.shape == (240, 427, 4)
    assert mean_change(half[..., :3], cv2.resize(expected, (427, 240), cv2.INTER_AREA)) < 6
    assert len(list(obs.screenshot_dir.glob("*_still.png"))) >= 2, "screenshots are kept"
    obs.assert_clean_exit()


def test_filter_kinds_lists_builtin_filters(obs_factory: ObsFactory) -> None:
    obs = obs_factory()
    kinds = obs.filter_kinds()
    assert "color_filter" in kinds
    assert COLOR_CORRECTION in kinds
    assert "chroma_key_filter_v2" in kinds
    assert len(kinds) == len(set(kinds))
    obs.assert_clean_exit()


def test_color_correction_changes_and_restores_the_screenshot(
    obs_factory: ObsFactory, lucia_clip: Path
) -> None:
    obs = obs_factory()
    obs.add_image("still", lucia_clip.parent / "lucia_frames" / "00000.jpg")
    before = obs.wait_rendering("still")
    assert np.ptp(before[..., :3].astype(int), axis=2).mean() > 10, "test image must be colourful"

    obs.add_filter("still", "cc", COLOR_CORRECTION, {"saturation": -1.0})
    grey = obs.screenshot("still")
    assert np.ptp(grey[..., :3].astype(int), axis=2).mean() < 2, "saturation -1 gives grey"
    assert obs.filter_settings("still", "cc") == {"saturation": -1.0}

    obs.set_filter_settings("still", "cc", {"brightness": 0.5})
    brighter = obs.screenshot("still")
    assert brighter[..., :3].mean() > grey[..., :3].mean() + 40
    assert obs.filter_settings("still", "cc") == {"saturation": -1.0, "brightness": 0.5}

    obs.set_filter_settings("still", "cc", {"opacity": 0.5})
    alpha = obs.screenshot("still")[..., 3]
    assert abs(float(np.median(alpha)) - 127.5) < 3, "screenshots keep the alpha channel"

    obs.set_filter_enabled("still", "cc", False)
    assert mean_change(obs.screenshot("still"), before) < 1
    obs.set_filter_enabled("still", "cc", True)
    obs.remove_filter("still", "cc")
    assert mean_change(obs.screenshot("still"), before) < 1
    obs.assert_clean_exit()


def test_settings_survive_restart(obs_factory: ObsFactory, lucia_clip: Path) -> None:
    obs = obs_factory()
    obs.add_image("still", lucia_clip.parent / "lucia_frames" / "00000.jpg")
    obs.add_filter("still", "cc", COLOR_CORRECTION, {"saturation": -1.0, "gamma": 0.3})
    grey = obs.wait_rendering("still")

    obs.restart()
    assert obs.filter_settings("still", "cc") == {"saturation": -1.0, "gamma": 0.3}
    assert mean_change(obs.wait_rendering("still"), grey) < 1
    assert obs.run_log.count("harness: starting OBS") == 1
    assert obs.log.count("harness: starting OBS") == 2
    obs.assert_clean_exit()


def test_reload_scripts_reexecutes_loaded_scripts(obs_factory: ObsFactory, tmp_path: Path) -> None:
    probe = tmp_path / "reload_probe.py"
    probe.write_text(PROBE_SCRIPT)
    obs = obs_factory(scripts=[probe])
    obs.wait_log("reload-probe load 1")

    assert obs.reload_scripts() == ["reload_probe.py"]
    obs.wait_log("reload-probe load 2")
    assert obs.reload_scripts() == ["reload_probe.py"]
    obs.wait_log("reload-probe load 3")
    obs.assert_no_script_errors()
    assert "companion ready" in obs.run_log and obs.run_log.count("companion ready") == 1
    obs.assert_clean_exit()


def test_reload_reports_a_script_that_fails_to_load(obs_factory: ObsFactory, tmp_path: Path) -> None:
    probe = tmp_path / "reload_probe.py"
    probe.write_text(PROBE_SCRIPT)
    obs = obs_factory(scripts=[probe])
    obs.wait_log("reload-probe load 1")
    probe.write_text("raise RuntimeError('probe broken on purpose')\n")

    with pytest.raises(ObsHarnessError, match=r"reload_probe\.py did not load again"):
        obs.reload_scripts()
    assert any("probe broken on purpose" in line for line in obs.script_errors())
    obs.assert_clean_exit()


def test_process_metrics_and_frames(obs_factory: ObsFactory, lucia_clip: Path) -> None:
    obs = obs_factory(fps=10)
    obs.add_media("clip", lucia_clip)
    cpu_before = obs.cpu_seconds()
    frames_before = obs.stats()["renderTotalFrames"]
    obs.wait_frames(10)
    assert obs.stats()["renderTotalFrames"] >= frames_before + 10
    assert obs.cpu_seconds() > cpu_before
    assert 50e6 < obs.rss_bytes() < 4e9
    obs.assert_clean_exit()


def test_a_crashed_obs_is_reported_with_its_exit_code(obs_factory: ObsFactory) -> None:
    obs = obs_factory()
    os.kill(obs.pid, signal.SIGKILL)
    with pytest.raises(ObsHarnessError, match="OBS exited with code -9"):
        wait_until(lambda: not obs.stats(), what="a request to fail")
    assert obs.stop() == -signal.SIGKILL


def test_two_instances_run_side_by_side(obs_factory: ObsFactory) -> None:
    first, second = obs_factory("first"), obs_factory("second")
    assert first.port != second.port
    assert first.display != second.display
    assert first.filter_kinds() == second.filter_kinds()
    first.assert_clean_exit()
    second.assert_clean_exit()


def test_failed_start_reports_the_log_and_leaves_no_process(obs_factory: ObsFactory) -> None:
    obs = obs_factory(start=False, env={"QT_QPA_PLATFORM": "no-such-platform"})
    with pytest.raises(ObsHarnessError, match="no-such-platform"):
        obs.start(timeout=30)
    assert not obs.running
    assert obs.stop() != 0


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    obs = Obs(tmp_path / "obs")
    with obs:
        pids = obs.pids()
        assert len(pids) == 2 and pids_alive(*pids) == pids
    assert pids_alive(*pids) == []
    assert obs.stop() == 0, "stop() is idempotent and keeps the exit code"


def test_stop_right_after_start_is_clean(tmp_path: Path) -> None:
    """Regression: SIGINT right after start hung or crashed OBS 29 ~1 run in 7 (see companion.py);
    File > Exit through the companion must exit cleanly however busy the UI still is."""
    obs = Obs(tmp_path / "obs")
    for _ in range(5):
        obs.start()
        obs.assert_clean_exit()
    assert obs.log.count("==== Shutting down") == 5


def test_environment_drops_qt_variables_and_names_the_venv(tmp_path: Path) -> None:
    os.environ["QT_BGREMOVE_PROBE"] = "1"
    try:
        env = Obs(tmp_path / "obs", env={"EXTRA": "x"})._environment()
    finally:
        del os.environ["QT_BGREMOVE_PROBE"]
    assert not [key for key in env if key.startswith("QT_")]
    assert env["EXTRA"] == "x"
    assert Path(env["BGREMOVE_VENV"], "bin").is_dir()
    assert env["HOME"] == str(tmp_path / "obs" / "home")


def test_blank_detection() -> None:
    transparent = np.zeros((4, 4, 4), np.uint8)
    flat = np.full((4, 4, 4), 255, np.uint8)
    textured = flat.copy()
    textured[0, 0, :3] = 0
    assert is_blank(transparent) and is_blank(flat) and not is_blank(textured)
