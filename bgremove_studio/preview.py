"""The page's preview: one frame of a file, rendered with the page's settings, as a PNG.

The frame is read as ``bgremove preview`` reads it (:func:`~bgremove_core.media.oneframe.read_one_frame`)
and kept (a few, by file and time), so moving a setting re-renders without decoding again; what
a video holds is probed once per file, so moving the slider costs one decode, not a probe too. One
:class:`~bgremove_core.pipeline.Processor` serves every preview: a new setting redoes only the
stages it changes (a new model is loaded only for a new model), and it is reset before each
frame, so a preview is exactly what the first frame of a job at that time would look like.
A transparent background comes out as a PNG with alpha, which the page shows on a checkerboard.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np

from bgremove_core.errors import OutputError
from bgremove_core.media.oneframe import read_one_frame
from bgremove_core.media.video import VideoInfo, probe_video
from bgremove_core.pipeline import Processor
from bgremove_core.resources import Closeable
from bgremove_core.settings import Settings

FRAMES_KEPT = 8
"""Decoded frames kept for the slider: a few positions of a few files (a 4K frame is 25 MB)."""

PNG_LEVEL = 1
"""zlib level of the preview PNG: the fastest that still compresses (the page is on this machine)."""


class Previewer(Closeable):
    """Renders previews one at a time (the model is one; the page asks for one at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frames: OrderedDict[tuple[Path, float | None], np.ndarray] = OrderedDict()
        self._processor: Processor | None = None
        self._probed: dict[tuple[Path, int, int], VideoInfo] = {}

    def _probe(self, path: Path) -> VideoInfo:
        """``probe_video``, once per file version (ffprobe costs as much as decoding the frame)."""
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            info = self._probed.get(key)
        if info is None:
            info = probe_video(path)
            with self._lock:
                self._probed[key] = info
        return info

    def frame(self, path: Path, at: float | None) -> np.ndarray:
        """The frame of ``path`` at ``at`` seconds (None for an image), decoded once."""
        key = (path, at)
        with self._lock:
            frame = self._frames.get(key)
            if frame is not None:
                self._frames.move_to_end(key)
                return frame
        frame = read_one_frame(path, at, self._probe)
        with self._lock:
            self._frames[key] = frame
            while len(self._frames) > FRAMES_KEPT:
                self._frames.popitem(last=False)
        return frame

    def render(self, path: Path, at: float | None, settings: Settings) -> bytes:
        """The PNG of ``path``'s frame at ``at`` with ``settings`` applied.

        Raises:
            MediaError, SettingsError, ModelError: The sentence ``bgremove preview`` would print.
        """
        frame = self.frame(path, at)
        with self._lock:
            if self._processor is None:
                self._processor = Processor(settings)
            else:
                self._processor.update(settings)
            self._processor.reset()
            result = self._processor.process(frame)
        ok, data = cv2.imencode(".png", result.output, [cv2.IMWRITE_PNG_COMPRESSION, PNG_LEVEL])
        if not ok:
            raise OutputError("OpenCV could not encode the preview as PNG.")
        return data.tobytes()

    def close(self) -> None:
        """Release the model; safe to call twice."""
        with self._lock:
            processor, self._processor = self._processor, None
        if processor is not None:
            processor.close()
