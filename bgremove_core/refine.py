"""From the model's small, noisy probability map to a clean full-resolution alpha mask.

The model sees ~256x144 pixels, so its raw output is blocky at 720p, flickers from frame to frame
and has a hard, misplaced edge. The steps, in order, and why each is where it is:

1. Motion-adaptive temporal smoothing (model resolution): an exponential average that steadies
   the mask where nothing moves and follows the new prediction at once where the picture or the
   prediction changed a lot, so a moving person is never trailed by a ghost of the old mask.
2. Small-region removal (model resolution): detached blobs under ``min_region`` of the frame are
   false positives (a lamp, a poster face); dropping them is cheap at this size.
3. Edge-aware upsampling (refine resolution, at most 640 px wide): a guided filter with the real
   picture as guide moves the edge onto the true edge (hair, shoulders) instead of a blurry
   bilinear blob.
4. Soft threshold: a smoothstep band around the threshold instead of a hard cut, so edges stay
   anti-aliased and small probability wobbles do not toggle pixels on and off.
5. Grow/shrink and feather (refine resolution), then a bilinear resize to the frame size, which is
   all the full-resolution work this module does.
"""

from __future__ import annotations

import cv2
import numpy as np

from .settings import Settings

REFINE_MAX_WIDTH = 640
"""Width of the resolution edges are refined at: finer than the eye can tell apart after a
bilinear upscale to 720p/1080p, and 4-9x cheaper than refining at full size."""

_MOTION_FULL_FOLLOW = 24.0
"""Grey-level change (0-255) at which a pixel counts as moving and takes the new mask as is."""

_PROB_FULL_FOLLOW = 0.5
"""Probability change at which a pixel takes the new mask as is, whatever the picture did."""


class Refiner:
    """Stateful mask refinement for one stream of frames (keeps the previous mask and frame)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._prev_prob: np.ndarray | None = None
        self._prev_grey: np.ndarray | None = None

    def update(self, settings: Settings) -> None:
        """Take new settings; the temporal state is kept so the picture does not jump."""
        self._settings = settings

    def reset(self) -> None:
        """Forget the previous frame (a scene cut, a new file, a resolution change)."""
        self._prev_prob = None
        self._prev_grey = None

    def refine(self, prob: np.ndarray, frame: np.ndarray) -> np.ndarray:
        """Return the uint8 alpha mask (255 = person) at ``frame``'s size.

        Args:
            prob: P(person) from :meth:`Segmenter.segment` for this frame (float32, small).
            frame: The BGR frame the mask is for; guides the edges and detects motion.
        """
        s = self._settings
        h, w = frame.shape[:2]
        small_grey = cv2.cvtColor(
            cv2.resize(frame, (prob.shape[1], prob.shape[0]), interpolation=cv2.INTER_AREA),
            cv2.COLOR_BGR2GRAY,
        )
        prob = self._smooth(prob, small_grey)
        if s.min_region > 0:
            prob = _remove_small_regions(prob, s.threshold, s.min_region)

        rw, rh = _refine_size(w, h)
        up = cv2.resize(prob, (rw, rh), interpolation=cv2.INTER_LINEAR)
        if s.edge_refine:
            guide = frame if (rw, rh) == (w, h) else cv2.resize(frame, (rw, rh), interpolation=cv2.INTER_AREA)
            guide_grey = cv2.cvtColor(guide, cv2.COLOR_BGR2GRAY)
            radius = max(2, round(rh / 90))
            up = cv2.ximgproc.guidedFilter(guide_grey, up, radius, 1e-3)
        alpha = _soft_threshold(up, s.threshold, s.edge_softness)

        px = rh / 720.0
        if s.grow:
            alpha = _grow(alpha, s.grow * px)
        if s.feather:
            sigma = s.feather * px
            alpha = cv2.GaussianBlur(alpha, (0, 0), sigmaX=max(sigma, 0.3))
        alpha_u8 = cv2.convertScaleAbs(alpha, alpha=255.0)
        if (rw, rh) != (w, h):
            alpha_u8 = cv2.resize(alpha_u8, (w, h), interpolation=cv2.INTER_LINEAR)
        return alpha_u8

    def _smooth(self, prob: np.ndarray, grey: np.ndarray) -> np.ndarray:
        keep = self._settings.smoothing
        prev, prev_grey = self._prev_prob, self._prev_grey
        self._prev_grey = grey
        if keep == 0 or prev is None or prev.shape != prob.shape or prev_grey is None:
            self._prev_prob = prob
            return prob
        motion = cv2.absdiff(grey, prev_grey).astype(np.float32) * (1.0 / _MOTION_FULL_FOLLOW)
        change = np.abs(prob - prev) * (1.0 / _PROB_FULL_FOLLOW)
        follow = np.clip(np.maximum(motion, change), 1.0 - keep, 1.0)
        smoothed = prev + follow * (prob - prev)
        self._prev_prob = smoothed
        return smoothed


def _refine_size(width: int, height: int) -> tuple[int, int]:
    if width <= REFINE_MAX_WIDTH:
        return width, height
    scale = REFINE_MAX_WIDTH / width
    return REFINE_MAX_WIDTH, max(1, round(height * scale))


def _soft_threshold(prob: np.ndarray, threshold: float, band: float) -> np.ndarray:
    """Smoothstep from threshold - band/2 to threshold + band/2 (a hard step when band is 0)."""
    if band <= 0:
        return (prob >= threshold).astype(np.float32)
    lo = threshold - band / 2
    t = np.clip((prob - lo) * (1.0 / band), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _remove_small_regions(prob: np.ndarray, threshold: float, min_fraction: float) -> np.ndarray:
    binary = (prob >= threshold).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 2:
        return prob
    areas = stats[1:, cv2.CC_STAT_AREA]
    small = np.flatnonzero(areas < min_fraction * prob.size) + 1
    if small.size == 0:
        return prob
    if small.size == count - 1:
        small = small[small != 1 + int(np.argmax(areas))]
    drop = np.isin(labels, small)
    out = prob.copy()
    out[drop] = np.minimum(out[drop], threshold * 0.5)
    return out


def _grow(alpha: np.ndarray, radius: float) -> np.ndarray:
    size = 2 * round(abs(radius)) + 1
    if size <= 1:
        return alpha
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(alpha, kernel) if radius > 0 else cv2.erode(alpha, kernel)
