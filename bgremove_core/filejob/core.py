"""The per-frame work of a file job, split where a pipeline can overlap it: the model, then the rest.

:func:`core_stages` is the one place a file job gets its model and picture work from, so it can
later be pointed at a shared engine (one model thread serving several jobs) without touching the
jobs. The split is the same work, in the same order, as :class:`~bgremove_core.pipeline.Processor`
does in one call, so a pipelined run gives the same frames as a loop over ``Processor.process``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator

import cv2
import numpy as np

from ..compose import Compositor
from ..engine import open_segmenter
from ..frames import check_frame
from ..pipeline import Result
from ..refine import Refiner
from ..resources import Closeable
from ..settings import Background, Settings
from .flow import Profile, Stage, run_chain

OPENCV_THREADS = 1
"""OpenCV's own worker threads while file jobs run. The job's stage threads and the two ffmpeg
processes already fill the cores, and OpenCV splitting each call over more threads only adds
contention: measured side by side (docs/PERFORMANCE.md, "File jobs"), one thread made a 20 s
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


class CoreStages(Closeable):
    """The model (:meth:`segment`) and refinement + compositing (:meth:`finish`) of one stream.

    Each method is called from one thread at a time, frames in order: :meth:`segment` on one
    thread, :meth:`finish` on another (it keeps the temporal smoothing state).

    Raises:
        ModelError: The model cannot be loaded.
        MediaError: The replacement background cannot be opened.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._segmenter = open_segmenter(settings)
        self._refiner = Refiner(settings)
        try:
            self._compositor = Compositor(settings)
        except BaseException:
            self._segmenter.close()
            raise

    @property
    def alpha(self) -> bool:
        """Whether outputs are BGRA (transparent background)."""
        return self.settings.background == Background.TRANSPARENT

    def segment(self, frame: np.ndarray) -> np.ndarray:
        """The model's person probability for one BGR frame."""
        return self._segmenter.segment(check_frame(frame))

    def finish(self, frame: np.ndarray, prob: np.ndarray) -> Result:
        """Refine ``prob`` against ``frame`` and composite the frame over the new background."""
        alpha = self._refiner.refine(prob, frame)
        return Result(alpha, self._compositor.compose(frame, alpha))

    def reset(self) -> None:
        """Forget temporal state before an unrelated stream (the next file of a batch)."""
        self._refiner.reset()
        self._segmenter.reset()

    def close(self) -> None:
        """Release the model and the background; safe to call twice."""
        self._segmenter.close()
        self._compositor.close()


def core_stages(settings: Settings) -> CoreStages:
    """The model and picture work for ``settings``: the seam every file job goes through."""
    return CoreStages(settings)


ResultHook = Callable[[int, np.ndarray, Result], None]
"""Called with (index, source frame, result) for every frame, in order, on the compositing thread."""


def core_chain(stages: CoreStages, on_result: ResultHook | None = None) -> list[Stage]:
    """The two pipeline stages of :class:`CoreStages`, for :func:`~.flow.run_chain`.

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

    return [Stage("segment", segment), Stage("refine+compose", finish)]


def run_frames(
    frames: Iterable[np.ndarray],
    stages: CoreStages,
    on_result: ResultHook | None = None,
    *,
    cancel: threading.Event | None = None,
) -> Profile:
    """Process ``frames`` pipelined without any file I/O (benchmarks, tests): source, model, rest.

    Raises:
        Cancelled: ``cancel`` was set first.
    """
    return run_chain(frames, core_chain(stages, on_result), source_name="frames", cancel=cancel)
