"""Still images in and out, keeping alpha where the format has it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..errors import OutputError
from .atomic import atomic_output, write_error
from .files import read_image

__all__ = ["read_image", "write_image"]

JPEG_QUALITY = 95
"""High enough that the cut-out edge shows no block artefacts."""


def write_image(path: Path, image: np.ndarray) -> None:
    """Write a BGR or BGRA uint8 image atomically; the suffix picks the format.

    Raises:
        OutputError: The format cannot be encoded or the file cannot be written.
    """
    suffix = path.suffix.lower()
    params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if suffix in (".jpg", ".jpeg") else []
    ok, data = cv2.imencode(suffix, image, params)
    if not ok:
        raise OutputError(f"OpenCV cannot encode {str(path)!r} as {suffix}.")
    with atomic_output(path) as temp:
        try:
            temp.write_bytes(data.tobytes())
        except OSError as exc:
            raise write_error(path, exc.strerror or str(exc)) from exc
