"""The worker's side of the channel: drive the core's mask engine and send OBS what it draws.

The mask itself (model, refinement, the max-fps throttle, swapping the model, what a setting
change invalidates) is :class:`bgremove_core.engine.MaskEngine`, the same engine ``bgremove
live`` and the file commands drive; this module only moves frames, masks and pictures over the
:class:`~bgremove_obs.wire.channel.Channel` and turns problems into status sentences. Everything runs
on one thread because MediaPipe is not thread-safe.

- Take the newest frame from the channel (older ones were overwritten: latest wins) when the
  engine is due (``max_fps``).
- Publish the mask at the work size (``limits.work_size``) and, in blur mode, the small
  halo-free blurred background that the GPU scales up. A message its mailbox refuses (it cannot
  happen with sizes from ``limits``, which also size the mailboxes, but a silent refusal once
  left portrait sources without a mask) becomes a status sentence.
- In image/video mode, publish the cover-fitted background picture when it changes; a file that
  cannot be read becomes a status sentence and the blurred background is shown instead.
- Each mask message carries the look the engine decided (:class:`~bgremove_core.looks.Look`);
  the filter draws it.
- A frame :func:`~bgremove_obs.worker.framecheck.problem` finds unreadable is answered with a
  pass-through message (``Look.NONE``: the filter draws the picture unchanged) and a status
  sentence, never segmented; the sentence goes when readable frames come back.
- When settings change while no frames arrive (a paused video), redo the last frame so the
  picture follows the settings anyway (the mask only if they invalidate it).
- A model that cannot be loaded keeps the previous model running; the reason stays in the status
  until the model setting changes, so a user who opens the properties later still reads it.
"""

from __future__ import annotations

import json

import cv2
import numpy as np

from bgremove_core.backgrounds import BackgroundSource, VideoBackground, open_background
from bgremove_core.compose import blur_background_small, light_wrap_maps
from bgremove_core.engine import MaskEngine
from bgremove_core.errors import MediaError
from bgremove_core.limits import TEXT_CAPACITY, picture_size
from bgremove_core.looks import wants_picture
from bgremove_core.settings import Settings, Stage

from ..wire.channel import Channel
from ..wire.protocol import BackgroundMeta, FrameMeta, Level, Look, SettingsMeta, parse
from .convert import to_bgr
from .framecheck import problem


