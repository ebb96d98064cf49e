"""GPU side of the filter: the effect, the mask/background textures, and the composite draw.

Everything here runs on OBS's graphics thread inside ``video_render`` (the graphics context is
current there), except :meth:`GpuCompositor.free`, which enters the context itself because
``destroy`` runs on another thread. Textures are created once per size and updated in place with
``gs_texture_set_image``: no allocation per frame.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import NamedTuple

from ..wire.protocol import Look
from . import libobs

PARAMETERS = ("image", "mask", "background", "glow", "wrap", "colour")
WRAPPED = "Wrap"
"""Suffix of the techniques that add light wrap (``PictureWrap``, ``ColourWrap``)."""


class Drawing(NamedTuple):
    """How one look is drawn: the effect's technique, the texture its ``background`` samples
    (an attribute of :class:`GpuCompositor`), and whether it has a light-wrap variant."""

    technique: str
    background: str
    wraps: bool


DRAWINGS: dict[Look, Drawing] = {
    Look.BLUR: Drawing("Blur", "aux", False),
    Look.COLOUR: Drawing("Colour", "aux", True),
    Look.PICTURE: Drawing("Picture", "picture", True),
    Look.TRANSPARENT: Drawing("Transparent", "aux", False),
    Look.MASK: Drawing("Mask", "aux", False),
}
"""The one place a look (the worker's :class:`~bgremove_obs.wire.protocol.Look`, carried in the mask
message) becomes a technique and textures. ``Look.NONE`` is not drawn: the picture passes
through."""


class Texture:
    """A dynamic texture re-created only when its size or format changes."""

    def __init__(self, lib: libobs.LibObs, colour_format: int) -> None:
        self._lib = lib
        self._format = colour_format
        self.handle: int | None = None
        self._size = (0, 0)

    def upload(self, data: bytearray, offset: int, width: int, height: int, bytes_per_pixel: int) -> None:
        if self._size != (width, height):
            self.free()
            self.handle = self._lib.gs_texture_create(width, height, self._format, 1, None, libobs.GS_DYNAMIC)
            self._size = (width, height)
        if not self.handle:
            return
        view = (ctypes.c_char * len(data)).from_buffer(data)
        try:
            self._lib.gs_texture_set_image(
                self.handle, ctypes.addressof(view) + offset, width * bytes_per_pixel, False
            )
        finally:
            del view

    def free(self) -> None:
        if self.handle:
            self._lib.gs_texture_destroy(self.handle)
        self.handle = None
        self._size = (0, 0)


class GpuCompositor:
    """The effect and textures of one filter instance."""

    def __init__(self, lib: libobs.LibObs, effect_path: Path) -> None:
        self._lib = lib
        self._effect_path = effect_path
        self._effect: int | None = None
        self._params: dict[str, int] = {}
        self.error = ""
        self.mask = Texture(lib, libobs.GS_R8)
        self.aux = Texture(lib, libobs.GS_BGRA)
        """From the worker: the blurred background with the mask as alpha (blur), or the light-wrap
        glow."""
        self.wrap = Texture(lib, libobs.GS_R8)
        self.picture = Texture(lib, libobs.GS_BGRA)
        self._colour = libobs.new_vec4()

    def ready(self) -> bool:
        """Load the effect on first use (needs the graphics context); False if it cannot load."""
        if self._effect is not None:
            return True
        if self.error:
            return False
        message = ctypes.c_void_p()
        effect = self._lib.gs_effect_create_from_file(str(self._effect_path).encode(), ctypes.byref(message))
        if message.value:
            detail = ctypes.string_at(message.value).decode("utf-8", "replace")
            self._lib.bfree(message)
        else:
            detail = "file missing or unreadable"
        if not effect:
            self.error = f"The effect file {self._effect_path} could not be loaded: {detail}"
            return False
        self._effect = effect
        for name in PARAMETERS:
            self._params[name] = self._lib.gs_effect_get_param_by_name(effect, name.encode())
        return True

    def draw(
        self,
        source: int,
        look: Look,
        colour_rgb: tuple[float, float, float],
        light_wrap: bool,
        picture: tuple[int, tuple[int, int]] | None = None,
    ) -> bool:
        """Composite the filter's target with the mask in ``look`` (:data:`DRAWINGS`) over its
        background or the colour; with ``light_wrap`` (looks that have it) the :attr:`aux` glow
        spills onto the person's edge by :attr:`wrap`.

        ``picture`` (a texture and its size: a sync source's picture kept by :mod:`ring`) is
        drawn instead of the target as it is now.
        """
        lib = self._lib
        drawing = DRAWINGS[look]
        background: Texture = getattr(self, drawing.background)
        if picture is None and not self._begin(source):
            return False
        lib.gs_effect_set_texture(self._params["mask"], self.mask.handle)
        lib.gs_effect_set_texture(self._params["background"], background.handle)
        lib.gs_effect_set_texture(self._params["glow"], self.aux.handle)
        lib.gs_effect_set_texture(self._params["wrap"], self.wrap.handle)
        self._colour.x, self._colour.y, self._colour.z = colour_rgb
        self._colour.w = 1.0
        lib.gs_effect_set_vec4(self._params["colour"], self._colour)
        # The CPU reference blends gamma-encoded values; so must we, whatever the canvas does.
        previous = lib.gs_set_linear_srgb(False)
        name = (drawing.technique + WRAPPED if light_wrap and drawing.wraps else drawing.technique).encode()
        if picture is None:
            lib.obs_source_process_filter_tech_end(source, self._effect, 0, 0, name)
        else:
            texture, (width, height) = picture
            srgb = lib.gs_framebuffer_srgb_enabled()
            lib.gs_enable_framebuffer_srgb(False)
            lib.gs_effect_set_texture(self._params["image"], texture)
            while lib.gs_effect_loop(self._effect, name):
                lib.gs_draw_sprite(texture, 0, width, height)
            lib.gs_enable_framebuffer_srgb(srgb)
        lib.gs_set_linear_srgb(previous)
        return True

    def _begin(self, source: int) -> bool:
        """Let libobs draw the target into the filter's texture (``process_filter_begin``)."""
        lib = self._lib
        # A target in another colour space than sRGB (10-bit SDR video: OBS decodes it to linear
        # light) is drawn into the filter's texture with sRGB encoding on, so it is stored
        # gamma-encoded like every 8-bit source instead of as linear values the composite would
        # show far too dark. Only then: for sRGB targets the encoding pass costs render time
        # (bench.obs_bench, llvmpipe: +4.7 ms a 720p frame) and changes nothing.
        target = lib.obs_filter_get_target(source)
        linear = target and lib.obs_source_get_color_space(target, 0, None) != libobs.GS_CS_SRGB
        previous = lib.gs_set_linear_srgb(True) if linear else None
        began = lib.obs_source_process_filter_begin(source, libobs.GS_RGBA, libobs.OBS_ALLOW_DIRECT_RENDERING)
        if previous is not None:
            lib.gs_set_linear_srgb(previous)
        return bool(began)

    def free(self) -> None:
        """Destroy the GPU objects; enters the graphics context (called from ``destroy``)."""
        self._lib.obs_enter_graphics()
        try:
            for texture in (self.mask, self.aux, self.wrap, self.picture):
                texture.free()
            if self._effect:
                self._lib.gs_effect_destroy(self._effect)
            self._effect = None
        finally:
            self._lib.obs_leave_graphics()
