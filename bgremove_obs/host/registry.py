"""Register the filter with libobs once per process, in a way that survives script reloads.

libobs keeps the ``obs_source_info`` struct we pass and calls its function pointers for the rest
of the process; there is no ``obs_unregister_source``. A script reload re-executes the script,
so anything the callbacks need must outlive the module objects: the struct, the id/name buffers
and the ctypes trampolines live in a *holder* module pinned in ``sys.modules``. The trampolines
look up the current implementation of their filter id (``holder.impls[id]``) on every call, and
each ``script_load`` swaps in the freshly imported one. Several ids can be registered (the OBS
benchmark's seed-style filter is one), each with its own implementation. Filter instances live in
the holder too, so filters that exist during a reload keep working.

Every trampoline contains its callback: a Python exception must never reach libobs. A non-void
callback that raised would hand libobs an uninitialised register, so each returns a safe value
instead (NULL, 0, or for ``filter_video`` the frame it was given, which libobs must get back or
the frame leaks).
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import types
from collections.abc import Callable
from typing import Any, Protocol, cast

from . import libobs

HOLDER_MODULE = "_bgremove_obs_holder"
"""Not under ``bgremove_obs.`` on purpose: the script drops those modules on reload, never this."""


def _same(args: tuple[Any, ...]) -> Any:
    return args[1]


def _none(_args: tuple[Any, ...]) -> Any:
    return None


def _zero(_args: tuple[Any, ...]) -> Any:
    return 0


# callback name -> (ctypes prototype, value returned when the callback fails)
CALLBACKS: dict[str, tuple[Any, Callable[[tuple[Any, ...]], Any]]] = {
    "get_name": (libobs.GET_NAME, _none),
    "create": (libobs.CREATE, _none),
    "destroy": (libobs.DESTROY, _none),
    "get_defaults": (libobs.GET_DEFAULTS, _none),
    "get_properties": (libobs.GET_PROPERTIES, _none),
    "update": (libobs.UPDATE, _none),
    "video_tick": (libobs.VIDEO_TICK, _none),
    "video_render": (libobs.VIDEO_RENDER, _none),
    "filter_video": (libobs.FILTER_VIDEO, _same),
    "filter_remove": (libobs.FILTER_REMOVE, _none),
    "get_width": (libobs.GET_SIZE, _zero),
    "get_height": (libobs.GET_SIZE, _zero),
}


class Implementation(Protocol):
    """What the trampolines dispatch to: one method per callback, plus error reporting."""

    def report_error(self, callback: str, error: BaseException) -> None: ...


_HOLDER_FIELDS: dict[str, Callable[[], Any]] = {
    "impls": dict,
    "registered": dict,
    "instances": dict,
    "next_key": lambda: 1,
}
"""What the holder carries, and how each starts out."""


class Holder(Protocol):
    """The holder module's fields, for the type checker (see :data:`_HOLDER_FIELDS`)."""

    impls: dict[str, Any]
    registered: dict[str, Any]
    instances: dict[int, Any]
    next_key: int
    name_buffer: ctypes.Array[ctypes.c_char]
    """Added by :mod:`bgremove_obs.host.plugin`: the filter's display name, kept alive for libobs."""


def holder() -> Holder:
    """The process-wide holder module, created on first use.

    Missing fields are added to an existing holder too: one made by an older version of this
    code (a user who updated bgremove and reloaded the script without restarting OBS) must not
    break the new one with an AttributeError.
    """
    module = sys.modules.get(HOLDER_MODULE)
    if module is None:
        module = types.ModuleType(HOLDER_MODULE, "bgremove OBS filter state that outlives reloads.")
        sys.modules[HOLDER_MODULE] = module
    for name, make in _HOLDER_FIELDS.items():
        if not hasattr(module, name):
            setattr(module, name, make())
    return cast(Holder, module)


def _trampoline(state: Holder, source_id: str, callback: str, fallback: Callable[[tuple[Any, ...]], Any]):
    def call(*args: Any) -> Any:
        impl = state.impls[source_id]
        try:
            return getattr(impl, callback)(*args)
        except BaseException as error:
            with contextlib.suppress(BaseException):  # not even logging may escape into libobs
                impl.report_error(callback, error)
            return fallback(args)

    call.__name__ = f"bgremove_{callback}"
    return call


def install(source_id: str, impl: Implementation) -> None:
    """Make ``impl`` the implementation the callbacks of ``source_id`` dispatch to from now on."""
    holder().impls[source_id] = impl


def register(lib: libobs.LibObs, source_id: str, flags: int, callbacks: tuple[str, ...]) -> bool:
    """Register a filter type with libobs unless this process already did; True if it did now.

    ``callbacks`` names the entries of :data:`CALLBACKS` the filter implements; the rest stay NULL
    so libobs uses its defaults.
    """
    state = holder()
    if source_id in state.registered:
        return False
    info = libobs.ObsSourceInfo()
    id_buffer = ctypes.create_string_buffer(source_id.encode())
    info.id = ctypes.cast(id_buffer, ctypes.c_char_p)
    info.type = libobs.OBS_SOURCE_TYPE_FILTER
    info.output_flags = flags
    functions = []
    for name in callbacks:
        prototype, fallback = CALLBACKS[name]
        function = prototype(_trampoline(state, source_id, name, fallback))
        setattr(info, name, function)
        functions.append(function)
    lib.obs_register_source_s(ctypes.addressof(info), ctypes.sizeof(info))
    state.registered[source_id] = (info, id_buffer, functions)
    return True


def new_instance(instance: object) -> int:
    """Store a filter instance and return the non-zero key libobs hands back as ``data``."""
    state = holder()
    key = state.next_key
    state.next_key += 1
    state.instances[key] = instance
    return key
