"""How a file job went: what ``bgremove process`` and ``bgremove batch`` report, images and videos alike."""

from __future__ import annotations

from dataclasses import dataclass

from ..media.writer import FRAME_COUNT_SLACK
from .flow import Profile


@dataclass(frozen=True)
class JobStats:
    """How a job went.

    Attributes:
        frames: Frames written.
        expected: Frames the plan expected (a truncated input gives fewer).
        seconds: Wall time, decode to final rename.
        size: (width, height) of the frames as written, which an encoder that needs even sides
            makes smaller than the input's by a row or a column.
        profile: Per-stage times (None for a still image).
    """

    frames: int
    expected: int
    seconds: float
    size: tuple[int, int]
    profile: Profile | None = None

    @property
    def fps(self) -> float:
        """Frames per second over the whole run."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    @property
    def truncated(self) -> bool:
        """Whether the input ended before the frames it declared."""
        return self.frames < self.expected - FRAME_COUNT_SLACK