class MaskServer:
    """Segment, refine and prepare backgrounds for one filter instance."""

    def __init__(self, channel: Channel) -> None:
        self._channel = channel
        self._engine = MaskEngine()
        self._generation = 0
        self._picture_source: BackgroundSource | None = None
        self._picture_error = ""
        self._publish_error = ""
        self._frame_error = ""
        self._picture_sent: tuple[int, int] | None = None
        self._picture = np.zeros((1, 1, 3), np.uint8)
        self._last: tuple[np.ndarray, np.ndarray, FrameMeta] | None = None
        self._status: tuple[int, str] = (Level.OK, "")

    @property
    def _settings(self) -> Settings:
        return self._engine.settings

    # ------------------------------------------------------------------ settings
    def _poll_settings(self) -> frozenset[Stage] | None:
        """Apply new settings if any arrived; returns what they invalidate (None: none arrived)."""
        message = self._channel.settings.read()
        if message is None:
            return None
        self._generation = parse(SettingsMeta, message.meta).generation
        new = Settings.from_mapping(json.loads(bytes(message.payload)), ignore_unknown=True)
        stages = self._engine.update(new)
        if Stage.BACKGROUND in stages:
            self._open_picture()
        return stages

    def _open_picture(self) -> None:
        if self._picture_source is not None:
            self._picture_source.close()
        self._picture_source, self._picture_error, self._picture_sent = None, "", None
        if not wants_picture(self._settings):
            return
        try:
            self._picture_source = open_background(self._settings)
        except MediaError as error:
            self._picture_error = f"{error} Showing the blurred background instead."

    # ------------------------------------------------------------------ per frame
    def say(self, level: int, text: str) -> None:
        if (level, text) != self._status:
            self._status = (level, text)
            encoded = text.encode()[:TEXT_CAPACITY].decode("utf-8", "ignore").encode()
            self._channel.status.publish((level,), [encoded])

    def _report(self) -> None:
        """Publish what is wrong right now (an empty OK clears an earlier sentence)."""
        model = self._engine.model_error
        model_error = f"{str(model).rstrip('.')}. Still using the previous model." if model else ""
        errors = (self._frame_error, model_error, self._picture_error, self._publish_error)
        problems = " ".join(p for p in errors if p)
        self.say(Level.ERROR if problems else Level.OK, problems)

    def wait_time(self) -> float:
        """Seconds until the next frame is due under ``max_fps`` (0: now)."""
        return self._engine.wait_time()

    def step(self) -> bool:
        """Do one unit of work; False when there was nothing to do."""
        stages = self._poll_settings()
        if stages is not None:
            self._report()
        elif self._engine.wait_time() > 0:
            return False
        message = self._channel.frames.read()
        if message is not None:
            meta = parse(FrameMeta, message.meta)
            payload = memoryview(message.payload)
            self._frame_error = problem(meta, payload)
            if self._frame_error:
                self._last = None
                self._pass_through(meta)
                self._report()
                return True
            frame = to_bgr(meta, payload)
            self._last = (frame, self._engine.mask(frame), meta)
        elif stages is not None and self._last is not None:
            if Stage.MASK in stages:
                frame, _, meta = self._last
                self._last = (frame, self._engine.mask(frame), meta)
        else:
            return False
        self._publish(*self._last)
        self._report()
        return True

    def _publish(self, frame: np.ndarray, alpha: np.ndarray, meta: FrameMeta) -> None:
        look = self._engine.look(picture=self._send_picture(meta.width, meta.height))
        parts = [alpha.reshape(-1).data]
        aux_w = aux_h = wrap = 0
        if look == Look.BLUR:  # at mask size with the mask as alpha: the GPU samples one texture
            blurred = blur_background_small(frame, alpha, self._settings.blur_strength)
            aux = cv2.merge((*cv2.split(cv2.resize(blurred, alpha.shape[::-1])), alpha))
            aux_h, aux_w = aux.shape[:2]
            parts.append(aux.reshape(-1).data)
        elif look in (Look.COLOUR, Look.PICTURE) and self._settings.light_wrap > 0:
            glow, weight = light_wrap_maps(self._backdrop(frame, look), alpha, self._settings.light_wrap)
            aux = cv2.cvtColor(glow, cv2.COLOR_BGR2BGRA)
            (aux_h, aux_w), wrap = aux.shape[:2], 1
            parts += [aux.reshape(-1).data, weight.reshape(-1).data]
        mask_h, mask_w = alpha.shape
        sent = self._channel.masks.publish(
            (meta.number, mask_w, mask_h, aux_w, aux_h, look, self._generation, wrap), parts
        )
        self._publish_error = "" if sent else _refused("mask", meta.width, meta.height)

    def _pass_through(self, meta: FrameMeta) -> None:
        """Tell OBS to draw this frame unchanged (a 1x1 mask: the message needs one)."""
        sent = self._channel.masks.publish((meta.number, 1, 1, 0, 0, Look.NONE, self._generation, 0), [b"\0"])
        self._publish_error = "" if sent else _refused("mask", meta.width, meta.height)

    def _backdrop(self, frame: np.ndarray, look: Look) -> np.ndarray:
        """The new background at the frame's work size, the light-wrap glow's source."""
        if look == Look.COLOUR:
            return np.full(frame.shape, self._settings.colour_bgr, np.uint8)
        size = (frame.shape[1], frame.shape[0])
        return cv2.resize(self._picture, size, interpolation=cv2.INTER_AREA)

    def _send_picture(self, width: int, height: int) -> bool:
        """Publish the replacement picture (once per size for images, every frame for videos);
        False when there is none to show (another look, or the file cannot be read)."""
        if self._picture_source is None:
            return False
        width, height = picture_size(width, height)
        key = (width, height)
        video = isinstance(self._picture_source, VideoBackground)
        if key == self._picture_sent and not video:
            return True
        try:
            self._picture = self._picture_source.frame(width, height)
            picture = cv2.cvtColor(self._picture, cv2.COLOR_BGR2BGRA)
        except MediaError as error:
            self._picture_error = f"{error} Showing the blurred background instead."
            self._picture_source = None
            return False
        if not self._channel.backgrounds.publish(BackgroundMeta(width, height), [picture.reshape(-1).data]):
            self._picture_error = _refused("background picture", width, height)
            return False
        self._picture_sent = key
        return True

    def close(self) -> None:
        self._engine.close()
        if self._picture_source is not None:
            self._picture_source.close()


def _refused(what: str, width: int, height: int) -> str:
    """The sentence for a message its mailbox refused (a bug: ``limits`` sizes both)."""
    return (
        f"The {what} for {width}x{height} frames does not fit the channel to OBS, so it is not "
        "shown. Please report this with the source's size."
    )
