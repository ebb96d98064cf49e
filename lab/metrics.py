"""How good a mask is against a hand-drawn one: IoU, boundary F-score and flicker."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

BOUNDARY_TOLERANCE = 3
"""Pixels an edge may be off and still count as found in the boundary F-score."""


def iou(pred: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two boolean masks (1.0 when both are empty)."""
    union = np.count_nonzero(pred | truth)
    return 1.0 if union == 0 else np.count_nonzero(pred & truth) / union


def _boundary(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.uint8)
    return (m - cv2.erode(m, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_REPLICATE)) > 0


def boundary_f(pred: np.ndarray, truth: np.ndarray, tolerance: int = BOUNDARY_TOLERANCE) -> float:
    """F-score of the mask outlines: a boundary pixel matches if the other's is within ``tolerance``."""
    bp, bt = _boundary(pred), _boundary(truth)
    if not bp.any() and not bt.any():
        return 1.0
    if not bp.any() or not bt.any():
        return 0.0
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * tolerance + 1, 2 * tolerance + 1))
    near_t = cv2.dilate(bt.astype(np.uint8), disk) > 0
    near_p = cv2.dilate(bp.astype(np.uint8), disk) > 0
    precision = np.count_nonzero(bp & near_t) / np.count_nonzero(bp)
    recall = np.count_nonzero(bt & near_p) / np.count_nonzero(bt)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def flicker(masks: Sequence[np.ndarray]) -> float:
    """Mean |mask_t - mask_t-1| over all pixels and frames, masks as fractions in [0, 1]."""
    diffs = [
        float(np.mean(np.abs(a.astype(np.float32) - b.astype(np.float32))))
        for a, b in itertools.pairwise(masks)
    ]
    return statistics.fmean(diffs) / (255.0 if masks[0].dtype == np.uint8 else 1.0)


def raw_mask(prob: np.ndarray, width: int, height: int) -> np.ndarray:
    """The model's own answer at a size: probability resized bilinearly, then > 0.5."""
    return cv2.resize(prob, (width, height), interpolation=cv2.INTER_LINEAR) > 0.5


def at_size(alpha: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A uint8 alpha mask resized to a truth mask's shape, as booleans (alpha >= 128)."""
    h, w = shape[:2]
    if alpha.shape[:2] != (h, w):
        alpha = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_AREA)
    return alpha >= 128


@dataclass
class Scores:
    """Per-image (or per-frame) scores of one variant, averaged on demand."""

    ious: list[float] = field(default_factory=list)
    boundary: list[float] = field(default_factory=list)
    flicker: float | None = None

    def add(self, pred: np.ndarray, truth: np.ndarray) -> None:
        """Score one mask (booleans at the truth's size) against its truth."""
        self.ious.append(iou(pred, truth))
        self.boundary.append(boundary_f(pred, truth))

    @property
    def iou(self) -> float:
        return statistics.fmean(self.ious)

    @property
    def boundary_f(self) -> float:
        return statistics.fmean(self.boundary)
