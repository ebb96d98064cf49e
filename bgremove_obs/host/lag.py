"""How old the mask on screen is, counted in OBS frames: the filter's latency, as users see it.

A frame handed to the worker is stamped with the OBS frame (video tick) it was sent in; when its
mask is drawn, the age is the current tick minus that stamp. Ages are counted once per OBS frame
(extra renders for screenshots or projectors do not count) in a histogram, so memory stays
bounded however long the filter runs. The filter logs the summary when it is removed or OBS
exits, so the latency a user saw is in their OBS log (the OBS benchmark reads the same line).
"""

from __future__ import annotations

from collections import Counter

REMEMBERED = 256
"""Stamps kept for frames whose mask has not come back yet (older ones were overwritten)."""


def percentile(counts: Counter[int], share: float) -> int | None:
    """The smallest value at or below which ``share`` (0..1) of a histogram's counts lie."""
    total = sum(counts.values())
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= share * total:
            return value
    return None


class MaskAge:
    """Send stamps and the histogram of mask ages, in OBS frames."""

    def __init__(self) -> None:
        self._sent: dict[int, int] = {}
        self._ages: Counter[int] = Counter()

    def sent(self, frame_number: int, tick: int) -> None:
        self._sent[frame_number] = tick
        if len(self._sent) > REMEMBERED:
            del self._sent[min(self._sent)]

    def drawn(self, frame_number: int, tick: int) -> None:
        stamp = self._sent.get(frame_number)
        if stamp is not None:
            self._ages[tick - stamp] += 1

    def percentile(self, share: float) -> int | None:
        """The smallest age at or below which ``share`` (0..1) of the drawn frames lie."""
        return percentile(self._ages, share)

    def summary(self) -> str:
        drawn = sum(self._ages.values())
        if not drawn:
            return "no frame was drawn with a mask"
        return (
            f"{drawn} frames drawn with a mask; mask age p50 {self.percentile(0.5)}, "
            f"p95 {self.percentile(0.95)}, max {max(self._ages)} frames"
        )
