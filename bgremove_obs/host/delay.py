"""What Keep in sync costs and delivers: the video delay it adds, and how many frames went out in
sync, late (with an older mask, past the hold's bound) or were dropped.

Delays are counted in a histogram of whole milliseconds, so memory stays bounded however long the
filter runs. The properties panel and the log line at removal show :meth:`SyncStats.summary`; the
OBS benchmark and the as-drawn harness read that line. Standard library only.
"""

from __future__ import annotations

from collections import Counter

from .lag import percentile


class SyncStats:
    """Counts of one filter instance since it was created (or last :meth:`reset`)."""

    def __init__(self) -> None:
        self._delays: Counter[int] = Counter()
        self.in_sync = 0
        self.late = 0
        self.dropped = 0

    def shown(self, delay_seconds: float, in_sync: bool) -> None:
        """A held frame went out after ``delay_seconds``, with its own mask or not."""
        self._delays[round(delay_seconds * 1000)] += 1
        if in_sync:
            self.in_sync += 1
        else:
            self.late += 1

    def percentile(self, share: float) -> int | None:
        """The smallest delay in ms at or below which ``share`` (0..1) of the shown frames lie."""
        return percentile(self._delays, share)

    def summary(self) -> str:
        """One sentence with the figures (the log line at removal ends with it)."""
        shown = self.in_sync + self.late
        if not shown:
            return "no frame was held for its mask"
        return (
            f"added video delay p50 {self.percentile(0.5)} ms, p95 {self.percentile(0.95)} ms; "
            f"{self.in_sync} of {shown} frames shown with their own mask, {self.late} late, "
            f"{self.dropped} dropped"
        )
