"""Benchmark-only OBS script: the seed-style CPU filter the bgremove filter is measured against.

What the old tutorials do, all on OBS's graphics thread, every frame: read the whole frame back
from the GPU, run MediaPipe on it inline, composite with ``np.where`` over a ``GaussianBlur``
(``bgremove_core.speed.Baseline``, the same baseline as the pipeline benchmark), and upload
the full RGBA result. It registers the filter id ``bgremove_seed_filter`` through bgremove_obs's
libobs bindings and reload-safe registry, and reads back with the filter's own
:class:`~bgremove_obs.host.readback.Readback` at full size: only the per-frame work differs.

Loaded by ``python -m bench.obs_bench --seed`` as a second script next to ``obs_bgremove.py``; never
shipped to users. Unlike the product it imports numpy, OpenCV and MediaPipe into OBS itself.
"""

import ctypes
import sys
import traceback
import warnings
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

from bgremove_core import systems  # noqa: E402
from bgremove_obs.host import environment, libobs, registry  # noqa: E402

_FOUND = environment.locate(_REPO)
if _FOUND.venv is not None:  # numpy, OpenCV and MediaPipe come from the venv, as for the worker
    sys.path.append(str(systems.site_packages(_FOUND.venv, (sys.version_info[0], sys.version_info[1]))))

# MediaPipe's protobuf deprecation warning goes to stderr, which OBS logs as a script error.
warnings.filterwarnings("ignore", message="MessageFactory class is deprecated", category=UserWarning)

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from bgremove_core.speed import Baseline  # noqa: E402
from bgremove_obs.host.readback import Readback  # noqa: E402

SEED_ID = "bgremove_seed_filter"
SEED_NAME = b"Seed-style background blur (benchmark)"


class FullReadback(Readback):
    """Reads the whole frame back, as the seed did (the product reads back the work size only)."""

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        return width, height


class SeedFilter:
    """One instance: the baseline pipeline and the full-size texture it uploads every frame."""

    def __init__(self, lib: libobs.LibObs, source: int) -> None:
        self._lib = lib
        self._source = source
        self._readback = FullReadback(lib)
        self._texture: int | None = None
        self._size = (0, 0)
        self._frame_time = -1
        self._baseline: Baseline | None = None

    def render(self) -> None:
        lib = self._lib
        target = lib.obs_filter_get_target(self._source)
        width = lib.obs_source_get_base_width(target) if target else 0
        height = lib.obs_source_get_base_height(target) if target else 0
        if not width or not height:
            lib.obs_source_skip_video_filter(self._source)
            return
        frame_time = lib.obs_get_video_frame_time()
        if frame_time != self._frame_time:  # screenshots render again within the same frame
            self._frame_time = frame_time
            self._readback.read(self._source, width, height, self._process)
        if not self._texture:
            lib.obs_source_skip_video_filter(self._source)
            return
        effect = lib.obs_get_base_effect(libobs.OBS_EFFECT_DEFAULT)
        lib.gs_effect_set_texture(lib.gs_effect_get_param_by_name(effect, b"image"), self._texture)
        while lib.gs_effect_loop(effect, b"Draw"):
            lib.gs_draw_sprite(self._texture, 0, width, height)

    def _process(self, address: int, linesize: int, width: int, height: int) -> None:
        if self._baseline is None:  # created on the thread that uses it (MediaPipe is not thread-safe)
            self._baseline = Baseline("landscape")
        rows = np.ctypeslib.as_array((ctypes.c_uint8 * (linesize * height)).from_address(address))
        rgba = rows.reshape(height, linesize)[:, : width * 4].reshape(height, width, 4)
        out = self._baseline.process(cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR))
        upload = np.ascontiguousarray(cv2.cvtColor(out, cv2.COLOR_BGR2RGBA))
        if self._size != (width, height):
            if self._texture:
                self._lib.gs_texture_destroy(self._texture)
            self._texture = self._lib.gs_texture_create(
                width, height, libobs.GS_RGBA, 1, None, libobs.GS_DYNAMIC
            )
            self._size = (width, height)
        self._lib.gs_texture_set_image(self._texture, upload.ctypes.data, width * 4, False)

    def destroy(self) -> None:
        self._readback.free()
        self._lib.obs_enter_graphics()
        try:
            if self._texture:
                self._lib.gs_texture_destroy(self._texture)
            self._texture = None
        finally:
            self._lib.obs_leave_graphics()
        if self._baseline is not None:
            self._baseline.close()


class SeedPlugin:
    """The callbacks :mod:`bgremove_obs.host.registry` dispatches to for :data:`SEED_ID`."""

    def __init__(self, lib: libobs.LibObs) -> None:
        self._lib = lib
        state = registry.holder()
        if not hasattr(state, "seed_name_buffer"):
            state.seed_name_buffer = ctypes.create_string_buffer(SEED_NAME)
        self._name_address = ctypes.addressof(state.seed_name_buffer)
        self._reported: set[str] = set()

    def get_name(self, _type_data: int) -> int:
        return self._name_address

    def create(self, _settings: int, source: int) -> int:
        return registry.new_instance(SeedFilter(self._lib, source))

    def destroy(self, data: int) -> None:
        instance = registry.holder().instances.pop(data, None)
        if instance is not None:
            instance.destroy()

    def video_render(self, data: int, _effect: int) -> None:
        instance = registry.holder().instances.get(data)
        if instance is not None:
            instance.render()

    def report_error(self, callback: str, error: BaseException) -> None:
        if callback not in self._reported:
            self._reported.add(callback)
            detail = "".join(traceback.format_exception(error))
            libobs.log(self._lib, libobs.LOG_ERROR, f"seed filter {callback} failed: {detail}")


def script_description() -> str:
    return "bgremove benchmark: a seed-style CPU background blur filter to measure against."


def script_load(_settings: object) -> None:
    lib = libobs.load()
    registry.install(SEED_ID, SeedPlugin(lib))
    registry.register(
        lib, SEED_ID, libobs.OBS_SOURCE_VIDEO, ("get_name", "create", "destroy", "video_render")
    )
    libobs.log(lib, libobs.LOG_INFO, f"benchmark filter '{SEED_ID}' registered")
