"""Any input file to its output: the unit ``bgremove process`` runs once and ``bgremove batch`` many times.

Each job is independent and idempotent (one input, one output, written atomically), so a batch
can run jobs in any order, in parallel, or again after an interruption.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import SettingsError
from ..media.atomic import check_output
from ..media.files import check_input_file
from ..media.formats import DEFAULT_H264, H264, check_image_output, input_kind
from ..media.images import read_image, write_image
from ..pipeline import Processor
from .stats import JobStats
from .video import Progress, VideoPlan, plan_video, run_video


@dataclass(frozen=True)
class ImagePlan:
    """A checked still-image job."""

    source: Path
    output: Path

    @property
    def count(self) -> int:
        """Frames the job will write: one."""
        return 1


Plan = VideoPlan | ImagePlan


def plan_file(
    source: Path,
    output: Path,
    *,
    alpha: bool,
    reads: tuple[Path, ...] = (),
    start: float | None = None,
    end: float | None = None,
    h264: H264 = DEFAULT_H264,
    overwrite: bool = False,
) -> Plan:
    """Check a job on ``source`` (a video or an image, by its suffix) and return its plan.

    Raises:
        MediaError, OutputError, SettingsError: With a sentence naming the file and the problem.
    """
    if input_kind(source) == "video":  # probing the video checks the file
        return plan_video(
            source, output, alpha=alpha, reads=reads, start=start, end=end, h264=h264, overwrite=overwrite
        )
    check_input_file(source)
    check_output(output, [source, *reads], overwrite=overwrite)
    if start is not None or end is not None:
        raise SettingsError("--start and --end apply to videos only, and the input is an image.")
    check_image_output(output, alpha=alpha)
    return ImagePlan(source, output)


def run_plan(
    plan: Plan,
    stages: Processor,
    *,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
) -> JobStats:
    """Run a planned job with ``stages`` (reset first: every file is a new stream)."""
    stages.reset()
    stages.code_for(plan.target.matrix if isinstance(plan, VideoPlan) else "")
    if isinstance(plan, VideoPlan):
        return run_video(plan, stages, cancel=cancel, progress=progress)
    started = time.perf_counter()
    frame = read_image(plan.source)
    result = stages.finish(frame, stages.segment(frame))
    write_image(plan.output, result.output)
    if progress is not None:
        progress(1)
    height, width = result.output.shape[:2]
    return JobStats(1, 1, time.perf_counter() - started, (width, height))
