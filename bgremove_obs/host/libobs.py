"""The slice of libobs the filter calls, bound once through ctypes from one declarative table.

OBS's Python bindings (obspython) cannot register a source type, and there is no way from a raw
pointer back to a SWIG object, so the whole filter body talks to libobs through ctypes. Every
function gets its exact signature here: an unset ``restype`` would truncate 64-bit pointers.

Structures are *prefixes* of the C structs (libobs copies ``size`` bytes of ``obs_source_info``
and zero-fills the rest; we only read the leading fields of ``obs_source_frame``); their layout
was checked against OBS 29.0.2 (x86_64) and is append-only across OBS versions.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_double,
    c_float,
    c_int,
    c_longlong,
    c_size_t,
    c_uint8,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any

# ---------------------------------------------------------------- constants (OBS 29 headers)
OBS_SOURCE_TYPE_FILTER = 1
OBS_SOURCE_VIDEO = 1 << 0
OBS_SOURCE_ASYNC = 1 << 2
OBS_SOURCE_CUSTOM_DRAW = 1 << 3

LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG = 100, 200, 300, 400

OBS_COMBO_TYPE_LIST = 2
OBS_COMBO_FORMAT_STRING = 3
OBS_PATH_FILE = 0
OBS_TEXT_INFO = 3
OBS_TEXT_INFO_NORMAL, OBS_TEXT_INFO_WARNING, OBS_TEXT_INFO_ERROR = 0, 1, 2

GS_R8, GS_RGBA, GS_BGRA = 2, 3, 5
GS_CS_SRGB = 0
GS_ZS_NONE = 0
GS_DYNAMIC = 2
GS_CLEAR_COLOR = 1
GS_BLEND_ZERO, GS_BLEND_ONE = 0, 1
OBS_ALLOW_DIRECT_RENDERING = 1
OBS_EFFECT_DEFAULT = 0

MAX_AV_PLANES = 8


# ---------------------------------------------------------------- structs
class Vec4(Structure):
    """``struct vec4``; libobs reads it with SSE loads: make instances with :func:`new_vec4`."""

    _fields_ = (("x", c_float), ("y", c_float), ("z", c_float), ("w", c_float))


def new_vec4() -> Vec4:
    """A Vec4 at a 16-byte aligned address (ctypes only guarantees 8 before Python 3.13)."""
    backing = (c_uint8 * (ctypes.sizeof(Vec4) + 15))()
    vec = Vec4.from_address((ctypes.addressof(backing) + 15) & ~15)
    vec._backing = backing  # keeps the memory alive with the view
    return vec


class ObsSourceFrame(Structure):
    """Leading fields of ``struct obs_source_frame`` (a CPU video frame of an async source)."""

    _fields_ = (
        ("data", c_void_p * MAX_AV_PLANES),
        ("linesize", c_uint32 * MAX_AV_PLANES),
        ("width", c_uint32),
        ("height", c_uint32),
        ("timestamp", c_uint64),
        ("format", c_int),
        ("color_matrix", c_float * 16),
        ("full_range", c_bool),
        ("max_luminance", ctypes.c_uint16),
        ("color_range_min", c_float * 3),
        ("color_range_max", c_float * 3),
        ("flip", c_bool),
    )


# Callback prototypes of struct obs_source_info, with the value a failing callback returns.
GET_NAME = CFUNCTYPE(c_void_p, c_void_p)
CREATE = CFUNCTYPE(c_void_p, c_void_p, c_void_p)
DESTROY = CFUNCTYPE(None, c_void_p)
GET_SIZE = CFUNCTYPE(c_uint32, c_void_p)
GET_DEFAULTS = CFUNCTYPE(None, c_void_p)
GET_PROPERTIES = CFUNCTYPE(c_void_p, c_void_p)
UPDATE = CFUNCTYPE(None, c_void_p, c_void_p)
VIDEO_TICK = CFUNCTYPE(None, c_void_p, c_float)
VIDEO_RENDER = CFUNCTYPE(None, c_void_p, c_void_p)
FILTER_VIDEO = CFUNCTYPE(c_void_p, c_void_p, c_void_p)
FILTER_REMOVE = CFUNCTYPE(None, c_void_p, c_void_p)
# A properties button (``obs_property_clicked_t``) and a queued task (``obs_task_t``).
CLICKED = CFUNCTYPE(c_bool, c_void_p, c_void_p, c_void_p)
TASK = CFUNCTYPE(None, c_void_p)
OBS_TASK_UI = 0


class ObsSourceInfo(Structure):
    """``struct obs_source_info`` up to ``filter_remove`` (216 bytes of 400 in OBS 29)."""

    _fields_ = (
        ("id", c_char_p),
        ("type", c_int),
        ("output_flags", c_uint32),
        ("get_name", GET_NAME),
        ("create", CREATE),
        ("destroy", DESTROY),
        ("get_width", GET_SIZE),
        ("get_height", GET_SIZE),
        ("get_defaults", GET_DEFAULTS),
        ("get_properties", GET_PROPERTIES),
        ("update", UPDATE),
        ("activate", c_void_p),
        ("deactivate", c_void_p),
        ("show", c_void_p),
        ("hide", c_void_p),
        ("video_tick", VIDEO_TICK),
        ("video_render", VIDEO_RENDER),
        ("filter_video", FILTER_VIDEO),
        ("filter_audio", c_void_p),
        ("enum_active_sources", c_void_p),
        ("save", c_void_p),
        ("load", c_void_p),
        ("mouse_click", c_void_p),
        ("mouse_move", c_void_p),
        ("mouse_wheel", c_void_p),
        ("focus", c_void_p),
        ("key_click", c_void_p),
        ("filter_remove", FILTER_REMOVE),
    )


# ---------------------------------------------------------------- functions
P = c_void_p
_SIGNATURES: tuple[tuple[str, Any, tuple[Any, ...]], ...] = (
    ("obs_register_source_s", None, (P, c_size_t)),
    ("blog", None, (c_int, c_char_p, c_char_p)),
    ("bfree", None, (P,)),
    # settings (obs_data_t)
    ("obs_data_get_int", c_longlong, (P, c_char_p)),
    ("obs_data_get_double", c_double, (P, c_char_p)),
    ("obs_data_get_bool", c_bool, (P, c_char_p)),
    ("obs_data_get_string", c_char_p, (P, c_char_p)),
    ("obs_data_set_default_int", None, (P, c_char_p, c_longlong)),
    ("obs_data_set_default_double", None, (P, c_char_p, c_double)),
    ("obs_data_set_default_bool", None, (P, c_char_p, c_bool)),
    ("obs_data_set_default_string", None, (P, c_char_p, c_char_p)),
    # properties panel
    ("obs_properties_create", P, ()),
    ("obs_properties_add_bool", P, (P, c_char_p, c_char_p)),
    ("obs_properties_add_int_slider", P, (P, c_char_p, c_char_p, c_int, c_int, c_int)),
    ("obs_properties_add_float_slider", P, (P, c_char_p, c_char_p, c_double, c_double, c_double)),
    ("obs_properties_add_list", P, (P, c_char_p, c_char_p, c_int, c_int)),
    ("obs_property_list_add_string", c_size_t, (P, c_char_p, c_char_p)),
    ("obs_properties_add_path", P, (P, c_char_p, c_char_p, c_int, c_char_p, c_char_p)),
    ("obs_properties_add_color", P, (P, c_char_p, c_char_p)),
    ("obs_properties_add_text", P, (P, c_char_p, c_char_p, c_int)),
    ("obs_property_text_set_info_type", None, (P, c_int)),
    ("obs_property_int_set_suffix", None, (P, c_char_p)),
    ("obs_property_float_set_suffix", None, (P, c_char_p)),
    ("obs_property_set_long_description", None, (P, c_char_p)),
    ("obs_properties_add_button2", P, (P, c_char_p, c_char_p, CLICKED, P)),
    ("obs_properties_get", P, (P, c_char_p)),
    ("obs_property_description", c_char_p, (P,)),
    ("obs_property_set_description", None, (P, c_char_p)),
    ("obs_property_set_visible", None, (P, c_bool)),
    ("obs_queue_task", None, (c_int, TASK, P, c_bool)),
    # sources and filters
    ("obs_source_get_name", c_char_p, (P,)),
    ("obs_filter_get_target", P, (P,)),
    ("obs_filter_get_parent", P, (P,)),
    ("obs_source_get_base_width", c_uint32, (P,)),
    ("obs_source_get_base_height", c_uint32, (P,)),
    ("obs_source_get_output_flags", c_uint32, (P,)),
    ("obs_source_get_color_space", c_int, (P, c_size_t, P)),
    ("obs_source_skip_video_filter", None, (P,)),
    ("obs_source_release_frame", None, (P, P)),
    ("obs_source_showing", c_bool, (P,)),
    ("obs_source_enabled", c_bool, (P,)),
    ("obs_source_process_filter_begin", c_bool, (P, c_int, c_int)),
    ("obs_source_process_filter_tech_end", None, (P, P, c_uint32, c_uint32, c_char_p)),
    ("obs_source_video_render", None, (P,)),
    ("obs_get_base_effect", P, (c_int,)),
    ("obs_get_video_frame_time", c_uint64, ()),
    # graphics
    ("obs_enter_graphics", None, ()),
    ("obs_leave_graphics", None, ()),
    ("gs_effect_create_from_file", P, (c_char_p, POINTER(c_void_p))),
    ("gs_effect_destroy", None, (P,)),
    ("gs_effect_get_param_by_name", P, (P, c_char_p)),
    ("gs_effect_set_texture", None, (P, P)),
    ("gs_effect_set_float", None, (P, c_float)),
    ("gs_effect_set_vec4", None, (P, POINTER(Vec4))),
    ("gs_effect_loop", c_bool, (P, c_char_p)),
    ("gs_set_linear_srgb", c_bool, (c_bool,)),
    ("gs_enable_framebuffer_srgb", None, (c_bool,)),
    ("gs_framebuffer_srgb_enabled", c_bool, ()),
    ("gs_draw_sprite", None, (P, c_uint32, c_uint32, c_uint32)),
    ("gs_texture_create", P, (c_uint32, c_uint32, c_int, c_uint32, P, c_uint32)),
    ("gs_texture_destroy", None, (P,)),
    ("gs_texture_set_image", None, (P, P, c_uint32, c_bool)),
    ("gs_texrender_create", P, (c_int, c_int)),
    ("gs_texrender_destroy", None, (P,)),
    ("gs_texrender_reset", None, (P,)),
    ("gs_texrender_begin", c_bool, (P, c_uint32, c_uint32)),
    ("gs_texrender_end", None, (P,)),
    ("gs_texrender_get_texture", P, (P,)),
    ("gs_stagesurface_create", P, (c_uint32, c_uint32, c_int)),
    ("gs_stagesurface_destroy", None, (P,)),
    ("gs_stage_texture", None, (P, P)),
    ("gs_stagesurface_map", c_bool, (P, POINTER(c_void_p), POINTER(c_uint32))),
    ("gs_stagesurface_unmap", None, (P,)),
    ("gs_clear", None, (c_uint32, POINTER(Vec4), c_float, c_uint8)),
    ("gs_ortho", None, (c_float, c_float, c_float, c_float, c_float, c_float)),
    ("gs_blend_state_push", None, ()),
    ("gs_blend_state_pop", None, ()),
    ("gs_blend_function", None, (c_int, c_int)),
)


def _open_libobs() -> ctypes.CDLL:
    """libobs is already loaded in the OBS process; open it by its platform name.

    Linux: ``libobs.so.0``; Windows: ``obs.dll``; macOS: the framework binary, or failing that the
    process's global symbol table (``dlopen(NULL)``), which holds libobs because OBS links it.
    """
    if sys.platform == "win32":
        return ctypes.CDLL("obs.dll")
    if sys.platform == "darwin":
        try:
            return ctypes.CDLL("@rpath/libobs.framework/Versions/A/libobs")
        except OSError:
            return ctypes.CDLL(None)
    return ctypes.CDLL("libobs.so.0")


class LibObs:
    """libobs functions as attributes (``lib.obs_source_get_name(src)``), each with its signature."""

    def __init__(self, library: ctypes.CDLL) -> None:
        for name, restype, argtypes in _SIGNATURES:
            function = getattr(library, name)
            function.restype = restype
            function.argtypes = list(argtypes)
            setattr(self, name, function)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        raise AttributeError(f"libobs function {name!r} is not in bgremove_obs.host.libobs._SIGNATURES.")


def load() -> LibObs:
    """Bind every function of the table; raises OSError/AttributeError outside OBS."""
    return LibObs(_open_libobs())


def log(lib: LibObs, level: int, message: str) -> None:
    """Write one line to OBS's log, prefixed so users can grep for it.

    Goes through ``blog`` (not print) because prints from ctypes callbacks end up as
    "[Unknown Script]" lines; ``%s`` keeps a '%' in the message from being read as a format.
    """
    lib.blog(level, b"[bgremove] %s", message.encode("utf-8", "replace"))
