"""The worker's engine: segment, refine and prepare background pictures for one filter.

Builds on the core (Segmenter, Refiner, backgrounds, ``blur_background_small``) and re-implements
none of it; everything runs on one thread because MediaPipe is not thread-safe.

- Take the newest frame from the channel (older ones were overwritten: latest wins), at most
  ``max_fps`` times per second.
- Segment and refine it at the work size (<= 640 px wide); publish the mask and, in blur mode,
  the small halo-free blurred background that the GPU scales up.
- In image/video mode, publish the cover-fitted background picture when it changes; a file that
  cannot be read becomes a status sentence and the blurred background is shown instead.
- When settings change while no frames arrive (a paused video), redo the last frame so the
  picture follows the settings anyway.
- A model that cannot be loaded (missing or corrupt custom file) keeps the previous model
  running; the reason stays in the status until the model setting changes, so a user who opens
  the properties later still reads it.
"""

from __future__ import annotations

import json
import time

import cv2
import numpy as np

from bgremove_core.backgrounds import BackgroundSource, VideoBackground, open_background
from bgremove_core.compose import blur_background_small, light_wrap_maps
from bgremove_core.errors import MediaError, ModelError
from bgremove_core.follow import open_segmenter, segmenter_key
from bgremove_core.refine import Refiner
from bgremove_core.settings import Background, Settings

from .channel import Channel
from .convert import to_bgr
from .protocol import BackgroundMeta, FrameMeta, Level, Look, SettingsMeta, parse

PICTURE_MAX_WIDTH = 1920
_MASK_KEYS = ("model", "model_path", "follow", "threshold", "edge_softness", "smoothing", "edge_refine",
              "feather", "grow", "min_region")  # fmt: skip
_PICTURE_KEYS = ("background", "image", "video")

_LOOKS = {
    Background.BLUR: Look.BLUR,
    Background.COLOUR: Look.COLOUR,
    Background.IMAGE: Look.PICTURE,
    Background.VIDEO: Look.PICTURE,
    Background.TRANSPARENT: Look.TRANSPARENT,
}


