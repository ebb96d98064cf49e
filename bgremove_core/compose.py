"""Put the person (by alpha) over a new background: the CPU reference of every compositing path.

Choices that keep it fast and clean (measured side by side: CHANGELOG.md, performance history):

- Blur is computed at a reduced resolution (the frame halved until its long side is at most
  ``limits.BLUR_MAX_SIDE``, 320 px: 720p blurs at 320x180, 1080p at 240x135), because a blurred
  picture has no detail a bilinear upscale could lose; that is 16-64x fewer pixels. Blur strength
  is scaled to it so the look does not depend on the frame size.
- Blur is *mask-weighted* (normalised convolution): the person's pixels are all but left out of
  the average, so the person's colours never smear into the background around them (no halo).
- The blend is two saturating uint8 multiplies and an add in OpenCV, exact at alpha 0 and 255
  and within 1 grey level elsewhere, at a fraction of float math's cost. It, the light wrap and
  the mask's downscale run only over the box around the person (:func:`frames.nonzero_box`):
  outside it alpha is 0 and the output is the background, which is written once (the upscaled
  blur *is* the output array). Same bytes as doing the whole frame, for the box's share of it.
- Full-size scratch arrays live in a per-compositor :class:`Workspace` instead of being
  allocated every frame; only the returned picture is new.
"""

from __future__ import annotations

import cv2
import numpy as np

from .backgrounds import BackgroundSource, open_background
from .frames import Box, Workspace, downscale, downscale_box, nonzero_box, resize_box
from .limits import BLUR_MAX_SIDE
from .looks import Look, choose_look
from .resources import Closeable
from .settings import Settings, Stage, changed_stages

_OUTLINE = np.ones((3, 3), np.uint8)
"""Dilation applied to the small mask: outline pixels mix person and background colours after
the downscale, so they are counted as person rather than let the person's colour leak out."""


def _ycbcr(kr: float, kb: float) -> np.ndarray:
    """RGB (0-1) to (Y, Cb, Cr) for a matrix's red and blue weights."""
    kg = 1.0 - kr - kb
    y = np.array([kr, kg, kb])
    return np.array(
        [
            y,
            (np.array([0.0, 0.0, 1.0]) - y) / (2 * (1 - kb)),
            (np.array([1.0, 0.0, 0.0]) - y) / (2 * (1 - kr)),
        ]
    )


def _recode(kr: float, kb: float) -> np.ndarray:
    """The BGR transform that makes BT.601 encoding give the Y'CbCr another matrix gives."""
    rgb = np.linalg.inv(_ycbcr(0.299, 0.114)) @ _ycbcr(kr, kb)
    return rgb[::-1, ::-1].astype(np.float32)  # the same in BGR order


