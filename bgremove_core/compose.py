"""Put the person (by alpha) over a new background: the CPU reference of every compositing path.

Choices that keep it fast and clean (measurements in docs/PERFORMANCE.md):

- Blur is computed at a reduced resolution (the frame halved until its long side is at most
  ``limits.BLUR_MAX_SIDE``, 320 px: 720p blurs at 320x180, 1080p at 240x135), because a blurred
  picture has no detail a bilinear upscale could lose; that is 16-64x fewer pixels. Blur strength
  is scaled to it so the look does not depend on the frame size.
- Blur is *mask-weighted* (normalised convolution): the person's pixels are all but left out of
  the average, so the person's colours never smear into the background around them (no halo).
- The blend is two saturating uint8 multiplies and an add in OpenCV, exact at alpha 0 and 255
  and within 1 grey level elsewhere, at a fraction of float math's cost.
- Full-size scratch arrays live in a per-compositor :class:`Workspace` instead of being
  allocated every frame; only the returned picture is new.
"""

from __future__ import annotations

import cv2
import numpy as np

from .backgrounds import BackgroundSource, open_background
from .frames import Workspace, downscale
from .limits import BLUR_MAX_SIDE
from .resources import Closeable
from .settings import Background, Settings, Stage, changed_stages

_OUTLINE = np.ones((3, 3), np.uint8)
"""Dilation applied to the small mask: outline pixels mix person and background colours after
the downscale, so they are counted as person rather than let the person's colour leak out."""

_PERSON_WEIGHT = 1e-3
"""Weight of the person's pixels in the background blur. Small enough that next to the person
they add under 2% of their colour (no halo) until 95% of the blur window is person, yet never
zero, so deep inside the person, where there is no background to average, the average is
simply the plain blur instead of a division by zero."""


