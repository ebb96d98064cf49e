"""Keep in sync: an async source's frames held until their own mask is back.

The worker answers a frame some milliseconds after it arrived; drawn on whatever frame OBS shows
by then, the mask trails the picture. With the setting on, ``filter_video`` keeps each frame
(returns NULL to libobs, which leaves the previous picture up) and hands it back on a later call
once the worker's mask for that very frame number has arrived, the way OBS's own "Video Delay
(Async)" filter holds frames (plugins/obs-filters/async-delay-filter.c). libobs calls
``filter_video`` once per new frame and takes one frame back per call, so :meth:`FrameHold.take`
decides, each time, which single frame goes out:

- the newest frame that has its own mask, provided every frame before it either has its own mask
  or never will (the worker answers in order, so a frame older than the newest mask that has
  none was lost: overwritten in the channel while the worker was busy); those earlier ones are
  dropped (released unseen), so a hiccup of the worker costs one repeated picture instead of a
  delay that never shrinks again;
- otherwise, once more than :data:`MAX_FRAMES` are held or the oldest waited
  :data:`MAX_SECONDS`, the oldest goes out with the newest mask there is (late: not in sync);
- otherwise nothing: the frame waits.

Every frame goes to the worker as it arrives, as without the setting: a worker that keeps up
answers each one, a worker that falls behind reads only the newest (the channel keeps one
message per mailbox), and the frames it never read are the ones dropped.

Frames are ``struct obs_source_frame`` addresses that libobs lent us; every frame pushed comes out
exactly once, shown or dropped, through :meth:`take` or :meth:`flush` (removal, deactivation, a
dead worker, the setting turned off). ``filter_remove`` runs on another thread than
``filter_video``, hence the lock. Standard library only: the OBS process imports this.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

MAX_FRAMES = 4
"""Frames held at most; one more and the oldest goes out with the newest mask."""
MAX_SECONDS = 0.2
"""Longest a frame waits for its mask before it goes out with the newest one."""


@dataclass
class HeldFrame:
    """One frame lent by libobs, with what the worker needs to read it.

    Attributes:
        number: The frame number the worker's mask message will carry.
        address: The ``struct obs_source_frame *`` to hand back to (or release to) libobs.
        arrived: ``time.monotonic()`` when libobs handed it over.
        tick: The OBS frame (video tick) it arrived in.
    """

    number: int
    address: int
    arrived: float
    tick: int


class Release(NamedTuple):
    """The frame :meth:`FrameHold.take` lets out, the mask to draw on it, and whether that is its
    own mask (``mask`` is None when no mask has arrived at all)."""

    frame: HeldFrame
    mask: int | None
    in_sync: bool


class FrameHold:
    """The held frames of one filter instance, oldest first."""

    def __init__(self, max_frames: int = MAX_FRAMES, max_seconds: float = MAX_SECONDS) -> None:
        self._frames: list[HeldFrame] = []
        self._lock = threading.Lock()
        self._max_frames = max_frames
        self._max_seconds = max_seconds

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, frame: HeldFrame) -> None:
        with self._lock:
            self._frames.append(frame)

    def take(
        self, has_mask: Callable[[int], bool], newest_mask: int | None, now: float
    ) -> tuple[Release | None, list[HeldFrame]]:
        """The frame to show now (or None: keep waiting) and the frames to drop unseen."""
        with self._lock:
            ready = None
            for index, frame in enumerate(self._frames):
                if has_mask(frame.number):
                    ready = index
                elif newest_mask is None or frame.number > newest_mask:
                    break
            if ready is not None:
                dropped, shown = self._frames[:ready], self._frames[ready]
                del self._frames[: ready + 1]
                return Release(shown, shown.number, True), dropped
            if self._frames and (
                len(self._frames) > self._max_frames or now - self._frames[0].arrived >= self._max_seconds
            ):
                return Release(self._frames.pop(0), newest_mask, False), []
            return None, []

    def flush(self) -> list[HeldFrame]:
        """Every held frame, to release: the hold is empty afterwards."""
        with self._lock:
            frames, self._frames = self._frames, []
            return frames