RECODE = {"bt709": _recode(0.2126, 0.0722)}
"""Video colour matrices (ffprobe's names) whose replacement pictures need :meth:`Compositor.code_for`.

The file writer encodes with BT.601 (OpenCV's conversion) and labels the file with the input's
matrix; the person's pixels were decoded with BT.601 too, so their Y'CbCr goes through unchanged,
but a replacement colour or picture would be shown with the wrong matrix (a BT.709 label: reds
and blues a few levels off, greens up to ~10)."""

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
        self._glow: tuple[np.ndarray, np.ndarray] | None = None
        """The last background picture and its light-wrap glow: a still background's is reused."""
        self._recode: np.ndarray | None = None
        self._coded: tuple[np.ndarray, np.ndarray] | None = None
        """The last replacement picture and its recoded copy: a still background's is reused."""

    def code_for(self, matrix: str) -> None:
        """Prepare replacement colours and pictures for a video labelled with ``matrix``.

        Args:
            matrix: ffprobe's name of the output's colour matrix (``bt709``...); "" for pictures
                and for videos whose frames go out as they are (see :data:`RECODE`).
        """
        self._recode, self._coded = RECODE.get(matrix), None

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

    def compose(self, frame: np.ndarray, alpha: np.ndarray, look: Look | None = None) -> np.ndarray:
        """Return the composited picture: BGR uint8, or BGRA uint8 for :attr:`Look.TRANSPARENT`.

        Args:
            frame: The BGR frame.
            alpha: Its uint8 mask at the frame's size (255 = person).
            look: What to draw (:meth:`MaskEngine.look <bgremove_core.engine.MaskEngine.look>`);
                None: the look the settings ask for.
        """
        s = self._settings
        look = choose_look(s) if look is None else look
        if look == Look.NONE:
            return frame.copy()
        if look == Look.MASK:
            return cv2.cvtColor(alpha, cv2.COLOR_GRAY2BGR)
        if look == Look.TRANSPARENT:
            return cv2.merge((*cv2.split(frame), alpha))
        h, w = frame.shape[:2]
        box = nonzero_box(alpha)
        if look == Look.BLUR:
            # The upscaled blur is the output itself: the person is then blended in over their box.
            small_alpha = downscale_box(alpha, BLUR_MAX_SIDE, box)
            small = _blur_small(frame, small_alpha, s.blur_strength, self._work)
            out = cv2.resize(small, (w, h))
            if box is not None:
                _mix(out[box], frame[box], alpha[box], self._work)
            return out
        assert self._background is not None  # opened for the colour and picture looks
        background = self._code(self._background.frame(w, h))
        out = background.copy()
        if box is None:
            return out
        _mix(out[box], frame[box], alpha[box], self._work)
        if s.light_wrap > 0:
            self._wrap(out, background, alpha, box)
        return out

    def _code(self, picture: np.ndarray) -> np.ndarray:
        if self._recode is None:
            return picture
        if self._coded is None or self._coded[0] is not picture:
            self._coded = (picture, cv2.transform(picture, self._recode))
        return self._coded[1]

    def _wrap(self, out: np.ndarray, background: np.ndarray, alpha: np.ndarray, box: Box) -> None:
        """Light wrap over the person's box, in place; the glow of a still background is kept."""
        if self._glow is None or self._glow[0] is not background:
            self._glow = (background, _glow(background))
        h, w = out.shape[:2]
        small_alpha = downscale_box(alpha, BLUR_MAX_SIDE, box)
        wrap = resize_box(
            _wrap_weight(small_alpha, self._settings.light_wrap), (w, h), box, self._work, "wrap"
        )
        cv2.min(wrap, alpha[box], dst=wrap)
        glow = resize_box(self._glow[1], (w, h), box, self._work, "glow")
        _mix(out[box], glow, wrap, self._work)

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
    level elsewhere, at a fraction of the cost of float math at full resolution. Only the box
    where alpha is not 0 is computed; the rest is the background, copied.
    """
    out = background.copy()
    box = nonzero_box(alpha)
    if box is not None:
        _mix(out[box], frame[box], alpha[box], work or Workspace())
    return out


def _mix(out: np.ndarray, frame: np.ndarray, alpha: np.ndarray, work: Workspace) -> None:
    """out = frame * alpha + out * (1 - alpha), in place, on same-sized (often box) views.

    The scratch arrays are views into frame-sized workspace arrays that every box fits in, so a
    box that changes size from frame to frame allocates nothing.
    """
    shape = (*alpha.shape, 3)
    a3 = cv2.merge((alpha, alpha, alpha), dst=work.view("a3", shape))
    fg = cv2.multiply(frame, a3, scale=1 / 255, dst=work.view("fg", shape))
    cv2.multiply(out, cv2.bitwise_not(a3, dst=a3), scale=1 / 255, dst=out)
    cv2.add(fg, out, dst=out)


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
    return _blur_small(frame, downscale(alpha, BLUR_MAX_SIDE), strength, work or Workspace())


def _blur_small(frame: np.ndarray, small_alpha: np.ndarray, strength: int, work: Workspace) -> np.ndarray:
    """:func:`blur_background_small` with the mask already at the blur work resolution."""
    small = downscale(frame, BLUR_MAX_SIDE)
    sh, sw = small.shape[:2]
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
    return _glow(background), _wrap_weight(downscale(alpha, BLUR_MAX_SIDE), amount)


def _wrap_ksize(height: int) -> tuple[int, int]:
    """The light-wrap spread at the blur work resolution: a sixtieth of the picture's height."""
    return _stack_ksize(max(1.0, height / 60))


def _glow(background: np.ndarray) -> np.ndarray:
    """The background's light, blurred at the blur work resolution."""
    small = downscale(background, BLUR_MAX_SIDE)
    return cv2.stackBlur(small, _wrap_ksize(small.shape[0]))


def _wrap_weight(small_alpha: np.ndarray, amount: float) -> np.ndarray:
    """How much glow each pixel takes (uint8, blur work resolution): strongest at the edge."""
    a = small_alpha.astype(np.float32) * (1 / 255)
    spread = cv2.stackBlur(1.0 - a, _wrap_ksize(small_alpha.shape[0]))
    return cv2.convertScaleAbs(spread * a, alpha=255.0 * 2.0 * amount)
