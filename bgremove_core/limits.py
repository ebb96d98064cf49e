"""The size limits both sides of the OBS filter agree on, and the mailbox capacities they imply.

One rule, one place: the worker segments frames at the *work size*, OBS reads sync sources back
at that size, the core refines masks at it, and the shared-memory mailboxes are sized from it.
They used to agree by convention (three "640"s) and the mailbox assumed landscape frames, so a
portrait 1080x1920 source produced a mask too big for its mailbox and none was ever shown.

Why the *long* side is bounded (not the width): the work is proportional to the pixel count, and
bounding the long side gives every orientation the same budget (1920x1080 and 1080x1920 both
work at 640x360 / 360x640 pixels) and a worst case, the square, that a fixed capacity can hold.
Bounding only the width let 9:16 frames grow to 640x1138, and any taller aspect further still.

Standard library only: the OBS process imports this inside OBS's own interpreter.
"""

from __future__ import annotations

WORK_MAX_SIDE = 640
"""Longest side of the work size (720p works at 640x360, 9:16 1080p at 360x640): after a bilinear
upscale and the default feather the eye cannot tell the mask from one refined at full size."""

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


def work_size(width: int, height: int) -> tuple[int, int]:
    """The size a frame is segmented and refined at in the OBS worker (and read back at)."""
    return fit(width, height, WORK_MAX_SIDE)


def picture_size(width: int, height: int) -> tuple[int, int]:
    """The size a replacement background picture for a ``width`` x ``height`` frame is sent at."""
    return fit(width, height, PICTURE_MAX_SIDE)


def _blur_extent(side: int) -> int:
    """The longest side of a picture ``side`` long halved until it is at most BLUR_MAX_SIDE."""
    while side > BLUR_MAX_SIDE:
        side //= 2
    return side


def mask_capacity() -> int:
    """Bytes of the largest mask message: the R8 mask at work size plus its companion pictures.

    Two layouts (see ``protocol.MaskMeta``): blur mode adds a BGRA picture at mask size; the
    colour/picture looks with light wrap add a BGRA glow and an R8 weight at the blur size. The
    worst case of each is a square frame, because the work size bounds the long side.
    """
    mask = WORK_MAX_SIDE * WORK_MAX_SIDE
    blur_side = _blur_extent(WORK_MAX_SIDE)
    return mask + max(_BGRA * mask, (_BGRA + 1) * blur_side * blur_side)


FRAME_CAPACITY = FRAME_MAX_PIXELS * _BGRA + _FRAME_HEADER
MASK_CAPACITY = mask_capacity()
BACKGROUND_CAPACITY = PICTURE_MAX_SIDE * PICTURE_MAX_SIDE * _BGRA
TEXT_CAPACITY = 16 * 1024
