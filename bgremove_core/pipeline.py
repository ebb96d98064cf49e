"""Frame in, mask and composited frame out: the per-stream processors everything else drives.

- :class:`Processor` is synchronous and deterministic: every frame is segmented, in order. File
  jobs (its two halves on two threads, :mod:`bgremove_core.filejob`), previews and tests use it,
  so the same input always gives the same output.
- :class:`RealtimeProcessor` never makes the caller wait for the model: frames are dropped into a
  one-slot mailbox (the newest frame wins), a worker thread segments and refines them, and each
  call composites with the newest mask available. A slow model lowers the mask rate, never the
  frame rate. MediaPipe releases the GIL while it runs, so a thread is enough here; the OBS filter
  uses a separate process for crash isolation instead. With Keep in sync on, each call shows the
  frame the newest mask was computed from instead of the frame just given, a little later but
  never with another frame's mask.

Both drive one :class:`~bgremove_core.engine.MaskEngine` (as does the OBS worker) and add only
the compositing of the look it decides and, for the real-time one, the thread and its mailbox.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from .compose import Compositor
from .engine import MaskEngine
from .frames import check_frame
from .looks import Look
from .resources import Closeable
from .settings import Settings


@dataclass(frozen=True)
class Result:
    """What one frame produced.

    Attributes:
        alpha: uint8 mask at the frame's size, 255 = person.
        output: The composited picture (BGR, or BGRA in transparent mode).
        mask_age: How many frames older the mask's frame is than the picture's (0 = the picture's
            own mask).
        delay: How many frames were submitted after the one in the picture (0 = the frame just
            given; more with Keep in sync, where the picture waits for its mask).
    """

    alpha: np.ndarray
    output: np.ndarray
    mask_age: int = 0
    delay: int = 0


class Processor(Closeable):
    """Synchronous processing of one stream of frames (a video, a camera, a single image).

    Args:
        settings: What to do; validated already by :class:`Settings`.

    Raises:
        ModelError: The model cannot be loaded.
        MediaError: The replacement background cannot be opened.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._engine = MaskEngine(self.settings)
        try:
            self._compositor = Compositor(self.settings)
        except BaseException:
            self._engine.close()
            raise

    def update(self, settings: Settings) -> None:
        """Apply new settings; the model is reloaded only if the model choice changed.

        Raises:
            ModelError: The new model cannot be loaded (the previous one stays in use).
            MediaError: The new background cannot be opened (the previous one stays in use).
        """
        self._compositor.update(settings)
        self._engine.update(settings)
        self.settings = settings
        if self._engine.model_error is not None:
            raise self._engine.model_error

    def reset(self) -> None:
        """Forget temporal state, e.g. before an unrelated frame such as a new file."""
        self._engine.reset()

    def code_for(self, matrix: str) -> None:
        """Code replacement pictures for an output labelled ``matrix`` (see :meth:`Compositor.code_for`)."""
        self._compositor.code_for(matrix)

    @property
    def transparent(self) -> bool:
        """Whether outputs are BGRA (the transparent look), which decides how files are written."""
        return self._engine.look() == Look.TRANSPARENT

    def mask(self, frame: np.ndarray) -> np.ndarray:
        """Return only the refined alpha mask (uint8, frame size) for a BGR frame."""
        return self._engine.mask(check_frame(frame))

    def segment(self, frame: np.ndarray) -> np.ndarray:
        """The first half of :meth:`process`, the model (see :meth:`MaskEngine.segment`)."""
        return self._engine.segment(frame)

    def finish(self, frame: np.ndarray, prob: np.ndarray) -> Result:
        """The second half of :meth:`process`: refine ``segment(frame)``'s answer and composite.

        The halves may run on two threads, each called from one thread, frames in order (file
        jobs do); the result is the same as :meth:`process`'s.
        """
        alpha = self._engine.refine(frame, prob)
        return Result(alpha, self._compositor.compose(frame, alpha, self._engine.look()))

    def process(self, frame: np.ndarray) -> Result:
        """Segment, refine and composite one BGR frame."""
        return self.finish(frame, self.segment(frame))

    def close(self) -> None:
        """Release the model and background; safe to call twice."""
        self._engine.close()
        self._compositor.close()


class RealtimeProcessor(Closeable):
    """Processing for live video where the caller must never wait for the model.

    The model runs on a worker thread at most ``settings.max_fps`` times per second (0 = as often
    as frames arrive); every :meth:`process` call composites with the newest mask available.
    The worker keeps the frame each mask was computed from beside it (one frame, replaced with
    the mask), so ``settings.keep_in_sync`` can show that frame; frames handed in while the worker
    was busy are never segmented and, in sync, never shown. An error in the worker is raised
    from the next :meth:`process` call.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._compositor = Compositor(self.settings)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._frame: np.ndarray | None = None
        self._frame_number = 0
        self._alpha: np.ndarray | None = None
        self._alpha_number = 0
        self._alpha_frame: np.ndarray | None = None
        self._pending_settings: Settings | None = None
        self._error: BaseException | None = None
        self._closed = False
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bgremove-segmenter", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._compositor.close()
            raise self._error

    def update(self, settings: Settings) -> None:
        """Apply new settings: compositing at once, model and refinement on the worker."""
        self._compositor.update(settings)
        with self._lock:
            self._pending_settings = settings
            self.settings = settings

    def process(self, frame: np.ndarray) -> Result:
        """Hand ``frame`` to the worker and composite the newest mask, without waiting.

        The mask goes on ``frame`` itself, or with ``settings.keep_in_sync`` on the frame it was
        computed from (the same picture again until a newer mask is back). Until the first mask
        exists the whole frame counts as person (``frame`` passes through).
        """
        check_frame(frame)
        with self._lock:
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            self._frame = frame
            self._frame_number += 1
            self._wake.notify()
            alpha, age = self._alpha, self._frame_number - self._alpha_number
            if self.settings.keep_in_sync and self._alpha_frame is not None:
                frame, age, delay = self._alpha_frame, 0, age
            else:
                delay = 0
        h, w = frame.shape[:2]
        if alpha is None:
            alpha = np.full((h, w), 255, np.uint8)
        elif alpha.shape != (h, w):
            alpha = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)
        return Result(alpha, self._compositor.compose(frame, alpha), age, delay)

    def _run(self) -> None:
        try:
            engine = MaskEngine(self.settings)
        except BaseException as exc:  # reported to the constructor
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                with self._lock:
                    self._wake.wait_for(lambda: self._closed, timeout=engine.wait_time())
                    self._wake.wait_for(lambda: self._frame is not None or self._closed)
                    if self._closed:
                        return
                    frame, number, self._frame = self._frame, self._frame_number, None
                    assert frame is not None  # what the wait above waited for
                    settings, self._pending_settings = self._pending_settings, None
                if settings is not None:
                    engine.update(settings)
                    if engine.model_error is not None:  # said once; the previous model carries on
                        with self._lock:
                            self._error = engine.model_error
                alpha = engine.mask(frame)
                with self._lock:
                    self._alpha, self._alpha_number, self._alpha_frame = alpha, number, frame
        except BaseException as exc:  # surfaced to the caller by process()
            with self._lock:
                self._error = exc
        finally:
            engine.close()

    def close(self) -> None:
        """Stop the worker and release everything; safe to call twice."""
        with self._lock:
            self._closed = True
            self._wake.notify()
        self._thread.join()
        self._compositor.close()
