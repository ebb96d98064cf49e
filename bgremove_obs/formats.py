"""The CPU frame formats the filter hands to its worker, and how many rows each plane has.

OBS's async sources deliver ``struct obs_source_frame`` in many layouts; the OBS side only needs
to know how many bytes each plane spans to copy it (one ``memmove`` per plane, padding included);
the worker turns the planes into BGR (:mod:`bgremove_obs.convert`). Formats not listed pass
through unfiltered, with one log line.

Standard library only: the OBS process imports this.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import libobs


@dataclass(frozen=True)
class FrameFormat:
    """Attributes:
    name: OBS's name for the layout (for log lines).
    plane_rows: For each plane, the divisor of the frame height giving its row count
        (1: full height, 2: half height rounded up, as in 4:2:0 chroma).
    yuv: Whether the pixels are YUV, converted with the frame's colour matrix.
    """

    name: str
    plane_rows: tuple[int, ...]
    yuv: bool


FORMATS: dict[int, FrameFormat] = {
    libobs.VIDEO_FORMAT_I420: FrameFormat("I420", (1, 2, 2), True),
    libobs.VIDEO_FORMAT_NV12: FrameFormat("NV12", (1, 2), True),
    libobs.VIDEO_FORMAT_I444: FrameFormat("I444", (1, 1, 1), True),
    libobs.VIDEO_FORMAT_YUY2: FrameFormat("YUY2", (1,), True),
    libobs.VIDEO_FORMAT_YVYU: FrameFormat("YVYU", (1,), True),
    libobs.VIDEO_FORMAT_UYVY: FrameFormat("UYVY", (1,), True),
    libobs.VIDEO_FORMAT_RGBA: FrameFormat("RGBA", (1,), False),
    libobs.VIDEO_FORMAT_BGRA: FrameFormat("BGRA", (1,), False),
    libobs.VIDEO_FORMAT_BGRX: FrameFormat("BGRX", (1,), False),
    libobs.VIDEO_FORMAT_Y800: FrameFormat("Y800", (1,), False),
}


def plane_sizes(fmt: FrameFormat, height: int, linesizes: tuple[int, ...]) -> tuple[int, ...]:
    """Bytes spanned by each plane, padding included."""
    return tuple(linesizes[i] * -(-height // rows) for i, rows in enumerate(fmt.plane_rows))
