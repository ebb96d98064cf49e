"""What a correct composite looks like, checked on a screenshot of the filtered source.

Shared by the render tests (one still frame, every mode) and the source-material tests (the same
frame in every format OBS hands over): the person's core keeps its colours, the background's
core shows the new background, and the GPU composite stays close to the core's CPU compositor
fed the unfiltered frame and the mask the filter draws ("show mask").
"""

from __future__ import annotations

import cv2
import numpy as np

from bgremove_core.compose import Compositor
from bgremove_core.settings import Settings

from .obs import Obs

GPU_VS_CPU_MEAN = 1.5
GPU_VS_CPU_P99 = 6
"""Tolerances (grey levels, max over channels) between the GPU composite and the CPU reference.
Colour/transparent/image should be exact up to rounding; blur and light wrap differ a little
because the worker blurs a 640 px wide copy of the frame where the CPU path starts from the full
frame."""
KEPT_LEVELS = 12
"""A person pixel is kept when no channel moved further than this from the unfiltered frame."""
BLURRED_DETAIL = 0.4
"""Blur mode: the background's edge energy must fall below this share of the original's."""


def bgr(rgba: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR)


def diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel, the largest channel difference."""
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=-1)


def assert_person_kept(frame: np.ndarray, out: np.ndarray, person: np.ndarray) -> None:
    """``out`` (BGR) keeps the colours of ``frame`` (BGR) in the person's core."""
    kept = (diff(out, frame)[person] <= KEPT_LEVELS).mean()
    assert kept > 0.9, f"only {kept:.1%} of the person's core pixels kept their original colour"


def assert_mask_finds_person(mask: np.ndarray, person: np.ndarray, background: np.ndarray) -> None:
    """The mask the filter draws ("show mask", one channel) agrees with the hand-drawn one."""
    found, left = (mask[person] > 128).mean(), (mask[background] < 128).mean()
    assert found > 0.9, f"the mask covers only {found:.1%} of the person's core"
    assert left > 0.97, f"the mask leaves only {left:.1%} of the background's core out"


def assert_background_blurred(frame: np.ndarray, out: np.ndarray, background: np.ndarray) -> None:
    detail = np.abs(cv2.Laplacian(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), cv2.CV_32F))
    blurred = np.abs(cv2.Laplacian(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), cv2.CV_32F))
    ratio = blurred[background].mean() / detail[background].mean()
    assert ratio < BLURRED_DETAIL, f"background detail only fell to {ratio:.0%} of the original"


def assert_transparent(out: np.ndarray, person: np.ndarray, background: np.ndarray) -> None:
    """``out`` (RGBA): the background's core transparent, the person's core opaque."""
    alpha = out[..., 3]
    clear, opaque = (alpha[background] < 16).mean(), (alpha[person] > 240).mean()
    assert clear > 0.97, f"only {clear:.1%} of the background's core is transparent"
    assert opaque > 0.9, f"only {opaque:.1%} of the person's core is opaque"


def assert_close_to_cpu(
    obs: Obs, frame: np.ndarray, out: np.ndarray, mask: np.ndarray, settings: Settings
) -> None:
    """The GPU composite ``out`` (RGBA) matches the core's CPU compositor on ``frame`` and ``mask``.

    On failure the expected picture and an amplified difference are saved next to OBS's
    screenshots.
    """
    compositor = Compositor(settings)
    try:
        expected = compositor.compose(frame, mask)
    finally:
        compositor.close()
    actual = bgr(out) if expected.shape[2] == 3 else cv2.cvtColor(out, cv2.COLOR_RGBA2BGRA)
    difference = diff(actual, expected)
    name = settings.background
    mean, p99 = difference.mean(), np.percentile(difference, 99)
    if mean > GPU_VS_CPU_MEAN or p99 > GPU_VS_CPU_P99:
        obs.save_image(f"expected_{name}", cv2.cvtColor(expected[..., :3], cv2.COLOR_BGR2RGB))
        obs.save_image(f"diff_{name}", np.clip(difference * 8, 0, 255).astype(np.uint8))
    assert mean <= GPU_VS_CPU_MEAN, f"{name}: mean |GPU - CPU| = {mean:.2f}"
    assert p99 <= GPU_VS_CPU_P99, f"{name}: p99 |GPU - CPU| = {p99}"
