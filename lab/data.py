"""The shared development data: photos of people and clips with a hand-drawn mask on every frame."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from bgremove_core.errors import MediaError

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
"""The development data beside the checkout (never shipped, never copied into the repo)."""

CLIPS = ("lucia", "hike", "breakdance-flare")
"""The shared clips with a hand-drawn mask on every frame."""


def _read(path: Path, flags: int) -> np.ndarray:
    image = cv2.imread(str(path), flags)
    if image is None:
        raise MediaError(f"The development data file {str(path)!r} is missing or unreadable.")
    return image


def people(data: Path = DEFAULT_DATA) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Yield (name, BGR photo, boolean truth mask) for each photo in ``data/people``.

    Masks may be smaller than their photo (same aspect); scoring happens at the mask's size.

    Raises:
        MediaError: The folder holds no photo, or a file is missing or unreadable.
    """
    images = sorted((data / "people" / "images").glob("*.jpg"), key=lambda p: int(p.stem))
    if not images:
        raise MediaError(f"No photos found in {str(data / 'people' / 'images')!r}.")
    for path in images:
        mask = _read(data / "people" / "masks" / f"{path.stem}.png", cv2.IMREAD_GRAYSCALE)
        yield path.stem, _read(path, cv2.IMREAD_COLOR), mask > 127


def clip(data: Path = DEFAULT_DATA, name: str = "lucia") -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A clip of :data:`CLIPS`: its BGR frames and boolean hand-drawn masks, in order.

    Raises:
        MediaError: The clip has no frames, or a file is missing or unreadable.
    """
    frames = sorted((data / "clips" / f"{name}_frames").glob("*.jpg"))
    if not frames:
        raise MediaError(f"No frames found in {str(data / 'clips' / f'{name}_frames')!r}.")
    masks = [
        _read(data / "clips" / f"{name}_masks" / f"{p.stem}.png", cv2.IMREAD_GRAYSCALE) > 127 for p in frames
    ]
    return [_read(p, cv2.IMREAD_COLOR) for p in frames], masks
