"""Keep in sync for sync sources: the picture read back for the worker, kept on the GPU.

Images, captures and scenes hand a filter no frames to hold; the filter reads their picture back
small for the worker (:mod:`readback`) and, drawing the live picture, would put each mask on a
later picture than the one it was computed from. With Keep in sync the filter also renders that
same picture at full size into one of a few textures, numbered like the frame sent to the
worker, and draws the picture whose number the newest mask carries. The worker gets one read-back
frame at a time, so :data:`SLOTS` pictures always cover the one on screen and the one awaited.

Runs on the graphics thread inside ``video_render``; :meth:`PictureRing.free` enters the graphics
context itself because ``destroy`` runs elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import libobs
from .readback import render_target

SLOTS = 3


@dataclass
class _Slot:
    texrender: int | None = None
    number: int = 0
    tick: int = 0
    captured: float = 0.0
    size: tuple[int, int] = (0, 0)


class PictureRing:
    """Full-size copies of the last :data:`SLOTS` pictures read back, by frame number."""

    def __init__(self, lib: libobs.LibObs) -> None:
        self._lib = lib
        self._slots = [_Slot() for _ in range(SLOTS)]

    def capture(self, filter_source: int, number: int, size: tuple[int, int], tick: int, now: float) -> bool:
        """Keep the filter's target as it is now (``size``) as picture ``number``."""
        slot = self._slots[number % SLOTS]
        if slot.texrender is None:
            slot.texrender = self._lib.gs_texrender_create(libobs.GS_RGBA, libobs.GS_ZS_NONE)
        slot.number = 0
        if not slot.texrender or not render_target(self._lib, slot.texrender, filter_source, size, size):
            return False
        slot.number, slot.tick, slot.captured, slot.size = number, tick, now, size
        return True

    def picture(self, number: int | None) -> tuple[int, int, float, tuple[int, int]] | None:
        """(texture, tick captured in, time captured, size) of picture ``number``, if kept."""
        slot = self._slots[number % SLOTS] if number else None
        if slot is None or slot.number != number or not slot.texrender:
            return None
        texture = self._lib.gs_texrender_get_texture(slot.texrender)
        return (texture, slot.tick, slot.captured, slot.size) if texture else None

    def free(self) -> None:
        """Destroy the textures; enters the graphics context (called from ``destroy``)."""
        self._lib.obs_enter_graphics()
        try:
            for slot in self._slots:
                if slot.texrender:
                    self._lib.gs_texrender_destroy(slot.texrender)
            self._slots = [_Slot() for _ in range(SLOTS)]
        finally:
            self._lib.obs_leave_graphics()