class Worker:
    """Segment, refine and prepare backgrounds for one filter instance."""

    def __init__(self, channel: Channel) -> None:
        self._channel = channel
        self._settings = Settings()
        self._generation = 0
        self._model = segmenter_key(self._settings)
        self._segmenter = open_segmenter(self._settings)
        self._model_error = ""
        self._refiner = Refiner(self._settings)
        self._picture_source: BackgroundSource | None = None
        self._picture_error = ""
        self._picture_sent: tuple = ()
        self._picture = np.zeros((1, 1, 3), np.uint8)
        self._last: tuple | None = None
        self._status: tuple[int, str] = (Level.OK, "")
        self._last_start = 0.0

    # ------------------------------------------------------------------ settings
    def _poll_settings(self) -> tuple[bool, bool]:
        """Apply new settings if any; returns (changed at all, mask must be recomputed)."""
        message = self._channel.settings.read()
        if message is None:
            return False, False
        self._generation = parse(SettingsMeta, message.meta).generation
        new = Settings.from_mapping(json.loads(bytes(message.payload)), ignore_unknown=True)
        old, self._settings = self._settings, new
        self._load_model(new)
        self._refiner.update(new)
        if tuple(getattr(old, k) for k in _PICTURE_KEYS) != tuple(getattr(new, k) for k in _PICTURE_KEYS):
            self._open_picture()
        mask_changed = any(getattr(old, k) != getattr(new, k) for k in _MASK_KEYS)
        return True, mask_changed

    def _load_model(self, settings: Settings) -> None:
        """Switch to the wanted model, or keep the running one and say why it could not load."""
        wanted = segmenter_key(settings)
        if wanted == self._model:
            self._model_error = ""
            return
        try:
            segmenter = open_segmenter(settings)
        except ModelError as error:
            self._model_error = f"{str(error).rstrip('.')}. Still using the previous model."
            return
        self._segmenter.close()
        self._segmenter, self._model, self._model_error = segmenter, wanted, ""
        self._refiner.reset()

    def _open_picture(self) -> None:
        if self._picture_source is not None:
            self._picture_source.close()
        self._picture_source, self._picture_error, self._picture_sent = None, "", ()
        if _LOOKS.get(self._settings.background) != Look.PICTURE:
            return
        try:
            self._picture_source = open_background(self._settings)
        except MediaError as error:
            self._picture_error = f"{error} Showing the blurred background instead."

    # ------------------------------------------------------------------ per frame
    def say(self, level: int, text: str) -> None:
        if (level, text) != self._status:
            self._status = (level, text)
            self._channel.status.publish((level,), [text.encode()])

    def _report(self) -> None:
        """Publish what is wrong right now (an empty OK clears an earlier sentence)."""
        problems = " ".join(p for p in (self._model_error, self._picture_error) if p)
        self.say(Level.ERROR if problems else Level.OK, problems)

    def step(self) -> bool:
        """Do one unit of work; False when there was nothing to do."""
        changed, mask_changed = self._poll_settings()
        if changed:
            self._report()
        max_fps = self._settings.max_fps
        if max_fps and time.monotonic() < self._last_start + 1.0 / max_fps and not changed:
            return False
        message = self._channel.frames.read()
        if message is not None:
            self._last_start = time.monotonic()
            meta = parse(FrameMeta, message.meta)
            frame = to_bgr(meta, memoryview(message.payload))
            if self._last is not None and self._last[0].shape != frame.shape:
                self._refiner.reset()
            alpha = self._refiner.refine(self._segmenter.segment(frame), frame)
            self._last = (frame, alpha, meta)
        elif changed and self._last is not None:
            frame, alpha, meta = self._last
            if mask_changed:
                alpha = self._refiner.refine(self._segmenter.segment(frame), frame)
                self._last = (frame, alpha, meta)
        else:
            return False
        self._publish(*self._last)
        self._report()
        return True

    def _publish(self, frame: np.ndarray, alpha: np.ndarray, meta: FrameMeta) -> None:
        look = _LOOKS.get(self._settings.background, Look.BLUR)
        if look == Look.PICTURE and not self._send_picture(meta.width, meta.height):
            look = Look.BLUR
        parts = [alpha.reshape(-1)]
        aux_w = aux_h = wrap = 0
        if look == Look.BLUR:  # at mask size with the mask as alpha: the GPU samples one texture
            blurred = blur_background_small(frame, alpha, self._settings.blur_strength)
            aux = cv2.merge((*cv2.split(cv2.resize(blurred, alpha.shape[::-1])), alpha))
            aux_h, aux_w = aux.shape[:2]
            parts.append(aux.reshape(-1))
        elif look in (Look.COLOUR, Look.PICTURE) and self._settings.light_wrap > 0:
            glow, weight = light_wrap_maps(self._backdrop(frame, look), alpha, self._settings.light_wrap)
            aux = cv2.cvtColor(glow, cv2.COLOR_BGR2BGRA)
            aux_h, aux_w, wrap = *aux.shape[:2], 1
            parts += [aux.reshape(-1), weight.reshape(-1)]
        mask_h, mask_w = alpha.shape
        self._channel.masks.publish(
            (meta.number, mask_w, mask_h, aux_w, aux_h, look, self._generation, wrap), parts
        )

    def _backdrop(self, frame: np.ndarray, look: Look) -> np.ndarray:
        """The new background at the frame's work size, the light-wrap glow's source."""
        if look == Look.COLOUR:
            return np.full(frame.shape, self._settings.colour_bgr, np.uint8)
        size = (frame.shape[1], frame.shape[0])
        return cv2.resize(self._picture, size, interpolation=cv2.INTER_AREA)

    def _send_picture(self, width: int, height: int) -> bool:
        """Publish the replacement picture (once per size for images, every frame for videos)."""
        if self._picture_source is None:
            return False
        if width > PICTURE_MAX_WIDTH:
            width, height = PICTURE_MAX_WIDTH, max(1, round(height * PICTURE_MAX_WIDTH / width))
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
        self._channel.backgrounds.publish(BackgroundMeta(width, height), [picture.reshape(-1)])
        self._picture_sent = key
        return True

    def close(self) -> None:
        self._segmenter.close()
        if self._picture_source is not None:
            self._picture_source.close()
