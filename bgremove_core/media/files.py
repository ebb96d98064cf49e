"""Input files: existence checks and still-image decoding, shared by the CLI and backgrounds.

Both check before they decode, so an empty, missing or absurdly large file is refused with a
sentence instead of an OpenCV error or gigabytes of memory.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import cv2
import numpy as np

from ..errors import MediaError

MAX_IMAGE_PIXELS = 50_000_000
"""Largest image read (e.g. 8660x5773: an 8K frame is 33 MP, a 50 MP phone photo fits), checked
from the file header before decoding. A 783 KB PNG can declare 16384x16384 pixels: as a
background that took 5 s and 1.7 GB, as a CLI input 13 s and 5 GB, before this limit."""


def check_input_file(path: Path, what: str = "input") -> Path:
    """Return ``path`` if it is an existing, non-empty file, else raise a MediaError saying which."""
    p = path.expanduser()
    if not p.exists():
        raise MediaError(f"The {what} {str(path)!r} does not exist.")
    if not p.is_file():
        raise MediaError(f"The {what} {str(path)!r} is not a file.")
    if p.stat().st_size == 0:
        raise MediaError(f"The {what} {str(path)!r} is empty (0 bytes).")
    return p


def read_image(path: str | Path, *, what: str = "input") -> np.ndarray:
    """Read an image file as BGR uint8, whatever its bit depth, or raise a MediaError saying why."""
    p = check_input_file(Path(path), what)
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
