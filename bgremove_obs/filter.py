"""One "Background Remover" filter instance: OBS callbacks in OBS's order, nothing that waits.

Frame path (see docs/OBS.md):

- ``filter_video`` (async sources: webcams, media) copies the CPU frame's planes into the
  worker's frame mailbox, one ``memmove`` per plane, and returns the frame untouched.
- ``video_tick`` watches the worker (restart with back-off) and picks up its status sentences.
- ``video_render`` uploads the newest mask and background picture if they changed and draws the
  composite with the effect; when there is no worker, no mask yet, or the worker is dead, it
  passes the picture through unchanged (``obs_source_skip_video_filter``).

Nothing here imports numpy, OpenCV or MediaPipe: the OBS process stays light, and all per-pixel
CPU work happens in the worker process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bgremove_core.settings import Settings

from . import libobs, properties
from .formats import FORMATS, plane_sizes
from .gpu import GpuCompositor
from .protocol import COLOUR_INFO, BackgroundMeta, Level, Look, MaskMeta, StatusMeta, parse
from .supervisor import WorkerProcess
from .values import settings_from_values

_LOG_LEVELS = {Level.OK: libobs.LOG_INFO, Level.WARNING: libobs.LOG_WARNING, Level.ERROR: libobs.LOG_ERROR}


@dataclass(frozen=True)
class Runtime:
    """What every instance shares, decided once per script load.

    Attributes:
        python: The venv interpreter for workers, or None when dependencies are missing.
        code_root: Directory holding ``bgremove_obs`` and ``bgremove_core``.
        effect_path: The ``.effect`` file of the composite.
        problem: Sentence saying what is missing and how to fix it ("" when all is well).
    """

    python: Path | None
    code_root: Path
    effect_path: Path
    problem: str


class BackgroundFilter:
    """State and behaviour of one filter instance (created by libobs ``create``)."""

    def __init__(self, lib: libobs.LibObs, source: int, data: int, runtime: Runtime) -> None:
        self._lib = lib
        self._source = source
        self._runtime = runtime
        self._frame_number = 0
        self._settings_generation = 0
        self._said: set[str] = set()
        self._status: tuple[int, str] = (Level.OK, "")
        self._mask: MaskMeta | None = None
        self._gpu = GpuCompositor(lib, runtime.effect_path)
        self.settings, self._problems = Settings(), ()
        self._worker = WorkerProcess(runtime.python, runtime.code_root, self.log) if runtime.python else None
        if runtime.problem:
            self.log(runtime.problem, libobs.LOG_WARNING)
        self.update(data)

    # ------------------------------------------------------------------ helpers
    @property
    def name(self) -> str:
        raw = self._lib.obs_source_get_name(self._source)
        return raw.decode("utf-8", "replace") if raw else "?"

    @property
    def worker_pid(self) -> int | None:
        return self._worker.pid if self._worker is not None else None

    def log(self, message: str, level: int = libobs.LOG_INFO) -> None:
        libobs.log(self._lib, level, f"'{self.name}': {message}")

    def _say_once(self, message: str, level: int = libobs.LOG_WARNING) -> None:
        """Log a sentence about a per-frame condition once, not every frame."""
        if message not in self._said:
            self._said.add(message)
            self.log(message, level)

    def messages(self) -> list[tuple[int, str]]:
        """Sentences for the top of the properties panel: what is wrong and what to do."""
        lines = [(libobs.OBS_TEXT_INFO_ERROR, self._runtime.problem)] if self._runtime.problem else []
        if self._worker is not None and self._worker.exit_reason:
            lines.append(
                (libobs.OBS_TEXT_INFO_ERROR, self._worker.exit_reason + " The picture passes through.")
            )
        if self._gpu.error:
            lines.append((libobs.OBS_TEXT_INFO_ERROR, self._gpu.error))
        if self._status[1]:
            lines.append(self._status)
        lines.extend((libobs.OBS_TEXT_INFO_WARNING, problem) for problem in self._problems)
        return lines

    # ------------------------------------------------------------------ callbacks, in OBS's order
    def update(self, data: int) -> None:
        settings, problems = settings_from_values(properties.read(self._lib, data))
        for problem in problems:
            if problem not in self._problems:
                self.log(problem, libobs.LOG_WARNING)
        self.settings, self._problems = settings, problems
        if self._worker is not None:
            self._settings_generation += 1
            payload = json.dumps(settings.to_mapping()).encode()
            self._worker.channel.settings.publish((self._settings_generation,), [payload])

    def filter_video(self, frame_address: int) -> None:
        """Hand the CPU frame to the worker; never modifies or holds on to it."""
        if self._worker is None:
            return
        frame = libobs.ObsSourceFrame.from_address(frame_address)
        fmt = FORMATS.get(frame.format)
        if fmt is None:
            self._say_once(f"Frames in OBS video format {frame.format} are not supported; they pass through.")
            return
        linesizes = tuple(frame.linesize[:3])
        sizes = plane_sizes(fmt, frame.height, linesizes)
        colour = COLOUR_INFO.pack(*frame.color_matrix, *frame.color_range_min, *frame.color_range_max)
        self._frame_number += 1
        meta = (self._frame_number, frame.width, frame.height, frame.format, *linesizes)
        parts = [colour, *((frame.data[i], size) for i, size in enumerate(sizes))]
        if not self._worker.channel.frames.publish(meta, parts):
            self._say_once(
                f"Frames of {frame.width}x{frame.height} are too large (4K at most); they pass through."
            )

    def tick(self) -> None:
        if self._worker is None:
            return
        self._worker.poll()
        message = self._worker.channel.status.read()
        if message is not None:
            level = parse(StatusMeta, message.meta).level
            status = (level, bytes(message.payload).decode("utf-8", "replace"))
            if status != self._status and status[1]:
                self.log(status[1], _LOG_LEVELS.get(Level(level), libobs.LOG_INFO))
            self._status = status

    def render(self) -> None:
        if not self._draw():
            self._lib.obs_source_skip_video_filter(self._source)

    def _draw(self) -> bool:
        lib = self._lib
        target = lib.obs_filter_get_target(self._source)
        if (
            not target
            or not lib.obs_source_get_base_width(target)
            or not lib.obs_source_get_base_height(target)
        ):
            return False
        if self._worker is None or not self._worker.alive or not self._gpu.ready():
            return False
        self._upload()
        if self._mask is None:
            return False
        technique, background = self._technique(Look(self._mask.look))
        return self._gpu.draw(self._source, technique, background, self._colour_rgb())

    def _upload(self) -> None:
        assert self._worker is not None
        channel = self._worker.channel
        message = channel.masks.read()
        if message is not None:
            mask = parse(MaskMeta, message.meta)
            self._gpu.mask.upload(message.payload, 0, mask.mask_width, mask.mask_height, 1)
            if mask.aux_width:
                offset = mask.mask_width * mask.mask_height
                self._gpu.blurred.upload(message.payload, offset, mask.aux_width, mask.aux_height, 4)
            self._mask = mask
        picture = channel.backgrounds.read()
        if picture is not None:
            meta = parse(BackgroundMeta, picture.meta)
            self._gpu.picture.upload(picture.payload, 0, meta.width, meta.height, 4)

    def _technique(self, look: Look) -> tuple[str, object]:
        if self.settings.show_mask:
            return "Mask", self._gpu.blurred
        if look == Look.BLUR:
            return "Picture", self._gpu.blurred
        if look == Look.PICTURE:
            return "Picture", self._gpu.picture
        if look == Look.TRANSPARENT:
            return "Transparent", self._gpu.blurred
        return "Colour", self._gpu.blurred

    def _colour_rgb(self) -> tuple[float, float, float]:
        blue, green, red = self.settings.colour_bgr
        return red / 255, green / 255, blue / 255

    def removed(self) -> None:
        """The filter was taken off its source: stop the worker now, not at destroy time."""
        self.close_worker()

    def close_worker(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def destroy(self) -> None:
        self.close_worker()
        self._gpu.free()
