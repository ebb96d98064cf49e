"""Whether a frame the worker received can be read as a picture at all.

The worker runs :func:`problem` on every frame before converting it. A frame that cannot be a
picture (a format the filter does not read, planes too small for the frame's size, a payload of
the wrong length, a YUV frame without a usable colour range or with every byte zero) is never
segmented and composited: the worker answers it with a pass-through message and says why in
one sentence, which the filter shows in its properties and OBS's log. Compositing such a frame
once drew a flat green picture with an empty mask (full-range frames arrived with zero range
clamps, see :mod:`bgremove_obs.host.colour`).
"""

from __future__ import annotations

import math

import numpy as np

from ..wire.formats import FORMATS, plane_sizes, row_bytes
from ..wire.protocol import COLOUR_INFO, FrameMeta

OTHER_FORMATS = {
    11: "BGR3",
    13: "I40A",
    14: "I42A",
    15: "YUVA",
    16: "AYUV",
    20: "I412",
    21: "YA2L",
    22: "P216",
    23: "P416",
    24: "V210",
    25: "R10L",
}
"""OBS's names for the ``enum video_format`` values the filter does not read (for the sentence)."""
_PASS = "; the picture passes through unchanged."
_STRIDE = 4099
"""Every this many bytes are looked at first (cheaper than reading the whole frame each time)."""


def problem(meta: FrameMeta, payload: memoryview) -> str:
    """One sentence saying why the frame cannot be read, or "" when it can."""
    fmt = FORMATS.get(meta.format)
    if fmt is None:
        name = OTHER_FORMATS.get(meta.format, f"number {meta.format}")
        return f"This source hands OBS frames in video format {name}, which the filter cannot read yet{_PASS}"
    what = f"{fmt.name} {meta.width}x{meta.height}"
    reason = _layout_problem(meta, len(payload)) or (_picture_problem(meta, payload) if fmt.yuv else "")
    return f"OBS handed the filter a frame it cannot read ({what}: {reason}){_PASS}" if reason else ""


def _layout_problem(meta: FrameMeta, length: int) -> str:
    fmt = FORMATS[meta.format]
    if meta.width <= 0 or meta.height <= 0:
        return "no pixels"
    linesizes = (meta.linesize0, meta.linesize1, meta.linesize2)
    for plane, need in enumerate(row_bytes(fmt, meta.width)):
        if linesizes[plane] < need or linesizes[plane] % fmt.sample_bytes:
            return f"plane {plane} has rows of {linesizes[plane]} bytes, {need} are needed"
    expected = COLOUR_INFO.size + sum(plane_sizes(fmt, meta.height, linesizes))
    if length != expected:
        return f"{length} bytes arrived where its planes take {expected}"
    return ""


def _picture_problem(meta: FrameMeta, payload: memoryview) -> str:
    colour = COLOUR_INFO.unpack_from(payload, 0)
    low, high = colour[16:19], colour[19:22]
    if not all(math.isfinite(value) for value in colour):
        return "its colour description is not a number"
    if any(top <= bottom for bottom, top in zip(low, high, strict=True)):
        return "its colour range is empty"
    if not any(colour[row * 4 + column] for row in range(3) for column in range(3)):
        return "its colour matrix is zero"
    pixels = np.frombuffer(payload, np.uint8, offset=COLOUR_INFO.size)
    if not pixels[::_STRIDE].any() and not pixels.any():  # a picture shows itself in the sample
        return "every byte is zero"
    return ""
