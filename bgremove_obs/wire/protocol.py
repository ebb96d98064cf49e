"""What each mailbox message means: the integer metadata fields, in order, for both sides.

The OBS side writes frames and settings and reads masks, backgrounds and status; the worker does
the opposite, and also publishes an empty heartbeat message on every turn of its loop (no
metadata: the supervisor only watches the count, see :mod:`bgremove_obs.host.supervisor`). Keeping
the field order in one place is what keeps the two processes in agreement. Standard library
and the core's standard-library modules only (the OBS process imports it); the look a mask is
drawn with is the core's :class:`~bgremove_core.looks.Look`, decided by the stream engine.
"""

from __future__ import annotations

import struct
from enum import IntEnum
from typing import NamedTuple, TypeVar

from bgremove_core.looks import Look

__all__ = [
    "COLOUR_INFO",
    "BackgroundMeta",
    "FrameMeta",
    "Level",
    "Look",
    "MaskMeta",
    "SettingsMeta",
    "StatusMeta",
    "parse",
]

COLOUR_INFO = struct.Struct("<22f")
"""Frame payload prefix: the source's 4x4 YUV->RGB matrix (row-major) and 3+3 range clamps,
exactly what OBS's own shader uses, so the worker sees the colours OBS shows."""


class Level(IntEnum):
    """Severity of a worker status message (matches OBS_TEXT_INFO_* and maps to log levels)."""

    OK = 0
    WARNING = 1
    ERROR = 2


T = TypeVar("T")


def parse(kind: type[T], meta: tuple[int, ...]) -> T:
    """The first fields of a message's metadata as ``kind`` (the rest is padding)."""
    return kind(*meta[: len(kind._fields)])  # type: ignore[attr-defined]


class FrameMeta(NamedTuple):
    """A video frame: payload is COLOUR_INFO, then each plane (linesize x rows, padding kept)."""

    number: int
    width: int
    height: int
    format: int
    linesize0: int
    linesize1: int
    linesize2: int


class MaskMeta(NamedTuple):
    """A refined mask (R8, mask_width x mask_height) then, if aux_width, a BGRA picture: for
    :attr:`Look.BLUR` the blurred background at mask size with the mask as alpha, otherwise the
    light-wrap glow; if light_wrap, then the R8 light-wrap weight at the aux size
    (``compose.light_wrap_maps``). ``look`` is a :class:`Look` value; ``settings_generation``
    is the :class:`SettingsMeta` generation the mask was made with (the OBS tests wait on it)."""

    frame_number: int
    mask_width: int
    mask_height: int
    aux_width: int
    aux_height: int
    look: int
    settings_generation: int
    light_wrap: int


class BackgroundMeta(NamedTuple):
    """A replacement background picture (BGRA, cover-fitted to the frame's aspect)."""

    width: int
    height: int


class SettingsMeta(NamedTuple):
    """Settings as JSON (``Settings.to_mapping()``)."""

    generation: int


class StatusMeta(NamedTuple):
    """A sentence from the worker (UTF-8); an empty OK message clears the previous one."""

    level: int
