"""The size limits every path agrees on, and the OBS mailbox capacities they imply.

One rule, one place: the *work size* (:func:`work_size`) is the size the core refines masks at
(files, ``bgremove live`` and the OBS worker alike), the size OBS reads sync sources back at and
the OBS worker converts frames to, and the shared-memory mailboxes are sized from it.

The rule is the frame halved (each side rounded down) until its long side is at most
:data:`WORK_MAX_SIDE`: 720p works at 640x360, 1080p at 480x270, 9:16 1080p at 270x480. Halving
is OpenCV's fast resize path, and the refined mask is upscaled by a whole factor, which
``frames.resize_box`` does over the person's box only. Measured against scaling the long side
to exactly 640 (the OBS worker's rule until both paths shared one), on the three shared clips at
1080p, 9:16 1080p, 720p and their own 854x480: IoU and boundary F within 0.002 of each other
either way, refinement 0-30 % faster by halving (``python -m bench.work_size_ab``).

Why the *long* side is bounded (not the width): the work is proportional to the pixel count, and
bounding the long side gives every orientation the same budget and a worst case, the square,
that a fixed capacity can hold.

Standard library only: the OBS process imports this inside OBS's own interpreter.
"""

from __future__ import annotations

WORK_MAX_SIDE = 640
"""Longest side of the work size (see :func:`work_size`): after a bilinear upscale and the
default feather the eye cannot tell the mask from one refined at full size."""

BLUR_MAX_SIDE = 320
"""Longest side the background is blurred at (used by ``compose.blur_background_small``): a blurred picture
has no detail a bilinear upscale could lose."""

PICTURE_MAX_SIDE = 1920
"""Longest side of a replacement background picture sent to OBS (the GPU scales it to the frame)."""

FRAME_MAX_PIXELS = 3840 * 2160
"""Largest CPU frame OBS hands the worker: 4K, in either orientation."""

_BGRA = 4
_FRAME_HEADER = 4096
"""Room for the colour matrix in front of a frame's planes, and plane padding."""


def fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    """``width`` x ``height`` scaled down (aspect kept) so neither side exceeds ``max_side``.

    Sizes within the limit are returned unchanged; no side ever becomes 0.
    """
    longest = max(width, height)
    if longest <= max_side:
        return width, height
    scale = max_side / longest
    return max(1, min(max_side, round(width * scale))), max(1, min(max_side, round(height * scale)))


def halvings(width: int, height: int, max_side: int) -> int:
    """How many halvings (each side rounded down, never below 1) bring the long side to ``max_side``."""
    count = 0
    while max(width, height) > max_side:
        width, height, count = max(1, width // 2), max(1, height // 2), count + 1
    return count


def halved(width: int, height: int, times: int) -> tuple[int, int]:
    """``width`` x ``height`` after ``times`` halvings (what OpenCV's halving resize gives)."""
    for _ in range(times):
        width, height = max(1, width // 2), max(1, height // 2)
    return width, height


def work_size(width: int, height: int) -> tuple[int, int]:
    """The size masks of a ``width`` x ``height`` frame are refined at, on every path."""
    return halved(width, height, halvings(width, height, WORK_MAX_SIDE))


def picture_size(width: int, height: int) -> tuple[int, int]:
    """The size a replacement background picture for a ``width`` x ``height`` frame is sent at."""
    return fit(width, height, PICTURE_MAX_SIDE)


def mask_capacity() -> int:
    """Bytes of the largest mask message: the R8 mask at work size plus its companion pictures.

    Two layouts (see ``protocol.MaskMeta``): blur mode adds a BGRA picture at mask size; the
    colour/picture looks with light wrap add a BGRA glow and an R8 weight at the blur size. The
    worst case of each is a square frame, because the work size bounds the long side.
    """
    mask = WORK_MAX_SIDE * WORK_MAX_SIDE
    blur_side = halved(WORK_MAX_SIDE, WORK_MAX_SIDE, halvings(WORK_MAX_SIDE, WORK_MAX_SIDE, BLUR_MAX_SIDE))[0]
    return mask + max(_BGRA * mask, (_BGRA + 1) * blur_side * blur_side)


FRAME_CAPACITY = FRAME_MAX_PIXELS * _BGRA + _FRAME_HEADER
MASK_CAPACITY = mask_capacity()
BACKGROUND_CAPACITY = PICTURE_MAX_SIDE * PICTURE_MAX_SIDE * _BGRA
TEXT_CAPACITY = 16 * 1024
