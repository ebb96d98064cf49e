"""Faults in real OBS: a killed worker, a hung worker, a bad model file, MediaPipe failing to import.

In each case OBS must keep rendering, the picture must pass through while there is no current
mask (never a stale one), the cause must be a sentence in OBS's log and at the top of the
filter's properties, and the filter must come back by itself once the cause is gone. Each thing
must *happen* (within a deadline that only catches hangs); how fast it happens is measured by
``python -m bench.reliability`` and recorded in docs/RELIABILITY.md.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

from bgremove_core.models import resolve_model
from tests.support.procs import process_alive, wait_until
from tests.support.rig import (
    GREEN,
    KIND,
    Rig,
    composites,
    passes_through,
    worker_channel,
)


def _compositing_rig(obs_factory, clip: Path, **kwargs: object) -> Rig:
    rig = Rig.start(obs_factory, **kwargs)
    rig.obs.add_media("clip", clip)
    rig.obs.add_filter("clip", "bg", KIND, GREEN)
    rig.obs.wait_rendering("clip", ready=composites(GREEN))
    return rig


def test_killed_worker_passes_through_until_a_new_worker_answers(obs_factory, lucia_clip: Path) -> None:
    rig = _compositing_rig(obs_factory, lucia_clip)
    (first,) = rig.worker_pids()
    with worker_channel(first) as channel:
        os.kill(first, signal.SIGKILL)
        # Reaped by OBS (the next video_tick) once all its threads are gone: from then on OBS
        # knows, and no frame may show the dead worker's mask any more.
        wait_until(lambda: not Path(f"/proc/{first}").exists(), what="OBS reaping the killed worker")
        dead = channel.masks.count()  # the dead worker's last
        checked: list[int] = []

        def new_mask() -> bool:
            frame = rig.obs.screenshot("clip")
            if channel.masks.count() != dead:
                return True
            # Drawn while the new worker had published nothing yet: no current mask exists.
            assert passes_through(frame, GREEN), "a frame without a current mask must pass through"
            checked.append(dead)
            return False

        wait_until(new_mask, what="a mask from the new worker")
        assert checked, "no frame was drawn between the worker's death and its successor's first mask"
    rig.obs.wait_rendering("clip", ready=composites(GREEN))
    rig.obs.wait_log("The worker stopped (exit code -9). Restart 1 in 0 s.")
    second = rig.worker_pids()[1]
    assert second != first and process_alive(second)
    rig.obs.assert_no_script_errors()
    rig.obs.assert_clean_exit()
    wait_until(lambda: not process_alive(second), what="the worker's exit with OBS")


def test_hung_worker_is_killed_by_the_watchdog_and_replaced(obs_factory, lucia_clip: Path) -> None:
    rig = _compositing_rig(obs_factory, lucia_clip)
    (first,) = rig.worker_pids()

    os.kill(first, signal.SIGSTOP)  # hung: alive, holds its pipe, answers nothing
    rig.obs.wait_log("The worker stopped answering")
    assert not process_alive(first), "the hung worker must be killed, not left behind"
    rig.obs.wait_rendering("clip", ready=composites(GREEN))
    assert len(rig.worker_pids()) == 2
    assert "Restart 1 in 0 s." in rig.obs.run_log
    rig.obs.assert_no_script_errors()
    rig.obs.assert_clean_exit()


def test_missing_or_corrupt_model_is_explained_and_the_filter_keeps_working(
    obs_factory, lucia_clip: Path, tmp_path: Path
) -> None:
    rig = _compositing_rig(obs_factory, lucia_clip)
    missing = tmp_path / "no-such-model.tflite"
    real = resolve_model("landscape").path.read_bytes()
    corrupt = tmp_path / "truncated.tflite"
    corrupt.write_bytes(real[: len(real) // 2])  # an interrupted download

    cases = ((missing, "does not exist"), (corrupt, "MediaPipe could not load the model"))
    for path, reason in cases:
        rig.obs.set_filter_settings("clip", "bg", {"model_path": str(path)})
        rig.obs.wait_log(str(path))
        line = next(line for line in rig.obs.run_log.splitlines() if str(path) in line)
        assert reason in line and "Still using the previous model." in line, line
        panel = rig.wait_panel("clip", "bg", str(path))
        assert any(reason in message for message in panel), panel
        rig.obs.wait_rendering("clip", ready=composites(GREEN))  # the previous model still runs

    rig.obs.set_filter_settings("clip", "bg", {"model_path": ""})
    # Only the model's sentence goes: Keep in sync's delay line (information) stays in the panel.
    wait_until(
        lambda: not any("previous model" in line for line in rig.panel("clip", "bg")),
        what="the model's sentence leaving the panel once the model is fixed",
    )
    rig.obs.wait_rendering("clip", ready=composites(GREEN))
    assert len(rig.worker_pids()) == 1, "a bad model file must not crash the worker"
    rig.obs.assert_no_script_errors()
    rig.obs.assert_clean_exit()


def _venv_without_working_mediapipe(root: Path) -> Path:
    """A venv that has every package but whose ``import mediapipe`` fails (as with a broken
    wheel or a missing system library); the model files are still where mediapipe keeps them."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    real = Path(sysconfig.get_paths()["purelib"])
    packages = venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    (packages / "real-packages.pth").write_text(f"{real}\n")
    fake = packages / "mediapipe"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        'raise ImportError("libGLESv2.so.2: cannot open shared object file (simulated)")\n'
    )
    (fake / "modules").symlink_to(real / "mediapipe" / "modules")
    return venv


def test_mediapipe_import_failure_is_explained_and_obs_keeps_rendering(
    obs_factory, lucia_clip: Path, tmp_path: Path
) -> None:
    venv = _venv_without_working_mediapipe(tmp_path)
    rig = Rig.start(obs_factory, env={"BGREMOVE_VENV": str(venv)})
    rig.obs.add_media("clip", lucia_clip)
    rig.obs.add_filter("clip", "bg", KIND, GREEN)

    rig.obs.wait_log("MediaPipe could not be imported")
    line = next(line for line in rig.obs.run_log.splitlines() if "MediaPipe could not be imported" in line)
    assert "libGLESv2.so.2" in line and "bash install/install.sh" in line, line
    rig.obs.wait_log("The worker stopped (exit code 3). Restart 1 in 0 s.")
    rig.obs.wait_log("The worker stopped (exit code 3). Restart 2 in 1 s.")
    rig.wait_panel("clip", "bg", "MediaPipe could not be imported")
    rig.wait_panel("clip", "bg", "The worker stopped (exit code 3).")

    rig.obs.wait_frames(10)
    frame = rig.obs.wait_rendering("clip")
    assert passes_through(frame, GREEN), "without a worker the picture passes through"
    rig.obs.assert_no_script_errors()
    rig.obs.assert_clean_exit()
