"""The processors end to end on the real clip: deterministic files, never-blocking live video."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from bgremove_core.compose import Compositor
from bgremove_core.errors import MediaError
from bgremove_core.pipeline import Processor, RealtimeProcessor, Result
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


class ClipCamera:
    """The clip as a camera delivers it: each read blocks until the camera's next frame is due
    (its own clock, at the clip's 24 fps), whatever the processor is doing."""

    FPS = 24.0

    def __init__(self, frames: list[np.ndarray]) -> None:
        self.frames = frames
        self.read_count = 0
        self._due = time.monotonic()

    def read(self) -> np.ndarray:
        time.sleep(max(0.0, self._due - time.monotonic()))
        self._due += 1 / self.FPS
        frame = self.frames[self.read_count]
        self.read_count += 1
        return frame


@pytest.fixture(scope="module")
def clip48(shared_data: Path) -> list[np.ndarray]:
    """Two seconds of the walking clip, long enough for the live worker to answer several frames."""
    return read_clip(shared_data)[0][:48]


@pytest.fixture(scope="module")
def reference(clip48) -> list[Result]:
    """Processor's result for every frame: what each frame looks like with its own mask."""
    with Processor() as processor:
        return [processor.process(frame) for frame in clip48]


def _play(frames: list[np.ndarray], settings: Settings) -> list[Result]:
    camera = ClipCamera(frames)
    with RealtimeProcessor(settings) as live:
        return [live.process(camera.read()) for _ in frames]


def _difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def _mask_match(result: Result, frame: Result) -> float:
    return iou(result.alpha >= 128, frame.alpha >= 128)


def test_realtime_in_sync_shows_each_frame_with_its_own_mask(clip48, reference):
    results = _play(clip48, Settings())
    masked = [(i, r) for i, r in enumerate(results) if not (r.alpha == 255).all()]
    assert masked, "the worker answered no frame of the clip"
    for i, result in enumerate(results[: masked[0][0]]):
        np.testing.assert_array_equal(result.output, clip48[i])  # no mask yet: the frame passes through
    own, neighbours = [], []
    with Compositor(Settings()) as compositor:
        for i, result in masked:
            shown = i - result.delay
            assert result.mask_age == 0 and 0 <= result.delay <= i
            np.testing.assert_array_equal(result.output, compositor.compose(clip48[shown], result.alpha))
            difference = _difference(result.output, reference[shown].output)
            assert difference < 1.0, f"frame {shown} shown at {i} is not Processor's composite of it"
            own.append(_mask_match(result, reference[shown]))
            neighbours += [
                _mask_match(result, reference[n]) for n in (shown - 1, shown + 1) if 0 <= n < len(clip48)
            ]
    assert np.mean(own) > 0.9 and np.mean(own) > np.mean(neighbours), "each mask is its own picture's"
    pictures = [i - r.delay for i, r in masked]
    assert pictures == sorted(pictures), "the picture never goes back in time"
    assert pictures[-1] >= len(clip48) // 2, "the picture follows the camera"


def test_realtime_out_of_sync_draws_the_newest_mask_on_the_newest_frame(clip48, reference):
    results = _play(clip48, Settings(keep_in_sync=False))
    masked = [(i, r) for i, r in enumerate(results) if not (r.alpha == 255).all()]
    assert masked, "the worker answered no frame of the clip"
    for i, result in enumerate(results):
        assert result.delay == 0
        person = result.alpha == 255
        np.testing.assert_array_equal(result.output[person], clip48[i][person])
    assert all(r.mask_age >= 1 for _, r in masked), "a frame's own mask cannot be back when it is given"
    late = np.mean([_mask_match(r, reference[i - r.mask_age]) for i, r in masked])
    assert late > np.mean([_mask_match(r, reference[i]) for i, r in masked]), "the mask is an older frame's"