class Compositor(Closeable):
    """Composites frames for one stream; owns the replacement background (file or video)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._background: BackgroundSource | None = open_background(settings)
        self._work = Workspace()

    def update(self, settings: Settings) -> None:
        """Take new settings, reopening the background only if its source changed.

        The new background is opened before the old one is closed, so a bad file raises and
        leaves the compositor working with the previous background.
        """
        if Stage.BACKGROUND in changed_stages(self._settings, settings):
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
            return cv2.merge((*cv2.split(frame), alpha))
        h, w = frame.shape[:2]
        if s.background == Background.BLUR:
            background = blur_background(frame, alpha, s.blur_strength, self._work)
        else:
            assert self._background is not None
            background = self._background.frame(w, h)
        out = blend(frame, background, alpha, self._work)
        if s.light_wrap > 0 and s.background != Background.BLUR:
            out = light_wrap(out, background, alpha, s.light_wrap, self._work)
        return out

    def close(self) -> None:
        """Release the background file or video; safe to call twice."""
        if self._background is not None:
            self._background.close()
            self._background = None


def blend(
    frame: np.ndarray, background: np.ndarray, alpha: np.ndarray, work: Workspace | None = None
) -> np.ndarray:
    """frame * alpha + background * (1 - alpha), with alpha in 0..255, as a new array.

    Two saturating uint8 multiplies and an add: exact where alpha is 0 or 255 and within one grey
    level elsewhere, at a fraction of the cost of float math at full resolution.
    """
    work = work or Workspace()
    shape = frame.shape
    a3 = cv2.merge((alpha, alpha, alpha), dst=work.get("a3", shape))
    fg = cv2.multiply(frame, a3, scale=1 / 255, dst=work.get("fg", shape))
    bg = cv2.multiply(background, cv2.bitwise_not(a3, dst=a3), scale=1 / 255, dst=work.get("bg", shape))
    return cv2.add(fg, bg)


def blur_background(
    frame: np.ndarray, alpha: np.ndarray, strength: int, work: Workspace | None = None
) -> np.ndarray:
    """The frame's background, blurred with the person masked out (no halo), at frame size.

    With a ``work`` space the result is that workspace's scratch array, valid until its next use.
    """
    h, w = frame.shape[:2]
    work = work or Workspace()
    small = blur_background_small(frame, alpha, strength, work)
    return cv2.resize(small, (w, h), dst=work.get("background", frame.shape))


def blur_background_small(
    frame: np.ndarray, alpha: np.ndarray, strength: int, work: Workspace | None = None
) -> np.ndarray:
    """The halo-free blurred background at the reduced blur resolution (long side <= BLUR_MAX_SIDE).

    ``strength`` is a blur radius in pixels of a 720p picture. The colours, premultiplied by a
    background weight (1 for background, _PERSON_WEIGHT for the person), and the weight itself
    are blurred together as one four-channel image with a stack blur (a tent-shaped near-Gaussian,
    3-5x cheaper than ``GaussianBlur`` here); their ratio is the weighted average. Exposed on its
    own because the OBS filter uploads this small picture and lets the GPU scale it up.
    """
    work = work or Workspace()
    small = downscale(frame, BLUR_MAX_SIDE)
    sh, sw = small.shape[:2]
    small_alpha = downscale(alpha, BLUR_MAX_SIDE)
    if small_alpha.shape != (sh, sw):
        small_alpha = cv2.resize(small_alpha, (sw, sh), interpolation=cv2.INTER_AREA)
    shape4 = (sh, sw, 4)
    # Pixels on the outline are part person after the downscale: count them as person.
    small_alpha = cv2.dilate(small_alpha, _OUTLINE)
    weight = 1.0 - small_alpha.astype(np.float32) * ((1.0 - _PERSON_WEIGHT) / 255)
    weight4 = cv2.merge((weight, weight, weight, weight), dst=work.get("weight4", shape4, np.float32))
    premultiplied = cv2.multiply(
        cv2.cvtColor(small, cv2.COLOR_BGR2BGRA),
        weight4,
        dtype=cv2.CV_32F,
        dst=work.get("premultiplied", shape4, np.float32),
    )
    blurred = cv2.stackBlur(
        premultiplied, _stack_ksize(strength * sh / 720 / 2), dst=work.get("blurred", shape4, np.float32)
    )
    scale = cv2.divide(255.0, blurred[..., 3])
    cv2.merge((scale, scale, scale, scale), dst=weight4)
    out = cv2.multiply(blurred, weight4, dtype=cv2.CV_8U, dst=work.get("out4", shape4))
    return cv2.cvtColor(out, cv2.COLOR_BGRA2BGR)


def _stack_ksize(sigma: float) -> tuple[int, int]:
    """The stack-blur kernel matching a Gaussian's sigma: its tent has variance (r + 1)^2 / 6."""
    r = max(0, round(sigma * 6**0.5 - 1))
    return 2 * r + 1, 2 * r + 1


def light_wrap_maps(
    background: np.ndarray, alpha: np.ndarray, amount: float
) -> tuple[np.ndarray, np.ndarray]:
    """The two small pictures light wrap needs: the glow (blurred background) and its weight.

    Both are at the blur work resolution. The wrap weight is ``spread * alpha``: the blurred
    background coverage is only non-zero near the outline, and alpha is zero outside the person,
    so the person's interior and the background itself are left untouched. Exposed on its own
    because the OBS filter uploads these two and lets the GPU scale them up and blend.
    """
    small_alpha = downscale(alpha, BLUR_MAX_SIDE)
    a = small_alpha.astype(np.float32) * (1 / 255)
    ksize = _stack_ksize(max(1.0, small_alpha.shape[0] / 60))
    spread = cv2.stackBlur(1.0 - a, ksize)
    wrap = cv2.convertScaleAbs(spread * a, alpha=255.0 * 2.0 * amount)
    glow = cv2.stackBlur(downscale(background, BLUR_MAX_SIDE), ksize)
    return glow, wrap


def light_wrap(
    out: np.ndarray, background: np.ndarray, alpha: np.ndarray, amount: float, work: Workspace | None = None
) -> np.ndarray:
    """Let the background's light spill onto the person's edge, strongest right at the edge."""
    h, w = out.shape[:2]
    glow_small, wrap_small = light_wrap_maps(background, alpha, amount)
    work = work or Workspace()
    wrap = cv2.resize(wrap_small, (w, h), dst=work.get("wrap", alpha.shape))
    cv2.min(wrap, alpha, dst=wrap)
    glow = cv2.resize(glow_small, (w, h), dst=work.get("glow", out.shape))
    return blend(glow, out, wrap, work)
