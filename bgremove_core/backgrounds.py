"""Replacement backgrounds: a solid colour, a still image or a looping video, cover-fitted.

Each source is opened (and validated) once, when the settings name it, so a missing or broken
file is reported as a clear MediaError right away instead of failing on some later frame. The
scaled picture is cached per output size: a still background costs nothing per frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from .errors import MediaError
from .media.files import check_input_file, read_image
from .settings import Background, Settings


class BackgroundSource(Protocol):
    """Something that yields a BGR background picture of a requested size for every frame."""

    def frame(self, width: int, height: int) -> np.ndarray:
        """Return the background for the next frame as BGR uint8 of shape (height, width, 3)."""
        ...

    def close(self) -> None:
        """Release files; safe to call twice."""
        ...


def cover_fit(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale ``image`` to cover width x height and crop the centre, like CSS ``object-fit: cover``."""
    ih, iw = image.shape[:2]
    scale = max(width / iw, height / ih)
    sw, sh = max(width, round(iw * scale)), max(height, round(ih * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(image, (sw, sh), interpolation=interpolation)
    x, y = (sw - width) // 2, (sh - height) // 2
    return np.ascontiguousarray(scaled[y : y + height, x : x + width])


class ColourBackground:
    """A solid colour."""

    def __init__(self, bgr: tuple[int, int, int]) -> None:
        self._bgr = bgr
        self._cache: np.ndarray | None = None

    def frame(self, width: int, height: int) -> np.ndarray:
        if self._cache is None or self._cache.shape[:2] != (height, width):
            self._cache = np.empty((height, width, 3), np.uint8)
            self._cache[:] = self._bgr
        return self._cache

    def close(self) -> None:
        self._cache = None


class ImageBackground:
    """A still picture, read once and cover-fitted once per output size."""

    def __init__(self, path: str) -> None:
        self._image = read_image(path, what="background image")
        self._cache: np.ndarray | None = None

    def frame(self, width: int, height: int) -> np.ndarray:
        if self._cache is None or self._cache.shape[:2] != (height, width):
            self._cache = cover_fit(self._image, width, height)
        return self._cache

    def close(self) -> None:
        self._cache = None


class VideoBackground:
    """A video played in a loop, one background frame per composited frame."""

    def __init__(self, path: str) -> None:
        check_input_file(Path(path), "background video")
        self._path = path
        self._capture = cv2.VideoCapture(path)
        ok, first = self._capture.read() if self._capture.isOpened() else (False, None)
        if not ok or first is None:
            self._capture.release()
            raise MediaError(f"The background video {path!r} could not be read as a video (no frames).")
        self._pending: np.ndarray | None = first

    def frame(self, width: int, height: int) -> np.ndarray:
        image = self._pending if self._pending is not None else self._next()
        self._pending = None
        return cover_fit(image, width, height)

    def _next(self) -> np.ndarray:
        ok, image = self._capture.read()
        if not ok:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._capture.read()
        if not ok:
            self._capture.release()
            self._capture = cv2.VideoCapture(self._path)
            ok, image = self._capture.read()
        if not ok:
            raise MediaError(f"The background video {self._path!r} stopped giving frames.")
        return image

    def close(self) -> None:
        self._capture.release()


def open_background(settings: Settings) -> BackgroundSource | None:
    """The replacement source the settings ask for; None for blur and transparent modes."""
    mode = settings.background
    if mode == Background.COLOUR:
        return ColourBackground(settings.colour_bgr)
    if mode == Background.IMAGE:
        if not settings.image:
            raise MediaError("Background is set to 'image' but no background image file is chosen.")
        return ImageBackground(settings.image)
    if mode == Background.VIDEO:
        if not settings.video:
            raise MediaError("Background is set to 'video' but no background video file is chosen.")
        return VideoBackground(settings.video)
    return None
