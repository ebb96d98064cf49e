"""The colour description of an OBS frame, as the worker needs it to read the frame's pixels.

Standard library only: the OBS process imports this.
"""

from __future__ import annotations

from ..wire.protocol import COLOUR_INFO
from . import libobs

FULL_RANGE = ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))


def colour_info(frame: libobs.ObsSourceFrame) -> bytes:
    """The frame's YUV->RGB matrix and range clamps (:data:`~bgremove_obs.wire.protocol.COLOUR_INFO`).

    A full-range frame is clamped to 0..1 whatever its ``color_range_min``/``max`` say: libobs
    fills those only for limited-range frames. ``copy_frame_data`` (libobs/obs-source.c, the
    same in OBS 29.0.2, 30.2.3 and 32.2.2) copies them ``if (!dst->full_range)`` into the async
    frame cache, whose frames ``obs_source_frame_create`` allocates zeroed, and OBS's own
    shader sets them only for limited-range frames. So every full-range frame (yuvj420p clips
    from phones, OBS recordings and ffmpeg 7, MJPEG webcams) reaches ``filter_video`` with both
    clamps at zero, and clamping to them turned the whole picture into one flat colour.
    """
    low, high = (
        FULL_RANGE if frame.full_range else (tuple(frame.color_range_min), tuple(frame.color_range_max))
    )
    return COLOUR_INFO.pack(*frame.color_matrix, *low, *high)
