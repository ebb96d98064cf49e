"""Running a file job from the command line: a progress bar, warnings, and the summary line."""

from __future__ import annotations

from collections.abc import Callable

from ..filejob import JobStats, Plan, VideoPlan
from .console import progress, warn

Job = Callable[[Callable[[int], None]], JobStats]
"""A job to run, given the callback it reports written frames to."""


def with_progress(job: Job, total: int, description: str, *, quiet: bool) -> JobStats:
    """Run ``job`` under a frame progress bar (shown only on a terminal and without --quiet)."""
    with progress(total, description, quiet=quiet) as bar:
        return job(bar.update)


def summary(plan: Plan, stats: JobStats) -> str:
    """One line saying what was written and how fast; for a video, frames, size and frames/s."""
    if not isinstance(plan, VideoPlan):
        return f"Wrote {plan.output} in {stats.seconds:.1f} s."
    width, height = stats.size
    return (
        f"Wrote {plan.target.path}: {stats.frames} frames of {width}x{height} "
        f"({stats.frames / plan.target.fps:.2f} s) in {stats.seconds:.1f} s, {stats.fps:.1f} frames/s."
    )


def warn_if_truncated(plan: Plan, stats: JobStats) -> None:
    """Say so when a video ended before the frames it declared (the output holds what was read)."""
    if isinstance(plan, VideoPlan) and stats.truncated:
        warn(
            f"The input {str(plan.source.path)!r} ended after {stats.frames} of its {stats.expected} "
            f"frames (the file may be truncated); {str(plan.target.path)!r} holds the frames that could "
            "be read."
        )
