"""Frame helpers: the person's box, box-only upscaling and growing scratch views."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bgremove_core.frames import Workspace, downscale, downscale_box, nonzero_box, resize_box


def test_nonzero_box_is_the_tightest_box_around_every_non_zero_pixel():
    mask = np.zeros((90, 160), np.uint8)
    assert nonzero_box(mask) is None
    mask[17, 40] = 1
    mask[60, 9] = 255
    rows, cols = nonzero_box(mask)
    assert (rows, cols) == (slice(17, 61), slice(9, 41))
    assert np.count_nonzero(mask[rows, cols]) == np.count_nonzero(mask)


def test_nonzero_box_on_a_real_mask(lucia_frame):
    mask = (cv2.cvtColor(lucia_frame, cv2.COLOR_BGR2GRAY) > 200).astype(np.uint8)
    ys, xs = np.nonzero(mask)
    assert nonzero_box(mask) == (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))


@pytest.mark.parametrize(
    ("small_size", "size"),
    [
        ((320, 180), (1280, 720)),
        ((240, 135), (1920, 1080)),
        ((640, 360), (1280, 720)),
        ((213, 120), (854, 480)),
    ],
)
@pytest.mark.parametrize("channels", [1, 3])
def test_resize_box_gives_the_same_bytes_as_resizing_everything(small_size, size, channels):
    rng = np.random.default_rng(7)
    sw, sh = small_size
    small = rng.integers(0, 256, (sh, sw, channels)[: 2 + (channels > 1)], dtype=np.uint8)
    full = cv2.resize(small, size)
    work = Workspace()
    w, h = size
    for _ in range(20):
        y0, y1 = sorted(rng.integers(0, h + 1, 2))
        x0, x1 = sorted(rng.integers(0, w + 1, 2))
        box = (slice(int(y0), int(y1) + 1), slice(int(x0), int(x1) + 1))
        np.testing.assert_array_equal(resize_box(small, size, box, work, "up"), full[box])


def test_workspace_view_grows_and_then_reuses_its_array():
    work = Workspace()
    a = work.view("x", (10, 20, 3))
    b = work.view("x", (30, 5, 3))
    assert a.shape == (10, 20, 3) and b.shape == (30, 5, 3)
    c = work.view("x", (25, 18, 3))
    assert np.shares_memory(b, c)
    assert work.view("x", (4, 4)).shape == (4, 4)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (853, 479), (270, 480)])
def test_downscale_box_matches_downscaling_everything(size):
    w, h = size
    rng = np.random.default_rng(9)
    for _ in range(10):
        mask = np.zeros((h, w), np.uint8)
        y0, y1 = sorted(rng.integers(0, h, 2))
        x0, x1 = sorted(rng.integers(0, w, 2))
        mask[y0 : y1 + 1, x0 : x1 + 1] = rng.integers(1, 256, (y1 + 1 - y0, x1 + 1 - x0), dtype=np.uint8)
        small = downscale_box(mask, 320, nonzero_box(mask))
        np.testing.assert_array_equal(small, downscale(mask, 320))
    np.testing.assert_array_equal(downscale_box(mask * 0, 320, None), downscale(mask * 0, 320))
