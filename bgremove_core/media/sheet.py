"""Pictures for people to look at: transparency over a checkerboard, and labelled contact sheets."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import cv2
import numpy as np

from ..compose import blend

CHECKER_PX = 16
SHEET_TILE_HEIGHT = 360
"""Tile height in contact sheets: big enough to judge an edge, small enough to open anywhere."""


def flatten(image: np.ndarray) -> np.ndarray:
    """BGR for display: a BGRA image is shown over a grey checkerboard, a mask as grey."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 3:
        return image
    return blend(np.ascontiguousarray(image[..., :3]), _checkerboard(*image.shape[:2]), image[..., 3].copy())


@functools.lru_cache(maxsize=4)
def _checkerboard(height: int, width: int) -> np.ndarray:
    """Cached per size, because the live window redraws it for every frame."""
    ys, xs = np.indices((height, width))
    board = np.where((ys // CHECKER_PX + xs // CHECKER_PX) % 2 == 0, 200, 120).astype(np.uint8)
    return cv2.cvtColor(board, cv2.COLOR_GRAY2BGR)


def label(image: np.ndarray, text: str) -> np.ndarray:
    """A copy of a BGR image with ``text`` in its top-left corner, readable on any background."""
    out = image.copy()
    scale = max(0.5, image.shape[0] / 600)
    origin = (int(10 * scale), int(30 * scale))
    thickness = max(1, round(scale * 1.5))
    cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thickness, cv2.LINE_AA)
    return out


def contact_sheet(
    rows: Sequence[Sequence[tuple[str, np.ndarray]]], tile_height: int = SHEET_TILE_HEIGHT
) -> np.ndarray:
    """Rows of labelled tiles (BGR, BGRA or grey masks) scaled to one height, as one BGR picture."""
    lines = []
    for row in rows:
        tiles = []
        for text, image in row:
            h, w = image.shape[:2]
            width = max(1, round(w * tile_height / h))
            tile = cv2.resize(flatten(image), (width, tile_height), interpolation=cv2.INTER_AREA)
            tiles.append(label(tile, text))
        lines.append(cv2.hconcat(tiles))
    widest = max(line.shape[1] for line in lines)
    padded = [
        cv2.copyMakeBorder(line, 0, 0, 0, widest - line.shape[1], cv2.BORDER_CONSTANT) for line in lines
    ]
    return cv2.vconcat(padded)
