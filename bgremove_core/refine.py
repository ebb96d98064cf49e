"""From the model's small, noisy probability map to a clean full-resolution alpha mask.

The model sees ~256x144 pixels, so its raw output is blocky at 720p, flickers from frame to frame
and has a hard, misplaced edge. The steps, in order, and why each is where it is:

1. Motion-adaptive temporal smoothing (model resolution): an exponential average that steadies
   the mask where nothing moves and follows the new prediction at once where the picture or the
   prediction changed a lot, so a moving person is never trailed by a ghost of the old mask.
2. Small-region removal (model resolution): detached blobs under ``min_region`` of the frame are
   false positives (a lamp, a poster face); dropping them is cheap at this size.
3. Edge-aware upsampling by a *fast guided filter* (He & Sun, 2015): the linear model
   ``mask ~ a * grey + b`` is fitted in small windows at model resolution, where it costs almost
   nothing, and only its two coefficient maps are scaled up and applied to the sharper grey picture
   at refine resolution. The edge moves onto the real edge (hair, shoulders) for two multiply-adds
   per refine pixel instead of a dozen box filters.
4. Soft threshold: a smoothstep band around the threshold instead of a hard cut, so edges stay
   anti-aliased and small probability wobbles do not toggle pixels on and off. The linear part is
   folded into the guided filter's coefficients and the curve is a 256-entry lookup table, so the
   mask becomes uint8 in the same pass that applies the coefficients.
5. Grow/shrink and feather (uint8, refine resolution), then a bilinear resize to the frame size,
   which is all the full-resolution work this module does besides the grey conversion.

Steps 3-5 run only over the box where the mask can be non-zero (the person, widened by the
kernels' reach): outside it every step yields 0, so the result is the same bytes as computing the
whole picture, for the box's share of the work.

The refine resolution is the work size every path shares (:func:`~bgremove_core.limits.work_size`:
720p refines at 640x360, 1080p at 480x270, 9:16 1080p at 270x480): after a bilinear upscale and
the default feather the eye cannot tell it from full size.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .frames import Box, Workspace, downscale, nonzero_box, resize_box, to_work_size
from .settings import Settings

_MOTION_FULL_FOLLOW = 32.0
"""Grey-level change (0-255) at which a pixel counts as moving and takes the new mask as is."""

_PROB_FULL_FOLLOW = 1.0
"""Probability change at which a pixel takes the new mask as is, whatever the picture did.

