"""The measuring tools the quality report and the accuracy tests share, checked on known cases."""

from __future__ import annotations

import numpy as np
import pytest

from bgremove_core import benchmark
from bgremove_core.cli import bench


def _square(x: int, size: int = 40) -> np.ndarray:
    mask = np.zeros((100, 100), bool)
    mask[30 : 30 + size, x : x + size] = True
    return mask


def test_iou_known_values():
    assert benchmark.iou(_square(10), _square(10)) == 1.0
    assert benchmark.iou(_square(0), _square(50)) == 0.0
    assert benchmark.iou(_square(10), _square(30)) == pytest.approx(20 / 60)
    assert benchmark.iou(np.zeros((5, 5), bool), np.zeros((5, 5), bool)) == 1.0


def test_boundary_f_tolerates_shifts_within_the_tolerance_only():
    assert benchmark.boundary_f(_square(10), _square(10)) == 1.0
    assert benchmark.boundary_f(_square(10), _square(12), tolerance=3) == 1.0
    assert benchmark.boundary_f(_square(10), _square(20), tolerance=3) < 0.6
    assert benchmark.boundary_f(_square(10), np.zeros((100, 100), bool)) == 0.0


def test_flicker_is_the_mean_change_per_frame():
    still = [np.full((4, 4), 200, np.uint8)] * 3
    assert benchmark.flicker(still) == 0.0
    blink = [np.zeros((4, 4), np.float32), np.ones((4, 4), np.float32)]
    assert benchmark.flicker(blink) == 1.0
    half = [np.zeros((2, 2), np.uint8), np.array([[255, 255], [0, 0]], np.uint8)]
    assert benchmark.flicker(half) == pytest.approx(0.5)


def test_at_size_scores_at_the_truth_size():
    alpha = np.zeros((480, 640), np.uint8)
    alpha[:, :320] = 255
    small = benchmark.at_size(alpha, (240, 320))
    assert small.shape == (240, 320)
    assert small[:, :160].all() and not small[:, 160:].any()


def test_speed_bench_prints_a_table_with_ratios(capsys):
    assert bench.main(["speed", "--sizes", "720p", "--models", "landscape", "--frames", "3"]) == 0
    out = capsys.readouterr().out
    assert "| 720p | landscape |" in out
    assert "x |" in out


def test_speed_frames_fall_back_to_the_built_in_clip_without_development_data(tmp_path, shared_data):
    lucia, lucia_source = benchmark.speed_frames(shared_data)
    demo, demo_source = benchmark.speed_frames(tmp_path)
    assert lucia_source == "the lucia clip" and len(lucia) == 70
    assert "built-in astronaut" in demo_source and len(demo) == 48
    assert demo[0].shape == (720, 1280, 3) and demo[0].dtype == np.uint8
