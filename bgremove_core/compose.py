"""Put the person (by alpha) over a new background: the CPU reference of every compositing path.

Two choices keep it fast and clean:

- Blur is computed at a reduced resolution (a quarter of the width or less), because a blurred
  picture has no detail a bilinear upscale could lose; that is ~20x fewer pixels to blur.
- Blur is *mask-weighted* (normalised convolution): the person's pixels are left out of the
  average, so the person's colours never smear into the background around them (no halo).

The blend itself is two saturating uint8 multiplies and an add in OpenCV, which is exact at
alpha 0 and 255 and within 1 grey level elsewhere, at a fraction of float math's cost.
"""

from __future__ import annotations

import cv2
import numpy as np

from .backgrounds import BackgroundSource, open_background
from .settings import Background, Settings

BLUR_WORK_WIDTH = 320
"""Width the background is blurred at; blur strength is scaled to it so the look does not
depend on the frame size."""


class Compositor:
    """Composites frames for one stream; owns the replacement background (file or video)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._background: BackgroundSource | None = open_background(settings)

    def update(self, settings: Settings) -> None:
        """Take new settings, reopening the background only if its source changed.

        The new background is opened before the old one is closed, so a bad file raises and
        leaves the compositor working with the previous background.
        """
        old = self._settings
        if (settings.background, settings.image, settings.video, settings.colour) != (
            old.background,
            old.image,
            old.video,
            old.colour,
        ):
            background = open_background(settings)
            if self._background is not None:
                self._background.close()
            self._background = background
        self._settings = settings

    def compose(self, frame: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """Return the composited picture: BGR uint8, or BGRA uint8 in transparent mode."""
        s = self._settings
        if s.show_mask:
            return cv2.cvtColor(alpha, cv2.COLOR_GRAY2BGR)
        if s.background == Background.TRANSPARENT:
            return np.dstack((frame, alpha))
        h, w = frame.shape[:2]
        if s.background == Background.BLUR:
            background = blur_background(frame, alpha, s.blur_strength)
        else:
            assert self._background is not None
            background = self._background.frame(w, h)
        out = blend(frame, background, alpha)
        if s.light_wrap > 0 and s.background != Background.BLUR:
            out = light_wrap(out, background, alpha, s.light_wrap)
        return out

    def close(self) -> None:
        """Release the background file or video; safe to call twice."""
        if self._background is not None:
            self._background.close()
            self._background = None


def blend(frame: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """frame * alpha + background * (1 - alpha), with alpha in 0..255."""
    a3 = cv2.merge((alpha, alpha, alpha))
    fg = cv2.multiply(frame, a3, scale=1 / 255)
    bg = cv2.multiply(background, cv2.bitwise_not(a3), scale=1 / 255)
    return cv2.add(fg, bg)


def _work_size(width: int, height: int) -> tuple[int, int]:
    if width <= BLUR_WORK_WIDTH:
        return width, height
    return BLUR_WORK_WIDTH, max(1, round(height * BLUR_WORK_WIDTH / width))


def blur_background(frame: np.ndarray, alpha: np.ndarray, strength: int) -> np.ndarray:
    """The frame's background, blurred with the person masked out (no halo), at frame size."""
    h, w = frame.shape[:2]
    return cv2.resize(blur_background_small(frame, alpha, strength), (w, h), interpolation=cv2.INTER_LINEAR)


def blur_background_small(frame: np.ndarray, alpha: np.ndarray, strength: int) -> np.ndarray:
    """The halo-free blurred background at the reduced blur resolution (BLUR_WORK_WIDTH wide).

    ``strength`` is a blur radius in pixels of a 720p picture. Where the person covers the whole
    blur window there is no background to average, so the plain blur fills in there. Exposed on
    its own because the OBS filter uploads this small picture and lets the GPU scale it up.
    """
    h, w = frame.shape[:2]
    sw, sh = _work_size(w, h)
    small = cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
    weight = cv2.resize(alpha, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
    weight = 1.0 - weight * (1 / 255)
    sigma = max(0.5, strength * sh / 720 / 2)
    num = cv2.GaussianBlur(small * weight[..., None], (0, 0), sigma)
    den = cv2.GaussianBlur(weight, (0, 0), sigma)
    plain = cv2.GaussianBlur(small, (0, 0), sigma)
    trust = np.clip(den * 8.0, 0.0, 1.0)[..., None]
    blurred = num / np.maximum(den, 1e-4)[..., None] * trust + plain * (1.0 - trust)
    return cv2.convertScaleAbs(blurred)


def light_wrap(out: np.ndarray, background: np.ndarray, alpha: np.ndarray, amount: float) -> np.ndarray:
    """Let the background's light spill onto the person's edge, strongest right at the edge."""
    h, w = out.shape[:2]
    sw, sh = _work_size(w, h)
    a = cv2.resize(alpha, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32) * (1 / 255)
    spread = cv2.GaussianBlur(1.0 - a, (0, 0), max(1.0, sh / 60))
    edge = np.clip(spread * a * 2.0 * amount, 0.0, 1.0)
    wrap = cv2.convertScaleAbs(cv2.resize(edge, (w, h), interpolation=cv2.INTER_LINEAR), alpha=255.0)
    small_bg = cv2.resize(background, (sw, sh), interpolation=cv2.INTER_AREA)
    glow = cv2.resize(cv2.GaussianBlur(small_bg, (0, 0), max(1.0, sh / 60)), (w, h))
    return blend(glow, out, wrap)
