"""The processors end to end on the real clip: deterministic files, never-blocking live video."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bgremove_core.errors import MediaError
from bgremove_core.pipeline import Processor, RealtimeProcessor
from bgremove_core.settings import Settings
from lab.data import clip as read_clip
from lab.metrics import iou
from tests.support.procs import wait_until


@pytest.fixture(scope="module")
def lucia(shared_data: Path) -> tuple[list[np.ndarray], list[np.ndarray]]:
    frames, truths = read_clip(shared_data)
    return frames[:12], truths[:12]


@pytest.fixture(scope="module")
def frames(lucia) -> list[np.ndarray]:
    return lucia[0]


def test_processor_masks_the_person_and_composites(frames, lucia):
    truths = lucia[1]
    with Processor() as processor:
        results = [processor.process(f) for f in frames]
    for frame, result, truth in zip(frames, results, truths, strict=True):
        assert result.alpha.shape == frame.shape[:2]
        assert result.output.shape == frame.shape
        assert iou(result.alpha >= 128, truth) > 0.7
        person = result.alpha == 255
        np.testing.assert_array_equal(result.output[person], frame[person])


def test_processor_is_deterministic(frames):
    outputs = []
    for _ in range(2):
        with Processor(Settings(background="colour")) as processor:
            outputs.append([processor.process(f).output for f in frames[:4]])
    for a, b in zip(*outputs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_processor_update_switches_background_and_refuses_bad_files(frames, tmp_path):
    with Processor() as processor:
        processor.update(Settings(background="transparent"))
        assert processor.process(frames[0]).output.shape == (*frames[0].shape[:2], 4)
        with pytest.raises(MediaError):
            processor.update(Settings(background="image", image=str(tmp_path / "gone.png")))
        assert processor.process(frames[1]).output.shape[2] == 4  # still the last good settings


def test_realtime_processor_never_waits_and_catches_up(frames, lucia):
    with RealtimeProcessor(Settings(max_fps=0)) as live:
        first = live.process(frames[0])
        assert (first.alpha == 255).all()  # no mask yet: the picture passes through
        results = [first]

        def masked() -> bool:
            results.append(live.process(frames[1]))
            return not (results[-1].alpha == 255).all()

        wait_until(masked, what="a mask from the live processor", interval=0.01)
        result = results[-1]
        assert iou(result.alpha >= 128, lucia[1][1]) > 0.6
        assert result.output.shape == frames[1].shape
