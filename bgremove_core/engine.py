"""The one stream engine: frame in, refined mask and the look to draw out.

:class:`~bgremove_core.pipeline.Processor`, :class:`~bgremove_core.pipeline.RealtimeProcessor`
(``bgremove live``, previews), file jobs (:mod:`bgremove_core.filejob`, engine + compositor
pipelined), the benchmarks and the OBS worker (``bgremove_obs.worker.server``) all drive this class and
only decide *where frames come from and where masks go*; the CPU compositor draws what it
decides, so the CPU composite is the reference of every path by construction.

It has two halves, :meth:`MaskEngine.segment` (the model) and :meth:`MaskEngine.refine`
(everything after it), each keeping its own state, so a file job runs them on two threads at
once; :meth:`MaskEngine.mask` is both in one call. Each half is called from one thread at a time,
frames in order: MediaPipe is not thread-safe. What a setting change invalidates comes from the
schema (:func:`~bgremove_core.settings.changed_stages`), so adding a mask setting touches
``settings.py`` and the code that uses it (``refine.py``), nothing here.
"""

from __future__ import annotations

import time

import numpy as np

from .errors import ModelError
from .follow import FollowSegmenter
from .frames import check_frame
from .looks import Look, choose_look
from .refine import Refiner
from .resources import Closeable
from .segment import Segmenter
from .settings import ModelName, Settings, Stage, changed_stages


def open_segmenter(settings: Settings) -> Segmenter | FollowSegmenter:
    """The segmenter ``settings`` ask for (following the person or not): the one place they are built.

    Crops use the general model (or the user's own model file): on a crop it beat landscape on
    every clip (docs/QUALITY.md); the whole-frame scans use the model the user chose.

    Raises:
        ModelError: The model cannot be loaded (missing or corrupt custom file).
    """
    if settings.follow:
        return FollowSegmenter(settings.model, settings.model_path, ModelName.GENERAL.value)
    return Segmenter(settings.model, settings.model_path)


class MaskEngine(Closeable):
    """Segment and refine one stream of frames; owns the model and the temporal state.

    Args:
        settings: What to do; validated already by :class:`Settings`.

    Raises:
        ModelError: The model cannot be loaded.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._segmenter: Segmenter | FollowSegmenter | None = open_segmenter(self.settings)
        self._model = self.settings
        """The settings the running segmenter was built with."""
        self._refiner = Refiner(self.settings)
        self._shape: tuple[int, ...] = ()
        self._last_start = -float("inf")
        self.model_error: ModelError | None = None
        """Why the model the settings ask for is not the one running (None when it is)."""

    def update(self, settings: Settings) -> frozenset[Stage]:
        """Apply new settings; returns what they invalidate (see :class:`Stage`).

        A model that cannot be loaded leaves the previous one running and sets
        :attr:`model_error` until settings asking for a loadable (or the running) model arrive,
        so a live picture never stops because of a bad file; callers that must not continue
        with the old model (file commands) raise it.
        """
        stages = changed_stages(self.settings, settings)
        self.settings = settings
        self._refiner.update(settings)
        self._load_model()
        return stages

    def _load_model(self) -> None:
        if Stage.MODEL not in changed_stages(self._model, self.settings):
            self.model_error = None
            return
        try:
            segmenter = open_segmenter(self.settings)
        except ModelError as error:
            self.model_error = error
            return
        self._close_segmenter()
        self._segmenter, self._model, self.model_error = segmenter, self.settings, None
        self.reset()

    def segment(self, frame: np.ndarray) -> np.ndarray:
        """The model half: P(person) for a BGR uint8 ``frame`` (checked), as float32 at the model's size.

        Raises:
            ValueError: The engine was closed.
        """
        if self._segmenter is None:
            raise ValueError("The mask engine was closed.")
        return self._segmenter.segment(check_frame(frame))

    def refine(self, frame: np.ndarray, prob: np.ndarray) -> np.ndarray:
        """The refinement half: the uint8 alpha mask (255 = person) at ``frame``'s size.

        ``prob`` is :meth:`segment`'s answer for ``frame``. A frame of another size than the
        previous one starts the temporal smoothing afresh.
        """
        if frame.shape != self._shape:
            self._shape = frame.shape
            self._refiner.reset()
        return self._refiner.refine(prob, frame)

    def mask(self, frame: np.ndarray) -> np.ndarray:
        """Both halves on one thread, counted for :meth:`wait_time`: the refined mask of ``frame``."""
        self._last_start = time.monotonic()
        return self.refine(frame, self.segment(frame))

    def look(self, *, picture: bool = True) -> Look:
        """What to draw with the masks (see :func:`~bgremove_core.looks.choose_look`)."""
        return choose_look(self.settings, picture=picture)

    def wait_time(self) -> float:
        """Seconds until the next :meth:`mask` call is due under ``max_fps`` (0 = now)."""
        max_fps = self.settings.max_fps
        if not max_fps:
            return 0.0
        return max(0.0, self._last_start + 1.0 / max_fps - time.monotonic())

    def reset(self) -> None:
        """Forget temporal state (smoothing, the person's position), e.g. before a new file."""
        self._refiner.reset()
        if self._segmenter is not None:
            self._segmenter.reset()

    def _close_segmenter(self) -> None:
        if self._segmenter is not None:
            self._segmenter.close()

    def close(self) -> None:
        """Release the model; safe to call twice."""
        self._close_segmenter()
        self._segmenter = None
