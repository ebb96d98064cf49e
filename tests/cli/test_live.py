"""``bgremove live`` on a real X display (Xvfb): screen capture, the loop, keys, and the window."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from clitools import truth_mask

from bgremove_core.cli.live import Controls, run_live
from bgremove_core.media.sources import ScreenSource
from bgremove_core.pipeline import RealtimeProcessor
from bgremove_core.settings import Settings
from tests.support.clirun import run_cli
from tests.support.procs import wait_until

PHOTO = "113"
SHOW_PERSON = """
import sys, cv2
image = cv2.imread(sys.argv[1])
cv2.namedWindow("person", cv2.WINDOW_AUTOSIZE)
cv2.moveWindow("person", 0, 0)
while True:
    cv2.imshow("person", image)
    cv2.waitKey(50)
"""


class ScriptedDisplay:
    """Records what would be shown and presses keys at given frame numbers."""

    def __init__(self, keys: dict[int, str]) -> None:
        self.keys = keys
        self.shown: list[np.ndarray] = []

    def show(self, image: np.ndarray) -> int | None:
        self.shown.append(image)
        key = self.keys.get(len(self.shown))
        return None if key is None else ord(key)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def person_on_screen(xvfb: str, shared_data: Path) -> Iterator[tuple[int, int, int, int]]:
    """A real window on the Xvfb screen showing a person photo; yields its screen region."""
    photo = cv2.imread(str(shared_data / "people" / "images" / f"{PHOTO}.jpg"))
    env = {**os.environ, "DISPLAY": xvfb}
    proc = subprocess.Popen(
        [sys.executable, "-c", SHOW_PERSON, str(shared_data / "people" / "images" / f"{PHOTO}.jpg")],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        import mss

        corner: list[tuple[int, int]] = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DISPLAY", xvfb)
            factory = getattr(mss, "MSS", None) or mss.mss
            with factory() as grabber:

                def photo_shown() -> bool:
                    screen = cv2.cvtColor(np.asarray(grabber.grab(grabber.monitors[1])), cv2.COLOR_BGRA2BGR)
                    scores = cv2.matchTemplate(screen, photo, cv2.TM_CCOEFF_NORMED)
                    _, found, _, top_left = cv2.minMaxLoc(scores)
                    corner[:] = [top_left] if found >= 0.95 else []
                    return bool(corner)

                wait_until(photo_shown, what="the photo window on the Xvfb screen", interval=0.2)
        ((left, top),) = corner
        assert proc.poll() is None, "the photo window process died"
        yield left, top, photo.shape[1], photo.shape[0]
    finally:
        proc.kill()
        proc.wait()


def test_screen_capture_loop_with_keys(
    person_on_screen: tuple[int, int, int, int], xvfb: str, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", xvfb)
    display = ScriptedDisplay({1: "m", 12: "q"})
    controls = Controls(Settings(max_fps=0))
    source = ScreenSource(person_on_screen)
    try:
        with RealtimeProcessor(controls.settings) as processor:
            stats = run_live(source, processor, display, controls, frames=100)
    finally:
        source.close()
    assert stats.frames == 12, "q quits at once"
    assert controls.settings.show_mask
    shown_mask = display.shown[-1][..., 1]
    truth = truth_mask(shared_data / "people" / "masks" / f"{PHOTO}.png", shown_mask.shape)
    below_label = slice(60, None)
    predicted = shown_mask[below_label] > 127
    iou = (predicted & truth[below_label]).sum() / (predicted | truth[below_label]).sum()
    assert iou > 0.8, f"the live mask of the captured person should match the photo's mask (IoU {iou:.2f})"


@pytest.mark.parametrize("keep_in_sync", [True, False])
def test_screen_capture_loop_in_and_out_of_sync(
    person_on_screen: tuple[int, int, int, int],
    xvfb: str,
    monkeypatch: pytest.MonkeyPatch,
    keep_in_sync: bool,
) -> None:
    monkeypatch.setenv("DISPLAY", xvfb)
    display = ScriptedDisplay({})
    controls = Controls(Settings(max_fps=0, keep_in_sync=keep_in_sync))
    source = ScreenSource(person_on_screen)
    try:
        with RealtimeProcessor(controls.settings) as processor:
            stats = run_live(source, processor, display, controls, frames=24)
    finally:
        source.close()
    assert stats.frames == len(display.shown) == 24
    assert 1 <= stats.pictures <= stats.frames
    if keep_in_sync:
        assert stats.mean_delay > 0, "each picture waits for its own mask"
    else:
        assert stats.pictures == stats.frames and stats.mean_delay == 0


def test_keep_in_sync_flag(xvfb: str, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", xvfb)
    for flag in ("--keep-in-sync", "--no-keep-in-sync"):
        run = cli("live", "--screen", "0,0,320,240", "--frames", 5, "--no-window", flag)
        assert run.code == 0, run.err
        assert "different camera frames" in run.out
    with pytest.raises(SystemExit) as refused:
        cli("process", "--keep-in-sync", "in.mp4", "out.mp4")
    assert refused.value.code == 2, "file commands segment every frame: no such flag"


def test_controls_cycle_modes_and_images() -> None:
    controls = Controls(Settings(), images=["a.jpg", "b.jpg"])
    seen = [controls.press(ord("b")).background for _ in range(4)]
    assert seen == ["colour", "image", "transparent", "blur"], "video is skipped: no video file given"
    assert controls.press(ord("i")).image == "a.jpg"
    assert controls.press(ord("i")).image == "b.jpg"
    assert controls.settings.background == "image"
    assert controls.press(ord("m")).show_mask
    assert controls.press(ord("x")) is None
    controls.press(27)
    assert controls.quit


def test_headless_cli_run(xvfb: str, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", xvfb)
    run = cli("live", "--screen", "0,0,320,240", "--frames", 5, "--no-window", "--background", "transparent")
    assert run.code == 0, run.err
    assert run.out.startswith("live: 5 frames")


def test_window_cli_run(xvfb: str) -> None:
    run = run_cli(["live", "--screen", "--frames", 5], env={**os.environ, "DISPLAY": xvfb})
    assert run.code == 0, run.err
    assert "live: 5 frames" in run.out
    assert run.err == ""  # no Qt font warnings, no MediaPipe start-up lines


def test_window_without_display_is_refused(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    run = cli("live", "--camera", 0)
    assert run.code == 2
    assert "no display for the live window" in run.err


def test_missing_camera_is_refused(cli) -> None:
    run = cli("live", "--camera", 97, "--no-window", "--frames", 1)
    assert run.code == 2
    assert "Camera 97 could not be opened" in run.err


def test_screen_region_off_screen_is_refused(cli, xvfb: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", xvfb)
    run = cli("live", "--screen", "1000,600,640,480", "--no-window", "--frames", 1)
    assert run.code == 2
    assert "extends past the screen" in run.err