Both were tuned on lucia (docs/QUALITY.md): the follow rate is max(motion / 32, |change| / 1),
at least 1 - smoothing. Following probability jumps of 0.5 at once (the earlier value) let most
model flicker through (0.89x raw); 1.0 gives 0.83x with a higher IoU against the hand-drawn
masks, so it removes flicker without trailing."""

_GUIDE_RADIUS = 1 / 144
"""Guided-filter window radius as a fraction of the mask height (1 px of a 144-row mask, 5 px of
720p): wider windows round off shoulders and fingers (IoU on people and lucia drops 0.001-0.01)."""

_GUIDE_EPS = 3e-4
"""Guided-filter regularisation in (grey 0-1)^2: edges fainter than ~4 grey levels are ignored."""

_HARD_BAND = 1 / 255
"""The narrowest soft band: with edge softness 0 the ramp is one grey level wide, a hard cut."""

_SMOOTHSTEP = np.round(255 * (lambda t: t * t * (3 - 2 * t))(np.arange(256) / 255)).astype(np.uint8)
"""Smoothstep 3t^2 - 2t^3 as a uint8 lookup table."""


class Refiner:
    """Stateful mask refinement for one stream of frames (keeps the previous mask and frame)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._prev_prob: np.ndarray | None = None
        self._prev_grey: np.ndarray | None = None
        self._work = Workspace()

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
        work = self._work
        # Grey first, then halve: one channel to halve instead of three (0.59 -> 0.37 ms at 720p),
        # within one grey level of halving the colours first.
        grey = to_work_size(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY, dst=work.get("grey", (h, w))))
        rh, rw = grey.shape
        ph, pw = prob.shape
        small_grey = cv2.resize(downscale(grey, 2 * pw), (pw, ph), interpolation=cv2.INTER_AREA)
        prob = self._smooth(prob, small_grey)
        if s.min_region > 0:
            prob = _remove_small_regions(prob, s.threshold, s.min_region)

        # ramp = (q - lo) * gain, 0..255 across the soft band; q = a * grey + b (or the probability).
        band = max(s.edge_softness, _HARD_BAND)
        gain = 255.0 / band
        lo = s.threshold - band / 2
        if s.edge_refine:
            a, b = _guided_coefficients(small_grey, prob)
            a *= gain
            b = (b - lo) * gain
            # The most any grey level can make of a * grey + b, pixel by pixel.
            most = b + np.maximum(a, 0.0) * 255.0
        else:
            b = most = (prob - lo) * gain
        alpha = work.get("alpha", (rh, rw))
        alpha.fill(0)
        box = nonzero_box((most > 0).view(np.uint8))
        if box is not None:
            # Bilinear weights sum to 1, so where every neighbouring coefficient gives q <= 0
            # (outside this box), so does the upscale: the ramp is 0 there and is not computed.
            rows, cols = box
            box = (_scaled(rows, rh / ph, rh), _scaled(cols, rw / pw, rw))
            shape = alpha[box].shape
            ramp = work.view("ramp", shape)
            b_up = resize_box(b, (rw, rh), box, work, "b")
            if s.edge_refine:
                a_up = resize_box(a, (rw, rh), box, work, "a")
                q = cv2.multiply(grey[box], a_up, dtype=cv2.CV_32F, dst=work.view("q", shape, np.float32))
                cv2.add(q, b_up, dtype=cv2.CV_8U, dst=ramp)
            else:
                # Saturating float -> uint8 conversion; OpenCV's stubs lack the scalar overload.
                cv2.add(b_up, 0.0, dtype=cv2.CV_8U, dst=ramp)  # type: ignore[call-overload]
            cv2.LUT(ramp, _SMOOTHSTEP, dst=alpha[box])
        return self._finish(alpha, (w, h))

    def _finish(self, alpha: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """Grow/shrink, feather and upscale to ``size``, over the person's box only.

        Outside the box (widened by the reach of the grow and feather kernels) every step yields
        0, so the box is all that is computed; a box filter's border inside it only ever sees
        zeros, which makes the result the same bytes as filtering the whole mask.
        """
        s = self._settings
        w, h = size
        rh, rw = alpha.shape
        out = np.empty((h, w), np.uint8)
        out.fill(0)  # np.zeros would hand out fresh zero pages, each faulting in when first read
        box = nonzero_box(alpha)
        if box is None:
            return out
        px = rh / 720.0
        grow = round(abs(s.grow * px))
        sigma = max(s.feather * px, 0.3)
        blur_size = round(sigma * 6 + 1) | 1  # what OpenCV derives from sigma for uint8 pictures
        box = _widen(box, grow + blur_size // 2 + 1 if s.feather else grow, (rh, rw))
        if s.grow or s.feather:
            soft = self._work.get("soft", (rh, rw))
            soft.fill(0)
            part = _grow(alpha[box], s.grow * px) if s.grow else alpha[box]
            if s.feather:
                cv2.GaussianBlur(part, (blur_size, blur_size), sigma, dst=soft[box])
            else:
                soft[box] = part
            alpha = soft
        if (rw, rh) == (w, h):
            out[box] = alpha[box]
            return out
        rows, cols = box
        full = (_scaled(rows, h / rh, h), _scaled(cols, w / rw, w))
        out[full] = resize_box(alpha, size, full, self._work, "full")
        return out

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


def _guided_coefficients(grey: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The guided filter's smoothed (a, b) maps, with grey as uint8 counts (q = a * grey + b)."""
    r = max(1, round(prob.shape[0] * _GUIDE_RADIUS))
    ksize = (2 * r + 1, 2 * r + 1)
    guide = grey.astype(np.float32) * (1.0 / 255.0)
    mean_i = cv2.boxFilter(guide, -1, ksize)
    mean_p = cv2.boxFilter(prob, -1, ksize)
    cov = cv2.boxFilter(guide * prob, -1, ksize) - mean_i * mean_p
    var = cv2.boxFilter(guide * guide, -1, ksize) - mean_i * mean_i
    a = cov / (var + _GUIDE_EPS)
    b = mean_p - a * mean_i
    return cv2.boxFilter(a, -1, ksize) * (1.0 / 255.0), cv2.boxFilter(b, -1, ksize)


def _remove_small_regions(prob: np.ndarray, threshold: float, min_fraction: float) -> np.ndarray:
    binary = (prob >= threshold).astype(np.uint8)
    # 16-bit labels, when they fit, label 3x faster (0.35 -> 0.12 ms at 320x180).
    h, w = prob.shape
    fits = ((h + 1) // 2) * ((w + 1) // 2) < 2**16
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        binary, connectivity=8, ltype=cv2.CV_16U if fits else cv2.CV_32S
    )
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


def _widen(box: Box, margin: int, shape: tuple[int, int]) -> Box:
    """``box`` with ``margin`` more pixels on every side, within a picture of ``shape``."""
    rows, cols = box
    return (
        slice(max(0, rows.start - margin), min(shape[0], rows.stop + margin)),
        slice(max(0, cols.start - margin), min(shape[1], cols.stop + margin)),
    )


def _scaled(span: slice, scale: float, limit: int) -> slice:
    """The rows (or columns) whose bilinear resize by ``scale`` reads source pixels in ``span``."""
    reach = 1 + math.ceil(1 / scale)  # source pixels a 2-tap interpolation can reach back
    return slice(
        max(0, math.floor((span.start - reach) * scale)), min(limit, math.ceil((span.stop + reach) * scale))
    )


def _grow(alpha: np.ndarray, radius: float) -> np.ndarray:
    size = 2 * round(abs(radius)) + 1
    if size <= 1:
        return alpha
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(alpha, kernel) if radius > 0 else cv2.erode(alpha, kernel)
