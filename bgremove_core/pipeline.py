"""Frame in, mask and composited frame out: the per-stream processors everything else drives.

- :class:`Processor` is synchronous and deterministic: every frame is segmented, in order. Files,
  previews and tests use it, so the same input always gives the same output.
- :class:`RealtimeProcessor` never makes the caller wait for the model: frames are dropped into a
  one-slot mailbox (the newest frame wins), a worker thread segments and refines them, and each
  call composites with the newest mask available. A slow model lowers the mask rate, never the
  frame rate. MediaPipe releases the GIL while it runs, so a thread is enough here; the OBS filter
  uses a separate process for crash isolation instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import cv2
import numpy as np

from .compose import Compositor
from .follow import open_segmenter, reset_segmenter, segmenter_key
from .frames import check_frame
from .refine import Refiner
from .resources import Closeable
from .settings import Settings


@dataclass(frozen=True)
class Result:
    """What one frame produced.

    Attributes:
        alpha: uint8 mask at the frame's size, 255 = person.
        output: The composited picture (BGR, or BGRA in transparent mode).
        mask_age: How many submitted frames ago the mask's frame was (0 = this frame's own mask).
    """

    alpha: np.ndarray
    output: np.ndarray
    mask_age: int = 0


class _Stages:
    """Segment + refine for one stream; shared by both processors so they cannot drift apart."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.segmenter = open_segmenter(settings)
        self.refiner = Refiner(settings)

    def update(self, settings: Settings) -> None:
        if segmenter_key(self.settings) != segmenter_key(settings):
            segmenter = open_segmenter(settings)
            self.segmenter.close()
            self.segmenter = segmenter
            self.reset()
        self.refiner.update(settings)
        self.settings = settings

    def reset(self) -> None:
        self.refiner.reset()
        reset_segmenter(self.segmenter)

    def mask(self, frame: np.ndarray) -> np.ndarray:
        return self.refiner.refine(self.segmenter.segment(frame), frame)

    def close(self) -> None:
        self.segmenter.close()


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
        self._stages = _Stages(self.settings)
        try:
            self._compositor = Compositor(self.settings)
        except BaseException:
            self._stages.close()
            raise

    def update(self, settings: Settings) -> None:
        """Apply new settings; the model is reloaded only if the model choice changed."""
        self._compositor.update(settings)
        self._stages.update(settings)
        self.settings = settings

    def reset(self) -> None:
        """Forget temporal state, e.g. before an unrelated frame such as a new file."""
        self._stages.reset()

    def mask(self, frame: np.ndarray) -> np.ndarray:
        """Return only the refined alpha mask (uint8, frame size) for a BGR frame."""
        return self._stages.mask(check_frame(frame))

    def process(self, frame: np.ndarray) -> Result:
        """Segment, refine and composite one BGR frame."""
        alpha = self.mask(frame)
        return Result(alpha, self._compositor.compose(frame, alpha))

    def close(self) -> None:
        """Release the model and background; safe to call twice."""
        self._stages.close()
        self._compositor.close()


class RealtimeProcessor(Closeable):
    """Processing for live video where the caller must never wait for the model.

    The model runs on a worker thread at most ``settings.max_fps`` times per second (0 = as often
    as frames arrive); every :meth:`process` call composites with the newest mask available.
    An error in the worker is raised from the next :meth:`process` call.
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
        """Hand ``frame`` to the worker and composite it with the newest mask, without waiting.

        Until the first mask exists the whole frame counts as person (the picture passes through).
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
        h, w = frame.shape[:2]
        if alpha is None:
            alpha = np.full((h, w), 255, np.uint8)
        elif alpha.shape != (h, w):
            alpha = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)
        return Result(alpha, self._compositor.compose(frame, alpha), age)

    def _run(self) -> None:
        try:
            stages = _Stages(self.settings)
        except BaseException as exc:  # reported to the constructor
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        last_start = 0.0
        try:
            while True:
                if stages.settings.max_fps:
                    time.sleep(max(0.0, last_start + 1.0 / stages.settings.max_fps - time.monotonic()))
                with self._lock:
                    while self._frame is None and not self._closed:
                        self._wake.wait()
                    if self._closed:
                        return
                    frame, number, self._frame = self._frame, self._frame_number, None
                    settings, self._pending_settings = self._pending_settings, None
                last_start = time.monotonic()
                if settings is not None:
                    stages.update(settings)
                alpha = stages.mask(frame)
                with self._lock:
                    self._alpha, self._alpha_number = alpha, number
        except BaseException as exc:  # surfaced to the caller by process()
            with self._lock:
                self._error = exc
        finally:
            stages.close()

    def close(self) -> None:
        """Stop the worker and release everything; safe to call twice."""
        with self._lock:
            self._closed = True
            self._wake.notify()
        self._thread.join()
        self._compositor.close()
