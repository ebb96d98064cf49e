"""Live frame sources for ``bgremove live``: a camera through OpenCV, or a screen region through mss.

Both hand out BGR uint8 frames and are closed explicitly, so the live loop can be driven by
either, and by a test, through the same two calls.
"""

from __future__ import annotations

import time
from typing import Protocol

import cv2
import numpy as np

from ..errors import MediaError, SettingsError

SCREEN_FPS = 30.0
"""Screen capture rate: smooth to watch, and what the models are run at by default."""

Region = tuple[int, int, int, int]
"""(left, top, width, height) in screen pixels."""


class FrameSource(Protocol):
    """Something that produces live frames."""

    def read(self) -> np.ndarray:
        """The newest frame as BGR uint8; raises MediaError when the device stops giving any."""
        ...

    def close(self) -> None:
        """Release the device; safe to call twice."""
        ...


def parse_region(text: str) -> Region:
    """Parse ``LEFT,TOP,WIDTH,HEIGHT`` as given to ``--screen``."""
    parts = text.replace(" ", "").split(",")
    try:
        left, top, width, height = (int(p) for p in parts)
    except ValueError:
        raise SettingsError(
            f"--screen takes LEFT,TOP,WIDTH,HEIGHT in pixels (e.g. 0,0,1280,720), not {text!r}."
        ) from None
    if width < 16 or height < 16 or left < 0 or top < 0:
        raise SettingsError(f"--screen region {text!r} must start on screen and be at least 16x16 pixels.")
    return left, top, width, height


class CameraSource:
    """A camera by OpenCV index (0 is the first camera)."""

    def __init__(self, index: int) -> None:
        self._index = index
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise MediaError(f"Camera {index} could not be opened (is it connected and not in use?).")

    def read(self) -> np.ndarray:
        ok, frame = self._capture.read()
        if not ok or frame is None:
            raise MediaError(f"Camera {self._index} stopped giving frames.")
        return frame

    def close(self) -> None:
        self._capture.release()


class ScreenSource:
    """A region of the screen (the whole first monitor by default), captured with mss.

    Unlike a camera, a screen has no frame clock, so reads are paced to ``fps``: grabbing as
    fast as possible would only burn the CPU the model needs. mss keeps per-thread X11
    handles, so a ScreenSource must be read from the thread that made it.
    """

    def __init__(self, region: Region | None = None, fps: float = SCREEN_FPS) -> None:
        import mss
        import mss.exception

        factory = getattr(mss, "MSS", None) or mss.mss  # mss 10 renamed the factory
        try:
            self._mss = factory()
        except mss.exception.ScreenShotError as exc:
            raise MediaError(f"The screen could not be opened for capture ({exc}).") from exc
        monitor = self._mss.monitors[1]
        if region is None:
            region = (monitor["left"], monitor["top"], monitor["width"], monitor["height"])
        left, top, width, height = region
        if (
            left + width > monitor["left"] + monitor["width"]
            or top + height > monitor["top"] + monitor["height"]
        ):
            self._mss.close()
            raise SettingsError(
                f"--screen region {left},{top},{width},{height} extends past the screen "
                f"({monitor['width']}x{monitor['height']})."
            )
        self._box = {"left": left, "top": top, "width": width, "height": height}
        self._interval = 1.0 / fps
        self._next = time.monotonic()

    def read(self) -> np.ndarray:
        time.sleep(max(0.0, self._next - time.monotonic()))
        self._next = max(self._next + self._interval, time.monotonic())
        shot = self._mss.grab(self._box)
        return cv2.cvtColor(np.asarray(shot), cv2.COLOR_BGRA2BGR)

    def close(self) -> None:
        self._mss.close()
