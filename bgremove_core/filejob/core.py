"""The per-frame work of a file job, split where a pipeline can overlap it: the model, then the rest.

A file job drives the stream engine through a :class:`~bgremove_core.pipeline.Processor` (engine
+ compositor), running its two halves (:meth:`~bgremove_core.pipeline.Processor.segment`, then
:meth:`~bgremove_core.pipeline.Processor.finish`) on two threads, so a pipelined run gives the
same frames as a loop over ``Processor.process``. :func:`core_stages` is the one place a file
job gets it from.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator

import cv2
import numpy as np

from ..pipeline import Processor, Result
from ..settings import Settings
from .flow import Profile, Step, run_chain

OPENCV_THREADS = 1
"""OpenCV's own worker threads while file jobs run. The job's stage threads and the two ffmpeg
processes already fill the cores, and OpenCV splitting each call over more threads only adds
contention: measured side by side (CHANGELOG.md, "File jobs"), one thread made a 20 s
clip 7 % (720p) to 14 % (1080p) faster than OpenCV's default of one per core, for the same CPU."""


@contextlib.contextmanager
def opencv_threads(count: int = OPENCV_THREADS) -> Iterator[None]:
    """Run the block with OpenCV limited to ``count`` threads (process-wide), then restore it."""
    previous = cv2.getNumThreads()
    cv2.setNumThreads(count)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


def core_stages(settings: Settings) -> Processor:
    """The model and picture work for ``settings``: the seam every file job goes through.

    Raises:
        ModelError: The model cannot be loaded.
        MediaError: The replacement background cannot be opened.
    """
    return Processor(settings)


ResultHook = Callable[[int, np.ndarray, Result], None]
"""Called with (index, source frame, result) for every frame, in order, on the compositing thread."""


def core_chain(stages: Processor, on_result: ResultHook | None = None) -> list[Step]:
    """The two pipeline stages of a :class:`Processor`, for :func:`~.flow.run_chain`.

    The last stage yields the composited picture (what an encoder takes).
    """
    count = 0

    def segment(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return frame, stages.segment(frame)

    def finish(item: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        nonlocal count
        frame, prob = item
        result = stages.finish(frame, prob)
        if on_result is not None:
            on_result(count, frame, result)
        count += 1
        return result.output

    return [Step("segment", segment), Step("refine+compose", finish)]


def run_frames(
    frames: Iterable[np.ndarray],
    stages: Processor,
    on_result: ResultHook | None = None,
    *,
    cancel: threading.Event | None = None,
) -> Profile:
    """Process ``frames`` pipelined without any file I/O (benchmarks, tests): source, model, rest.

    Raises:
        Cancelled: ``cancel`` was set first.
    """
    return run_chain(frames, core_chain(stages, on_result), source_name="frames", cancel=cancel)
