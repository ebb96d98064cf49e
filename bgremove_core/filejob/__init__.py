"""File jobs: a video or an image in, the same with its background replaced out, pipelined.

- :mod:`.flow`: the thread chain with bounded queues, cancellation and a per-stage clock.
- :mod:`.core`: the model and picture work, reached through one seam (:func:`core_stages`).
- :mod:`.video` and :mod:`.job`: plan a file (check everything first), then run it atomically.
"""

from __future__ import annotations

from .core import core_stages, opencv_threads, run_frames
from .flow import Cancelled, Profile
from .job import ImagePlan, Plan, plan_file, run_plan
from .stats import JobStats
from .video import NO_FFMPEG, VideoPlan, VideoTarget, video_target, write_video

__all__ = [
    "NO_FFMPEG",
    "Cancelled",
    "ImagePlan",
    "JobStats",
    "Plan",
    "Profile",
    "VideoPlan",
    "VideoTarget",
    "core_stages",
    "opencv_threads",
    "plan_file",
    "run_frames",
    "run_plan",
    "video_target",
    "write_video",
]
