"""The CPU frame formats the filter hands to its worker: plane rows, row widths and sample size.

OBS's async sources deliver ``struct obs_source_frame`` in many layouts; the OBS side only needs
to know how many bytes each plane spans to copy it (one ``memmove`` per plane, padding included);
the worker checks that the planes can hold the picture (:mod:`bgremove_obs.worker.framecheck`) and
turns them into BGR (:mod:`bgremove_obs.worker.convert`). Formats not listed pass through unfiltered,
with one sentence in the properties and the log.

Standard library only: the OBS process imports this.
"""

from __future__ import annotations

from dataclasses import dataclass

# enum video_format, in OBS's order: the same values in OBS 29.0.2, 30.2.3 and 32.2.2 (newer
# formats were only appended, after YA2L = 21).
VIDEO_FORMAT_I420, VIDEO_FORMAT_NV12 = 1, 2
VIDEO_FORMAT_YVYU, VIDEO_FORMAT_YUY2, VIDEO_FORMAT_UYVY = 3, 4, 5
VIDEO_FORMAT_RGBA, VIDEO_FORMAT_BGRA, VIDEO_FORMAT_BGRX = 6, 7, 8
VIDEO_FORMAT_Y800, VIDEO_FORMAT_I444 = 9, 10
VIDEO_FORMAT_I422 = 12
VIDEO_FORMAT_I010, VIDEO_FORMAT_P010, VIDEO_FORMAT_I210 = 17, 18, 19


@dataclass(frozen=True)
class FrameFormat:
    """Attributes:
    name: OBS's name for the layout (for log lines).
    plane_rows: For each plane, the divisor of the frame height giving its row count
        (1: full height, 2: half height rounded up, as in 4:2:0 chroma).
    plane_units: For each plane, (bytes, pixels) of its smallest run of whole pixels: a row of
        a ``width``-pixel picture needs ``ceil(width / pixels) * bytes`` bytes.
    yuv: Whether the pixels are YUV, converted with the frame's colour matrix.
    sample_bytes: 2 for 16-bit samples (little-endian), else 1.
    top: The largest sample value (1023 for 10-bit in the low bits, 65535 for P010's high
        bits): a sample's share of it is what OBS's shader reads.
    """

    name: str
    plane_rows: tuple[int, ...]
    plane_units: tuple[tuple[int, int], ...]
    yuv: bool
    sample_bytes: int = 1
    top: int = 255


_420 = ((1, 1), (1, 2), (1, 2))
_420_16 = ((2, 1), (2, 2), (2, 2))
FORMATS: dict[int, FrameFormat] = {
    VIDEO_FORMAT_I420: FrameFormat("I420", (1, 2, 2), _420, True),
    VIDEO_FORMAT_NV12: FrameFormat("NV12", (1, 2), ((1, 1), (2, 2)), True),
    VIDEO_FORMAT_I422: FrameFormat("I422", (1, 1, 1), _420, True),
    VIDEO_FORMAT_I444: FrameFormat("I444", (1, 1, 1), ((1, 1),) * 3, True),
    VIDEO_FORMAT_YUY2: FrameFormat("YUY2", (1,), ((4, 2),), True),
    VIDEO_FORMAT_YVYU: FrameFormat("YVYU", (1,), ((4, 2),), True),
    VIDEO_FORMAT_UYVY: FrameFormat("UYVY", (1,), ((4, 2),), True),
    VIDEO_FORMAT_I010: FrameFormat("I010", (1, 2, 2), _420_16, True, 2, 1023),
    VIDEO_FORMAT_I210: FrameFormat("I210", (1, 1, 1), _420_16, True, 2, 1023),
    VIDEO_FORMAT_P010: FrameFormat("P010", (1, 2), ((2, 1), (4, 2)), True, 2, 65535),
    VIDEO_FORMAT_RGBA: FrameFormat("RGBA", (1,), ((4, 1),), False),
    VIDEO_FORMAT_BGRA: FrameFormat("BGRA", (1,), ((4, 1),), False),
    VIDEO_FORMAT_BGRX: FrameFormat("BGRX", (1,), ((4, 1),), False),
    VIDEO_FORMAT_Y800: FrameFormat("Y800", (1,), ((1, 1),), False),
}


def plane_sizes(fmt: FrameFormat, height: int, linesizes: tuple[int, ...]) -> tuple[int, ...]:
    """Bytes spanned by each plane, padding included."""
    return tuple(linesizes[i] * -(-height // rows) for i, rows in enumerate(fmt.plane_rows))


def row_bytes(fmt: FrameFormat, width: int) -> tuple[int, ...]:
    """Bytes each plane's row needs for ``width`` pixels (a linesize may add padding)."""
    return tuple(-(-width // pixels) * size for size, pixels in fmt.plane_units)
