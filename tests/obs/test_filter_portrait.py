"""Portrait (9:16) video in real OBS: the filter must draw the composite, not pass the picture through.

Vertical sources (Shorts, TikTok, Reels, dual-output setups) once got no mask at all: the mask
was too big for its mailbox and the refusal went unnoticed, so OBS showed the unfiltered picture.
A 1080x1920 media source made from a real person photo (with its hand-drawn mask) plays in OBS;
transparent and blur modes must change the background and keep the person.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tests.support.images import frame_clip, regions
from tests.support.obs import ObsFactory
from tests.support.paths import SCRIPT

SOURCE, FILTER, KIND = "portrait", "bgremove", "bgremove_filter"
PHOTO = "113"
"""A 480x640 photo of one person; centred on a 1080x1920 canvas it is a 9:16 webcam-style frame."""
SIZE = (1080, 1920)
SHOT = (270, 480)
"""Screenshots are taken at a quarter of the source size: enough to judge regions, cheap to send."""
MARGIN = 6
"""Pixels (at screenshot size) the hand mask is eroded by, so region checks ignore the soft edge."""


def _portrait_clip(shared_data: Path, directory: Path) -> tuple[Path, np.ndarray]:
    """A 1080x1920 clip of the photo centred on black, and its hand mask at screenshot size."""
    image = cv2.imread(str(shared_data / "people" / "images" / f"{PHOTO}.jpg"))
    truth = cv2.imread(str(shared_data / "people" / "masks" / f"{PHOTO}.png"), cv2.IMREAD_GRAYSCALE)
    assert image is not None and truth is not None
    scale = SIZE[0] / image.shape[1]
    inner = (SIZE[0], round(image.shape[0] * scale))
    top = (SIZE[1] - inner[1]) // 2
    frame = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    frame[top : top + inner[1]] = cv2.resize(image, inner, interpolation=cv2.INTER_LINEAR)
    hand = np.zeros((SIZE[1], SIZE[0]), np.uint8)
    hand[top : top + inner[1]] = cv2.resize(truth, inner, interpolation=cv2.INTER_NEAREST)
    clip = frame_clip(frame, directory / "portrait.mp4")
    return clip, cv2.resize(hand, SHOT, interpolation=cv2.INTER_AREA) > 127


def test_portrait_source_is_composited(obs_factory: ObsFactory, shared_data: Path, tmp_path: Path) -> None:
    clip, hand = _portrait_clip(shared_data, tmp_path)
    core = regions(hand, MARGIN)
    person, background = core.person, core.background
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_media(SOURCE, clip)
    original = obs.wait_rendering(SOURCE, width=SHOT[0], height=SHOT[1])
    assert original.shape[:2] == (SHOT[1], SHOT[0])

    obs.add_filter(SOURCE, FILTER, KIND, {"background": "transparent"})
    transparent = obs.wait_rendering(
        SOURCE,
        width=SHOT[0],
        height=SHOT[1],
        ready=lambda rgba: (rgba[..., 3][background] < 16).mean() > 0.9,
    )
    assert (transparent[..., 3][person] > 240).mean() > 0.9, "the person must stay opaque"

    obs.set_filter_settings(SOURCE, FILTER, {"background": "blur", "blur_strength": 60})
    detail = np.abs(cv2.Laplacian(cv2.cvtColor(original, cv2.COLOR_RGBA2GRAY), cv2.CV_32F))
    photo_background = background & (cv2.cvtColor(original, cv2.COLOR_RGBA2GRAY) > 0)  # not the padding

    def blurred(rgba: np.ndarray) -> bool:
        now = np.abs(cv2.Laplacian(cv2.cvtColor(rgba, cv2.COLOR_RGBA2GRAY), cv2.CV_32F))
        return (rgba[..., 3] > 240).mean() > 0.99 and (
            now[photo_background].mean() < 0.4 * detail[photo_background].mean()
        )

    shown = obs.wait_rendering(SOURCE, width=SHOT[0], height=SHOT[1], ready=blurred)
    kept = (np.abs(shown.astype(int) - original.astype(int)).max(axis=-1)[person] <= 16).mean()
    assert kept > 0.8, f"only {kept:.0%} of the person's core pixels kept their colour"

    # A message the channel refuses is said, never dropped silently: settings too long to send.
    obs.set_filter_settings(SOURCE, FILTER, {"background": "image", "image": "/" + "x" * 20_000})
    obs.wait_log("too long to hand to the worker")
    obs.assert_no_script_errors()
