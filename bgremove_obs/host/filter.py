"""One "Background Remover" filter instance: OBS callbacks in OBS's order, nothing that waits.

Frame path (see docs/OBS.md):

- ``filter_video`` (async sources: webcams, media) copies the CPU frame's planes into the
  worker's frame mailbox, one ``memmove`` per plane, and wakes the worker (a byte on its stdin,
  never blocking). With Keep in sync (:mod:`hold`) it holds the frame and hands back the one
  whose own mask has arrived, so the mask drawn is the mask of the picture drawn; off, it
  returns the frame untouched and the newest mask is drawn on it.
- ``video_render`` of a sync source (image, capture, scene), once per OBS frame: reads the
  target back small (:mod:`readback`) into the same mailbox as an RGBA frame, but only when the
  worker has answered the previous one (or took over :data:`RESEND_SECONDS`): no GPU stall is
  spent on frames the worker would overwrite unseen. With Keep in sync it also keeps that
  picture at full size (:mod:`ring`) and draws it, not the live one, with its mask.
- ``video_tick`` watches the worker (restart with back-off) and picks up its status sentences.
- ``video_render`` uploads the newest mask and background picture if they changed and draws the
  composite with the effect; when there is no worker, no mask yet, or the worker is dead, it
  passes the picture through unchanged (``obs_source_skip_video_filter``).
- How many OBS frames old the drawn mask is (:mod:`lag`) and, with Keep in sync, the video
  delay that costs (:mod:`delay`) are logged when the filter goes and shown in the properties.

Nothing here imports numpy, OpenCV or MediaPipe: the OBS process stays light, and all per-pixel
CPU work happens in the worker process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bgremove_core.settings import Settings

from ..wire.formats import FORMATS, VIDEO_FORMAT_RGBA, plane_sizes
from ..wire.protocol import COLOUR_INFO, BackgroundMeta, Level, Look, MaskMeta, StatusMeta, parse
from . import libobs, properties
from .colour import colour_info
from .delay import SyncStats
from .gpu import GpuCompositor
from .hold import FrameHold, HeldFrame
from .lag import MaskAge
from .maskstore import MaskStore, StoredMask
from .readback import Readback
from .ring import PictureRing
from .supervisor import WorkerProcess
from .values import settings_from_values

_LOG_LEVELS = {Level.OK: libobs.LOG_INFO, Level.WARNING: libobs.LOG_WARNING, Level.ERROR: libobs.LOG_ERROR}
_NO_COLOUR_INFO = bytes(COLOUR_INFO.size)
"""RGBA frames need no YUV matrix; the payload keeps its layout."""
RESEND_SECONDS = 0.5
"""A read-back frame the worker has not answered for this long is taken as lost (a restarted
worker, a dropped frame) and the next one is sent anyway."""

STALLED_SECONDS = 1.0
"""A source that handed over no frame for this long is paused (or nearly so, a webcam in the
dark): the newest mask is drawn, so that new settings show on the picture on screen."""


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
        self._ticks = 0
        self._drawn_tick = -1
        self._readback_at = 0.0
        self._age = MaskAge()
        self._settings_generation = 0
        self._said: set[str] = set()
        self._refused: dict[str, str] = {}
        """Mailbox name -> why its last message was refused (cleared when one goes through)."""
        self._status: tuple[int, str] = (Level.OK, "")
        self._masks = MaskStore()
        self._drawn: tuple[int, int] | None = None
        """(mask frame number, serial) of the mask on the GPU."""
        self._hold = FrameHold()
        self._shown: tuple[int, int | None] | None = None
        """With Keep in sync: (arrival tick of the picture on screen, number of its mask)."""
        self._arrived_at = 0.0
        """When libobs last handed over a frame (``filter_video``)."""
        self._sync = SyncStats()
        self._gpu = GpuCompositor(lib, runtime.effect_path)
        self._readback = Readback(lib)
        self._ring = PictureRing(lib)
        self._ring_shown = 0
        """Number of the kept sync-source picture drawn last (for the delay statistics)."""
        self.settings = Settings()
        self._problems: tuple[str, ...] = ()
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
        lines.extend((libobs.OBS_TEXT_INFO_WARNING, sentence) for sentence in self._refused.values())
        if self._status[1]:
            lines.append(self._status)
        lines.extend((libobs.OBS_TEXT_INFO_WARNING, problem) for problem in self._problems)
        lines.extend(self._sync_lines())
        return lines

    def _sync_lines(self) -> list[tuple[int, str]]:
        """What Keep in sync costs (the delay to set as the microphone's Sync Offset) and, if
        the worker fell behind, how many frames went out with an older mask."""
        delay = self._sync.percentile(0.5)
        if delay is None:
            return []
        lines = [
            (
                libobs.OBS_TEXT_INFO_NORMAL,
                f"Keep in sync delays the video by {delay} ms (p50; p95 {self._sync.percentile(0.95)} "
                f"ms). To match, set this source's audio (or your microphone's) Sync Offset to "
                f"{delay} ms in Advanced Audio Properties.",
            )
        ]
        if self._sync.late:
            lines.append(
                (
                    libobs.OBS_TEXT_INFO_WARNING,
                    f"{self._sync.late} frame(s) went out with an older mask: the worker took longer "
                    "than the hold waits. Lower the model's load (landscape model, Follow the person "
                    "off) if this keeps growing.",
                )
            )
        return lines

    # ------------------------------------------------------------------ callbacks, in OBS's order
    def update(self, data: int) -> None:
        settings, problems = settings_from_values(properties.read(self._lib, data))
        for problem in problems:
            if problem not in self._problems:
                self.log(problem, libobs.LOG_WARNING)
        self.settings, self._problems = settings, problems
        self._send_settings()

    def adopt(self, runtime: Runtime) -> None:
        """Start working in an environment set up after this instance was created (the Scripts
        panel's Set up button), so OBS needs no restart; a no-op when a worker already runs."""
        if self._worker is not None or runtime.python is None:
            return
        self._runtime = runtime
        self._worker = WorkerProcess(runtime.python, runtime.code_root, self.log)
        self._send_settings()

    def _send_settings(self) -> None:
        if self._worker is not None:
            self._settings_generation += 1
            payload = json.dumps(self.settings.to_mapping()).encode()
            if self._worker.channel.settings.publish((self._settings_generation,), [payload]):
                self._refused.pop("settings", None)
                self._worker.wake()
            else:
                self._refuse(
                    "settings",
                    "These settings are too long to hand to the worker (a very long file path?); "
                    "it keeps using the previous ones.",
                )

    def filter_video(self, frame_address: int) -> int:
        """Hand the CPU frame to the worker; return the frame OBS shows now (0: none yet).

        Without Keep in sync that is the frame itself, untouched. With it, the frame is held
        (:mod:`hold`) and the one returned is an earlier frame whose own mask is back, or 0.
        Whether the frame can be read is the worker's to say (:mod:`framecheck`): a format it
        does not read goes without planes, a missing plane (NULL) as zero bytes a row.
        """
        if self._worker is None:
            return frame_address
        self._collect_masks()
        self._arrived_at = time.monotonic()
        frame = libobs.ObsSourceFrame.from_address(frame_address)
        fmt = FORMATS.get(frame.format)
        linesizes = tuple(frame.linesize[i] if frame.data[i] else 0 for i in range(3))
        sizes = plane_sizes(fmt, frame.height, linesizes) if fmt else ()
        parts = [colour_info(frame), *((frame.data[i], size) for i, size in enumerate(sizes))]
        self._frame_number += 1
        self._age.sent(self._frame_number, self._ticks)
        meta = (frame.width, frame.height, frame.format, *linesizes)
        self._send(self._frame_number, meta, parts)
        if not self._holding():
            self._release(self._hold.flush())
            self._shown = None
            return frame_address
        self._hold.push(HeldFrame(self._frame_number, frame_address, time.monotonic(), self._ticks))
        try:
            return self._take()
        except BaseException:  # libobs gets this frame back (registry's fallback): hold no other
            self._release([f for f in self._hold.flush() if f.address != frame_address])
            raise

    def _holding(self) -> bool:
        """Whether frames are held for their masks: Keep in sync on, a live worker that takes
        this source's frames, the source shown."""
        if self._worker is None or not self.settings.keep_in_sync or not self._worker.alive:
            return False
        parent = self._lib.obs_filter_get_parent(self._source)
        return bool(parent) and self._lib.obs_source_showing(parent) and "frames" not in self._refused

    def _take(self) -> int:
        """The held frame to show now (its address; 0 for none), dropping any it overtook."""
        now = time.monotonic()
        release, dropped = self._hold.take(self._masks.__contains__, self._masks.newest(), now)
        self._release(dropped)
        self._sync.dropped += len(dropped)
        if release is None:
            return 0
        self._sync.shown(now - release.frame.arrived, release.in_sync)
        self._shown = (release.frame.tick, release.mask)
        return release.frame.address

    def _release(self, frames: list[HeldFrame]) -> None:
        """Give held frames back to libobs unseen (``obs_source_release_frame``)."""
        if not frames:
            return
        parent = self._lib.obs_filter_get_parent(self._source)
        for frame in frames:
            self._lib.obs_source_release_frame(parent, frame.address)

    def _send(self, number: int, meta: tuple[int, ...], parts: Sequence[Any]) -> bool:
        """Publish frame ``number`` (``meta``: width, height, format, linesizes) to the worker."""
        assert self._worker is not None
        if self._worker.channel.frames.publish((number, *meta), parts):
            self._worker.wake()
            self._refused.pop("frames", None)
            return True
        self._refuse(
            "frames", f"Frames of {meta[0]}x{meta[1]} are too large (4K at most); they pass through."
        )
        return False

    def _refuse(self, mailbox: str, sentence: str) -> None:
        """``mailbox`` refused a message: say so in the properties and (once) in the log."""
        self._refused[mailbox] = sentence
        self._say_once(sentence)

    def _read_back(self, width: int, height: int) -> None:
        """Send a sync source's picture to the worker, unless the worker has not caught up yet."""
        newest = self._masks.newest()
        waiting = newest is None or newest < self._frame_number
        if self._frame_number and waiting and time.monotonic() - self._readback_at < RESEND_SECONDS:
            return
        self._readback_at = time.monotonic()
        number = self._frame_number + 1
        if self.settings.keep_in_sync:
            self._ring.capture(self._source, number, (width, height), self._ticks, self._readback_at)

        def publish(address: int, linesize: int, w: int, h: int) -> None:
            self._frame_number = number
            parts = [_NO_COLOUR_INFO, (address, linesize * h)]
            if self._send(number, (w, h, VIDEO_FORMAT_RGBA, linesize, 0, 0), parts):
                self._age.sent(number, self._ticks)

        self._readback.read(self._source, width, height, publish)

    def tick(self) -> None:
        self._ticks += 1
        if self._worker is None:
            return
        self._worker.poll()
        if len(self._hold) and not (self._holding() and self._lib.obs_source_enabled(self._source)):
            self._release(self._hold.flush())
        self._collect_masks()
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
        width = lib.obs_source_get_base_width(target) if target else 0
        height = lib.obs_source_get_base_height(target) if target else 0
        if not width or not height or self._worker is None or not self._gpu.ready():
            return False
        self._collect_masks()
        self._upload_picture()
        new_frame = self._drawn_tick != self._ticks
        self._drawn_tick = self._ticks
        sync_source = not self._async_parent()
        if new_frame and sync_source:
            self._read_back(width, height)
        picture_tick, number = self._drawn_mask()
        stored = self._masks.get(number)
        if stored is None or stored.meta.look == Look.NONE or not self._worker.alive:
            return False
        kept = self._kept_picture(number) if sync_source and self.settings.keep_in_sync else None
        mask = self._upload_mask(stored)
        if new_frame:
            self._age.drawn(mask.frame_number, kept[1] if kept else picture_tick)
        look, light = Look(mask.look), bool(mask.light_wrap)
        picture = (kept[0], kept[3]) if kept else None
        return self._gpu.draw(self._source, look, self._colour_rgb(), light, picture)

    def _drawn_mask(self) -> tuple[int, int | None]:
        """(tick the picture on screen arrived in, number of the mask to draw on it).

        With frames held: the mask of the frame released last. Otherwise, and when no frame has
        arrived for :data:`STALLED_SECONDS` (a paused video, whose held frames cannot come out:
        the newest mask is then the one the worker redoes for new settings), the newest mask.
        """
        stalled = time.monotonic() - self._arrived_at > STALLED_SECONDS
        if self._shown is None or stalled:
            return self._ticks, self._masks.newest()
        return self._shown

    def _kept_picture(self, number: int | None) -> tuple[int, int, float, tuple[int, int]] | None:
        """The sync source's picture mask ``number`` was computed from, if the ring kept it."""
        kept = self._ring.picture(number)
        if kept is not None and number != self._ring_shown:
            self._ring_shown = number or 0
            self._sync.shown(time.monotonic() - kept[2], True)
        return kept

    def _async_parent(self) -> bool:
        """Whether the source hands us CPU frames itself (``filter_video``): webcams, media."""
        parent = self._lib.obs_filter_get_parent(self._source)
        return bool(parent and self._lib.obs_source_get_output_flags(parent) & libobs.OBS_SOURCE_ASYNC)

    def _collect_masks(self) -> None:
        """Copy a new mask message, if any, out of the channel into the store."""
        assert self._worker is not None
        message = self._worker.channel.masks.read()
        if message is not None:
            self._masks.add(parse(MaskMeta, message.meta), message.payload)

    def _upload_mask(self, stored: StoredMask) -> MaskMeta:
        """Put ``stored`` on the GPU unless it is there already; returns its metadata."""
        mask = stored.meta
        if self._drawn == (mask.frame_number, stored.serial):
            return mask
        payload = stored.payload
        self._gpu.mask.upload(payload, 0, mask.mask_width, mask.mask_height, 1)
        offset = mask.mask_width * mask.mask_height
        if mask.aux_width:
            self._gpu.aux.upload(payload, offset, mask.aux_width, mask.aux_height, 4)
            offset += mask.aux_width * mask.aux_height * 4
        if mask.light_wrap:
            self._gpu.wrap.upload(payload, offset, mask.aux_width, mask.aux_height, 1)
        self._drawn = (mask.frame_number, stored.serial)
        return mask

    def _upload_picture(self) -> None:
        assert self._worker is not None
        picture = self._worker.channel.backgrounds.read()
        if picture is not None:
            meta = parse(BackgroundMeta, picture.meta)
            self._gpu.picture.upload(picture.payload, 0, meta.width, meta.height, 4)

    def _colour_rgb(self) -> tuple[float, float, float]:
        blue, green, red = self.settings.colour_bgr
        return red / 255, green / 255, blue / 255

    def removed(self) -> None:
        """The filter was taken off its source (or the source goes, at exit too): give back the
        held frames while the source is still there, and stop the worker now, not at destroy."""
        self._release(self._hold.flush())
        self.close_worker()

    def close_worker(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
            self.log(f"worker stopped; {self._age.summary()}; {self._sync.summary()}")

    def destroy(self) -> None:
        self.close_worker()
        self._gpu.free()
        self._readback.free()
        self._ring.free()
