"""Read a sync source's picture back from the GPU, small, so the worker can segment it.

Only async sources (webcams, media) hand a filter CPU frames (``filter_video``); images, window
and display captures and scenes exist only as textures. For those the filter renders its target
into a small texture at the work size (``limits.work_size``: the worker shrinks every frame to it
anyway), copies it to a staging surface and maps it. Small is the point: on llvmpipe a 256x144
readback cost 2.6 ms against 10.8 ms at 720p, and the copy is mostly GL work. The frame goes to
the worker as RGBA through the same mailbox as webcam frames, so the worker needs nothing new.

Runs on the graphics thread inside ``video_render``; :meth:`Readback.free` enters the graphics
context itself because ``destroy`` runs elsewhere.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

from bgremove_core.limits import work_size

from . import libobs

_TRANSPARENT = libobs.new_vec4()


def render_target(
    lib: libobs.LibObs, texrender: int, filter_source: int, size: tuple[int, int], into: tuple[int, int]
) -> bool:
    """Render what the filter receives (its target, ``size``) into ``texrender`` at ``into``,
    exact bytes (no sRGB conversion, no blending); False when the GPU refused."""
    lib.gs_texrender_reset(texrender)
    if not lib.gs_texrender_begin(texrender, *into):
        return False
    srgb = lib.gs_framebuffer_srgb_enabled()
    lib.gs_enable_framebuffer_srgb(False)
    lib.gs_clear(libobs.GS_CLEAR_COLOR, _TRANSPARENT, 0.0, 0)
    lib.gs_ortho(0.0, float(size[0]), 0.0, float(size[1]), -100.0, 100.0)
    lib.gs_blend_state_push()
    lib.gs_blend_function(libobs.GS_BLEND_ONE, libobs.GS_BLEND_ZERO)
    # Renders the target with the right effect whatever it is (a sync parent would otherwise
    # be drawn with gs_get_effect(), which is NULL inside our texrender).
    lib.obs_source_skip_video_filter(filter_source)
    lib.gs_blend_state_pop()
    lib.gs_enable_framebuffer_srgb(srgb)
    lib.gs_texrender_end(texrender)
    return True


class Readback:
    """A texrender and staging surface of one filter instance, re-created when the size changes."""

    def __init__(self, lib: libobs.LibObs) -> None:
        self._lib = lib
        self._texrender: int | None = None
        self._stage: int | None = None
        self._size = (0, 0)

    def read(
        self, filter_source: int, width: int, height: int, consume: Callable[[int, int, int, int], None]
    ) -> bool:
        """Render what the filter receives (its target, ``width`` x ``height``) small, map it, and
        call ``consume(address, linesize, w, h)`` while the RGBA pixels are mapped (top row first).

        Returns False when the GPU refused a step (nothing was consumed).
        """
        lib = self._lib
        size = self.size_for(width, height)
        self._ensure(size)
        if not self._texrender or not self._stage:
            return False
        if not render_target(lib, self._texrender, filter_source, (width, height), size):
            return False
        lib.gs_stage_texture(self._stage, lib.gs_texrender_get_texture(self._texrender))
        data, linesize = ctypes.c_void_p(), ctypes.c_uint32()
        if not lib.gs_stagesurface_map(self._stage, ctypes.byref(data), ctypes.byref(linesize)):
            return False
        if not data.value:  # mapped, yet no memory: nothing to read, but the map must be undone
            lib.gs_stagesurface_unmap(self._stage)
            return False
        try:
            consume(data.value, linesize.value, *size)
        finally:
            lib.gs_stagesurface_unmap(self._stage)
        return True

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        """The size a ``width`` x ``height`` target is read back at: the work size (more would be
        thrown away by the worker)."""
        return work_size(width, height)

    def _ensure(self, size: tuple[int, int]) -> None:
        if self._texrender is None:
            self._texrender = self._lib.gs_texrender_create(libobs.GS_RGBA, libobs.GS_ZS_NONE)
        if size != self._size:
            if self._stage:
                self._lib.gs_stagesurface_destroy(self._stage)
            self._stage = self._lib.gs_stagesurface_create(*size, libobs.GS_RGBA)
            self._size = size

    def free(self) -> None:
        """Destroy the GPU objects; enters the graphics context (called from ``destroy``)."""
        self._lib.obs_enter_graphics()
        try:
            if self._stage:
                self._lib.gs_stagesurface_destroy(self._stage)
            if self._texrender:
                self._lib.gs_texrender_destroy(self._texrender)
            self._stage = self._texrender = None
            self._size = (0, 0)
        finally:
            self._lib.obs_leave_graphics()
