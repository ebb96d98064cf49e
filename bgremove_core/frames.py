"""Frame validation at the package boundary: every public entry point takes BGR uint8 frames."""

from __future__ import annotations

import numpy as np

from .errors import MediaError


def check_frame(frame: object, *, name: str = "frame") -> np.ndarray:
    """Return ``frame`` if it is an HxWx3 uint8 array, else raise a TypeError/MediaError.

    Checking here, once, lets the hot paths below assume the layout instead of re-checking.
    """
    if not isinstance(frame, np.ndarray):
        raise TypeError(f"The {name} must be a numpy array, not {type(frame).__name__}.")
    if frame.dtype != np.uint8:
        raise TypeError(f"The {name} must have dtype uint8, not {frame.dtype}.")
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise MediaError(f"The {name} must be a BGR image of shape (height, width, 3), not {frame.shape}.")
    if frame.shape[0] < 1 or frame.shape[1] < 1:
        raise MediaError(f"The {name} is empty ({frame.shape[1]}x{frame.shape[0]}).")
    return frame
