"""The one size rule and the mailbox capacities derived from it (bgremove_core.limits)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bgremove_core import limits
from bgremove_core.compose import blur_background_small, light_wrap_maps
from bgremove_core.frames import to_work_size

SIDES = (1, 2, 3, 17, 240, 319, 320, 321, 360, 639, 640, 641, 1080, 1280, 1440, 1920, 2560, 3840)
SIZES = list(itertools.product(SIDES, SIDES))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_work_size_is_the_size_the_refiner_works_at(width: int, height: int) -> None:
    """One rule: the size ``limits`` promises the OBS side is the size the CPU refines at."""
    w, h = limits.work_size(width, height)
    assert 1 <= w <= limits.WORK_MAX_SIDE and 1 <= h <= limits.WORK_MAX_SIDE
    assert to_work_size(np.zeros((height, width), np.uint8)).shape == (h, w)
    assert limits.work_size(w, h) == (w, h), "a frame already at its work size stays as it is"
    if max(width, height) <= limits.WORK_MAX_SIDE:
        assert (w, h) == (width, height)
    else:
        assert 2 * max(w, h) + 1 > limits.WORK_MAX_SIDE, "halved no further than needed"


def test_orientation_gets_the_same_budget() -> None:
    assert limits.work_size(1280, 720) == (640, 360)
    assert limits.work_size(1920, 1080) == (480, 270)
    assert limits.work_size(1080, 1920) == (270, 480)
    assert limits.picture_size(1080, 2400) == (864, 1920)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_mask_message_fits_its_mailbox(width: int, height: int) -> None:
    """Both mask layouts (blur; colour/picture with light wrap), built by the real functions."""
    w, h = limits.work_size(width, height)
    frame = np.zeros((h, w, 3), np.uint8)
    alpha = np.full((h, w), 255, np.uint8)
    blur = alpha.nbytes + 4 * alpha.nbytes  # the blurred picture goes out at mask size, BGRA
    glow, weight = light_wrap_maps(frame, alpha, 0.5)
    wrap = alpha.nbytes + 4 * glow.shape[0] * glow.shape[1] + weight.nbytes
    assert blur_background_small(frame, alpha, 40).shape[:2] == glow.shape[:2]
    assert max(blur, wrap) <= limits.MASK_CAPACITY


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_background_picture_fits_its_mailbox(width: int, height: int) -> None:
    w, h = limits.picture_size(width, height)
    assert w * h * 4 <= limits.BACKGROUND_CAPACITY
