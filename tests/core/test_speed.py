"""``bgremove bench``: the speed table with its ratios, on the development data or the built-in clip."""

from __future__ import annotations

import numpy as np

from bgremove_core import speed
from bgremove_core.cli import bench


def test_speed_bench_prints_a_table_with_ratios(capsys):
    assert bench.main(["speed", "--sizes", "720p", "--models", "landscape", "--frames", "3"]) == 0
    out = capsys.readouterr().out
    assert "| 720p | landscape |" in out
    assert "x |" in out


def test_speed_frames_fall_back_to_the_built_in_clip_without_development_data(tmp_path, shared_data):
    lucia, lucia_source = speed.speed_frames(shared_data)
    demo, demo_source = speed.speed_frames(tmp_path)
    assert lucia_source == "the lucia clip" and len(lucia) == 70
    assert "built-in astronaut" in demo_source and len(demo) == 48
    assert demo[0].shape == (720, 1280, 3) and demo[0].dtype == np.uint8
