"""Replacement backgrounds: a solid colour, a still image or a looping video, cover-fitted.

Each source is opened (and validated) once, when the settings name it, so a missing or broken
file is reported as a clear MediaError right away instead of failing on some later frame. The
scaled picture is cached per output size: a still background costs nothing per frame.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from .errors import MediaError
from .settings import Background, Settings

MAX_IMAGE_PIXELS = 50_000_000
"""Largest image read (e.g. 8660x5773: an 8K frame is 33 MP, a 50 MP phone photo fits), checked
from the file header before decoding. A 783 KB PNG can declare 16384x16384 pixels: as a
background that took 5 s and 1.7 GB, as a CLI input 13 s and 5 GB, before this limit."""


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
        _check_file(path, "background video")
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


def _check_file(path: str, what: str) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise MediaError(f"The {what} {path!r} does not exist.")
    if not p.is_file():
        raise MediaError(f"The {what} {path!r} is not a file.")
    if p.stat().st_size == 0:
        raise MediaError(f"The {what} {path!r} is empty (0 bytes).")
    return p


def read_image(path: str, *, what: str = "image") -> np.ndarray:
    """Read an image file as BGR uint8, whatever its bit depth, or raise a MediaError saying why."""
    p = _check_file(path, what)
    _check_pixel_count(p, what)
    data = np.fromfile(p, dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise MediaError(f"The {what} {path!r} is not an image OpenCV can read (corrupt or unsupported).")
    return image


def _check_pixel_count(path: Path, what: str) -> None:
    """Refuse an image whose header declares more than MAX_IMAGE_PIXELS, without decoding it.

    Pillow (installed with mediapipe, via matplotlib) reads only the header here. It warns above
    89 MP and refuses above 179 MP without telling the size; both are far over our limit. A file
    Pillow cannot identify is left to OpenCV, which decodes or rejects it as before.
    """
    from PIL import Image, UnidentifiedImageError

    size = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
        if width * height <= MAX_IMAGE_PIXELS:
            return
        size = f" ({width}x{height} pixels)"
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        pass
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return
    raise MediaError(
        f"The {what} {str(path)!r} is too large{size}: bgremove reads images up to "
        f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels, because decoding a bigger one takes gigabytes "
        "of memory; scale it down first."
    )
