"""Keep in sync in real OBS, measured as drawn: every frame OBS outputs is read back (the
companion's raw-video capture) and its picture and mask are identified from the pixels alone
(:mod:`tests.support.asdrawn`), on the lucia clip at 720p and 30 fps.

The full figures on the three shared clips are ``python -m bench.obs_asdrawn`` (docs/QUALITY.md).
Waits are for states (frames rendered, the composite on screen, a log line); nothing here
asserts a time.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from tests.support import asdrawn
from tests.support.obs import Obs
from tests.support.obsconfig import SCENE
from tests.support.paths import SCRIPT
from tests.support.rig import KIND

CAPTURED_FRAMES = 60
"""Output frames analysed per mode: two seconds at 30 fps, most of the 70-frame clip."""
SETTLE_FRAMES = 15
"""Frames after a setting change before measuring: the hold fills or empties in a few."""
COMPOSITE_SHARE = 0.4
"""Above this share of key-coloured pixels the filter is compositing (lucia fills far less)."""
FREEZE_FRAMES = 30
"""Identical output frames in a row that would mean a frozen picture (one second at 30 fps; the
hold lets no frame wait more than 0.2 s, and OBS repeats a frame when it skips one)."""
SYNC_SHARE = 0.95
SYNC_SOURCE_SHARE = 0.9
"""A sync source keeps only the last three pictures read back (ring.py): on a loaded machine a
mask can come back after its picture was overwritten, and that frame shows the newest mask on the
current picture. Measured 94.8 % on one CI run of three (100 % on the others); sync off stays
near 0 %, so the test still tells the two apart."""
IOU_TOLERANCE = 0.02
"""This short run against ``bgremove process``; the three-clip benchmark meets 0.01."""


@pytest.fixture(scope="module")
def lucia(tmp_path_factory: pytest.TempPathFactory, ffmpeg: None) -> tuple[Path, asdrawn.Reference]:
    clip = asdrawn.make_clip("lucia", tmp_path_factory.mktemp("asdrawn"))
    return clip, asdrawn.reference("lucia", clip, asdrawn.CAPTURE_SIZE)


def _key_share(rgba: np.ndarray) -> float:
    distance = np.linalg.norm(rgba[..., :3].astype(np.float32) - asdrawn.KEY_RGB, axis=2)
    return float((distance < asdrawn.NOT_KEY).mean())


def _play(obs: Obs, clip: Path, keep_in_sync: bool) -> None:
    obs.add_media("clip", clip)
    obs.fit_to_canvas("clip")
    obs.add_filter("clip", "bg", KIND, {**asdrawn.SETTINGS, "keep_in_sync": keep_in_sync})
    obs.wait_rendering("clip", ready=lambda rgba: _key_share(rgba) > COMPOSITE_SHARE)


def _measure(obs: Obs, ref: asdrawn.Reference) -> asdrawn.Summary:
    obs.wait_frames(SETTLE_FRAMES)
    obs.start_capture()
    obs.wait_frames(CAPTURED_FRAMES)
    return asdrawn.summarise(np.asarray(obs.stop_capture()), ref)


def test_with_keep_in_sync_every_frame_drawn_carries_its_own_mask(obs_factory, lucia) -> None:
    clip, ref = lucia
    obs = obs_factory(scripts=[SCRIPT], fps=asdrawn.FPS)
    _play(obs, clip, keep_in_sync=True)
    on = _measure(obs, ref)
    obs.set_filter_settings("clip", "bg", {"keep_in_sync": False})
    off = _measure(obs, ref)
    print(f"\nCLI IoU {ref.cli_iou:.3f}\nsync on:  {on.line()}\nsync off: {off.line()}")

    assert on.frames >= CAPTURED_FRAMES // 2, on.line()
    assert on.in_sync >= SYNC_SHARE, on.line()
    assert abs(on.iou_hand - ref.cli_iou) <= IOU_TOLERANCE, (on.line(), ref.cli_iou)
    assert off.frames >= CAPTURED_FRAMES // 2 and off.in_sync < on.in_sync, off.line()
    obs.remove_filter("clip", "bg")
    obs.wait_log("'bg': worker stopped;")
    assert "added video delay p50" in obs.run_log
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def test_a_sync_source_is_drawn_from_the_picture_its_mask_was_computed_from(obs_factory, lucia) -> None:
    """A scene is a sync source: no frames to hold; the filter reads it back and, with Keep in
    sync, draws the picture it read back (kept on the GPU) with that picture's mask."""
    clip, ref = lucia
    obs = obs_factory(scripts=[SCRIPT], fps=asdrawn.FPS)
    obs.add_media("clip", clip)
    obs.fit_to_canvas("clip")
    obs.add_filter(SCENE, "bg", KIND, {**asdrawn.SETTINGS, "keep_in_sync": True})
    obs.wait_rendering(SCENE, ready=lambda rgba: _key_share(rgba) > COMPOSITE_SHARE)
    on = _measure(obs, ref)
    obs.set_filter_settings(SCENE, "bg", {"keep_in_sync": False})
    off = _measure(obs, ref)
    print(f"\nCLI IoU {ref.cli_iou:.3f}\nscene, sync on:  {on.line()}\nscene, sync off: {off.line()}")

    assert on.frames >= CAPTURED_FRAMES // 2 and on.in_sync >= SYNC_SOURCE_SHARE, on.line()
    assert off.in_sync < on.in_sync, off.line()
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def _longest_repeat(frames: np.ndarray) -> int:
    longest = run = 1
    for previous, current in itertools.pairwise(frames):
        run = run + 1 if np.array_equal(previous, current) else 1
        longest = max(longest, run)
    return longest


def test_switching_keep_in_sync_while_playing_never_freezes_blacks_out_or_leaks(obs_factory, lucia) -> None:
    clip, _ = lucia
    obs = obs_factory(scripts=[SCRIPT], fps=asdrawn.FPS)
    _play(obs, clip, keep_in_sync=True)
    obs.start_capture()
    for keep_in_sync in (False, True, False, True):
        obs.set_filter_settings("clip", "bg", {"keep_in_sync": keep_in_sync})
        obs.wait_frames(SETTLE_FRAMES)
    obs.set_filter_enabled("clip", "bg", False)  # held frames go back to the source
    obs.wait_frames(SETTLE_FRAMES)
    obs.set_filter_enabled("clip", "bg", True)
    obs.wait_frames(SETTLE_FRAMES)
    frames = np.asarray(obs.stop_capture())
    item = obs.request("GetSceneItemId", {"sceneName": SCENE, "sourceName": "clip"})["sceneItemId"]
    for shown in (False, True):  # hidden: shown nowhere, its held frames go back too
        change = {"sceneName": SCENE, "sceneItemId": item, "sceneItemEnabled": shown}
        obs.request("SetSceneItemEnabled", change)
        obs.wait_frames(SETTLE_FRAMES)

    brightness = frames[..., :3].mean(axis=(1, 2, 3))
    assert brightness.min() > 20, f"an output frame went black (mean {brightness.min():.1f})"
    assert _longest_repeat(frames) < FREEZE_FRAMES, "the picture froze"
    obs.wait_rendering("clip", ready=lambda rgba: _key_share(rgba) > COMPOSITE_SHARE)
    obs.remove_filter("clip", "bg")  # with frames held: they are released, nothing leaks
    obs.wait_log("'bg': worker stopped;")
    obs.assert_no_script_errors()
    obs.assert_clean_exit()
