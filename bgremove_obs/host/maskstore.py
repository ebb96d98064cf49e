"""The last few masks from the worker, by the number of the frame each was computed from.

The masks mailbox keeps only the newest message; with Keep in sync the filter draws a mask when
its frame comes out of the hold (:mod:`bgremove_obs.host.hold`), one or two frames after it arrived,
so every message is copied out of the channel as soon as it is seen and kept here until its frame
is shown. Standard library only: the OBS process imports this.
"""

from __future__ import annotations

from typing import NamedTuple

from ..wire.protocol import MaskMeta

KEPT = 8
"""Masks kept: more than the hold ever waits for (:data:`bgremove_obs.host.hold.MAX_FRAMES`)."""


class StoredMask(NamedTuple):
    """One mask message: its metadata, a copy of its payload, and a serial that changes whenever
    the worker sends a frame's mask again (new settings redo the last frame)."""

    meta: MaskMeta
    payload: bytearray
    serial: int


class MaskStore:
    """Masks by frame number; the oldest go first."""

    def __init__(self) -> None:
        self._masks: dict[int, StoredMask] = {}
        self._serial = 0

    def add(self, meta: MaskMeta, payload: bytearray) -> None:
        """Keep a copy of ``payload`` (the channel reuses its buffer)."""
        self._serial += 1
        self._masks[meta.frame_number] = StoredMask(meta, bytearray(payload), self._serial)
        while len(self._masks) > KEPT:
            del self._masks[min(self._masks)]

    def __contains__(self, frame_number: object) -> bool:
        return frame_number in self._masks

    def get(self, frame_number: int | None) -> StoredMask | None:
        return self._masks.get(frame_number) if frame_number is not None else None

    def newest(self) -> int | None:
        """The highest frame number with a mask (None before the first)."""
        return max(self._masks) if self._masks else None

    def clear(self) -> None:
        self._masks.clear()
