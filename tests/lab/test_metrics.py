"""The measuring tools the quality reports and the accuracy tests share, checked on known cases."""

from __future__ import annotations

import numpy as np
import pytest

from lab import metrics


def _square(x: int, size: int = 40) -> np.ndarray:
    mask = np.zeros((100, 100), bool)
    mask[30 : 30 + size, x : x + size] = True
    return mask


def test_iou_known_values():
    assert metrics.iou(_square(10), _square(10)) == 1.0
    assert metrics.iou(_square(0), _square(50)) == 0.0
    assert metrics.iou(_square(10), _square(30)) == pytest.approx(20 / 60)
    assert metrics.iou(np.zeros((5, 5), bool), np.zeros((5, 5), bool)) == 1.0


def test_boundary_f_tolerates_shifts_within_the_tolerance_only():
    assert metrics.boundary_f(_square(10), _square(10)) == 1.0
    assert metrics.boundary_f(_square(10), _square(12), tolerance=3) == 1.0
    assert metrics.boundary_f(_square(10), _square(20), tolerance=3) < 0.6
    assert metrics.boundary_f(_square(10), np.zeros((100, 100), bool)) == 0.0


def test_flicker_is_the_mean_change_per_frame():
    still = [np.full((4, 4), 200, np.uint8)] * 3
    assert metrics.flicker(still) == 0.0
    blink = [np.zeros((4, 4), np.float32), np.ones((4, 4), np.float32)]
    assert metrics.flicker(blink) == 1.0
    half = [np.zeros((2, 2), np.uint8), np.array([[255, 255], [0, 0]], np.uint8)]
    assert metrics.flicker(half) == pytest.approx(0.5)


def test_at_size_scores_at_the_truth_size():
    alpha = np.zeros((480, 640), np.uint8)
    alpha[:, :320] = 255
    small = metrics.at_size(alpha, (240, 320))
    assert small.shape == (240, 320)
    assert small[:, :160].all() and not small[:, 160:].any()
