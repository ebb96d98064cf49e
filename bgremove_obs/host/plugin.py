"""The filter type: libobs callbacks dispatched to :class:`BackgroundFilter` instances.

An instance of :class:`Plugin` is what :mod:`registry`'s trampolines call. It is replaced on
every script load; instances (kept in the registry's holder) survive the swap. Every callback
may assume it is wrapped by the trampoline's error containment, and :meth:`Plugin.report_error`
keeps a broken callback from flooding the log (first occurrence, then a count every
:data:`ERROR_REPEAT_SECONDS`).
"""

from __future__ import annotations

import ctypes
import time
import traceback

from . import libobs, properties, registry
from .filter import BackgroundFilter, Runtime

FILTER_ID = "bgremove_filter"
FILTER_NAME = "Background Remover"
FLAGS = libobs.OBS_SOURCE_VIDEO
"""No OBS_SOURCE_ASYNC on purpose: libobs calls ``filter_video`` of *every* enabled filter of an
async source whatever its flags, so one id serves webcams/media (CPU frames) and is also offered
for every other video source (see docs/OBS.md)."""
CALLBACKS = (
    "get_name",
    "create",
    "destroy",
    "get_defaults",
    "get_properties",
    "update",
    "video_tick",
    "video_render",
    "filter_video",
    "filter_remove",
)
ERROR_REPEAT_SECONDS = 10.0


class Plugin:
    """Callbacks of the bgremove filter type (see :data:`CALLBACKS`)."""

    def __init__(self, lib: libobs.LibObs, runtime: Runtime) -> None:
        self._lib = lib
        self.runtime = runtime
        state = registry.holder()
        if not hasattr(state, "name_buffer"):
            state.name_buffer = ctypes.create_string_buffer(FILTER_NAME.encode())
        self._name_address = ctypes.addressof(state.name_buffer)
        self._errors: dict[tuple[str, str], list[float]] = {}

    @staticmethod
    def _instance(data: int) -> BackgroundFilter | None:
        return registry.holder().instances.get(data)

    def register(self) -> bool:
        registry.install(FILTER_ID, self)
        return registry.register(self._lib, FILTER_ID, FLAGS, CALLBACKS)

    # ------------------------------------------------------------------ callbacks
    def get_name(self, _type_data: int) -> int:
        return self._name_address

    def create(self, settings: int, source: int) -> int:
        return registry.new_instance(BackgroundFilter(self._lib, source, settings, self.runtime))

    def destroy(self, data: int) -> None:
        instance = registry.holder().instances.pop(data, None)
        if instance is not None:
            instance.destroy()

    def get_defaults(self, settings: int) -> None:
        properties.set_defaults(self._lib, settings)

    def get_properties(self, data: int | None) -> int:
        instance = self._instance(data) if data else None
        if instance is not None:
            messages = instance.messages()
        elif self.runtime.problem:
            messages = [(libobs.OBS_TEXT_INFO_ERROR, self.runtime.problem)]
        else:
            messages = []
        return properties.build(self._lib, messages)

    def update(self, data: int, settings: int) -> None:
        instance = self._instance(data)
        if instance is not None:
            instance.update(settings)

    def video_tick(self, data: int, _seconds: float) -> None:
        instance = self._instance(data)
        if instance is not None:
            instance.tick()

    def video_render(self, data: int, _effect: int) -> None:
        instance = self._instance(data)
        if instance is None:
            return
        instance.render()

    def filter_video(self, data: int, frame: int) -> int:
        instance = self._instance(data)
        return instance.filter_video(frame) if instance is not None else frame

    def filter_remove(self, data: int, _parent: int) -> None:
        instance = self._instance(data)
        if instance is not None:
            instance.removed()

    # ------------------------------------------------------------------ error containment
    def report_error(self, callback: str, error: BaseException) -> None:
        """Log a failing callback: its traceback once, then how often it repeats."""
        key = (callback, type(error).__name__)
        now = time.monotonic()
        seen = self._errors.get(key)
        if seen is None:
            self._errors[key] = [now, 0]
            detail = "".join(traceback.format_exception(error)).rstrip()
            libobs.log(self._lib, libobs.LOG_ERROR, f"{callback} failed (contained): {detail}")
            return
        seen[1] += 1
        if now - seen[0] >= ERROR_REPEAT_SECONDS:
            libobs.log(
                self._lib,
                libobs.LOG_ERROR,
                f"{callback} failed {seen[1]} more time(s) with {key[1]}: {error}",
            )
            seen[0], seen[1] = now, 0
