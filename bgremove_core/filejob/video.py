"""One video in, one video out: planned (everything checked) before any work, then run pipelined.

A plan is cheap and refuses what can be refused up front (unreadable input, impossible output,
an empty span), so a long run never fails at the end for a reason known at the start, and a
batch can plan every file, total their frames, and skip what is already done. Running a plan is
decode (ffmpeg) → segment → refine + compose → encode (ffmpeg), one thread each (see
:mod:`.flow`), into a temporary file that becomes the output only once it is complete.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MediaError, OutputError
from ..media.atomic import atomic_output, check_output
from ..media.ffmpeg import find_ffmpeg
from ..media.formats import DEFAULT_H264, H264, VideoOutput, video_output
from ..media.video import VideoInfo, probe_video, read_frames
from ..media.writer import AudioSpan, FfmpegWriter, OpenCvWriter, VideoWriter
from ..pipeline import Processor
from .core import ResultHook, core_chain
from .flow import Step, run_chain
from .stats import JobStats

Progress = Callable[[int], None]
"""Called with 1 after each frame is handed to the encoder (on the encoding thread)."""


@dataclass(frozen=True)
class VideoTarget:
    """Where and how a video is written, checked by :func:`video_target`.

    Attributes:
        path: The final output file.
        size: (width, height) of the frames.
        fps: Frame rate.
        fmt: The container's encoding (from the output's suffix).
        ffmpeg: The ffmpeg that encodes it, or None: OpenCV's own encoder (no sound, no alpha).
        alpha: Frames are BGRA (transparent background).
        audio: Where the sound comes from, or None for a silent video.
        h264: libx264 preset and quality.
        colour: ffmpeg options labelling the output's colours (the input's, see
            :attr:`~bgremove_core.media.video.VideoInfo.colour_args`).
    """

    path: Path
    size: tuple[int, int]
    fps: float
    fmt: VideoOutput
    ffmpeg: str | None
    alpha: bool = False
    audio: AudioSpan | None = None
    h264: H264 = DEFAULT_H264
    colour: tuple[str, ...] = ()

    @property
    def matrix(self) -> str:
        """The colour matrix the file is labelled with (ffprobe's name), "" when unlabelled."""
        options = dict(zip(self.colour[::2], self.colour[1::2], strict=False))
        return options.get("-colorspace", "")

    @property
    def written_size(self) -> tuple[int, int]:
        """(width, height) of the frames in the file: H.264 and VP9 (4:2:0) need even sides, so
        an odd frame loses its last row or column; ProRes 4444 and OpenCV's encoder keep them."""
        width, height = self.size
        if self.ffmpeg is None or not self.fmt.even_sides(alpha=self.alpha):
            return width, height
        return width - width % 2, height - height % 2


def video_target(
    path: Path, size: tuple[int, int], fps: float, *, alpha: bool, ffmpeg: str | None, **rest: Any
) -> VideoTarget:
    """A :class:`VideoTarget`, or an OutputError before any work (bad suffix, alpha without ffmpeg).

    ``rest`` are :class:`VideoTarget`'s optional fields (audio, h264, colour).
    """
    fmt = video_output(path, alpha=alpha)
    if alpha and ffmpeg is None:
        raise OutputError(
            f"Writing the transparent video {str(path)!r} needs ffmpeg, which is not on PATH; install ffmpeg."
        )
    return VideoTarget(path, size, fps, fmt, ffmpeg, alpha, **rest)


@dataclass(frozen=True)
class VideoPlan:
    """A checked video job: the span of the input to read and the target to write."""

    source: VideoInfo
    first: int
    count: int
    target: VideoTarget


def plan_video(
    source: Path,
    output: Path,
    *,
    alpha: bool,
    reads: Iterable[Path] = (),
    start: float | None = None,
    end: float | None = None,
    h264: H264 = DEFAULT_H264,
    overwrite: bool = False,
) -> VideoPlan:
    """Check everything about turning ``source`` into ``output`` and return the plan.

    Args:
        source: The input video.
        output: Where to write; its suffix picks the container.
        alpha: Frames will be BGRA (transparent background).
        reads: Other files the run reads (background, model), which ``output`` must not replace.
        start: Seconds into the input to start at (None = the beginning).
        end: Seconds into the input to stop at (None = the end).
        h264: libx264 preset and quality.
        overwrite: Replace an existing output.

    Raises:
        MediaError: The input cannot be read as a video.
        OutputError: The output cannot be written.
        SettingsError: The span is empty or outside the video.
    """
    check_output(output, [source, *reads], overwrite=overwrite)
    video_output(output, alpha=alpha)  # a bad suffix is said before the input is probed
    info = probe_video(source)
    first, count = info.span(start, end)
    whole = start is None and end is None
    audio = AudioSpan(source, first / info.fps, count / info.fps, info.audio_codec, whole)
    target = video_target(
        output,
        (info.width, info.height),
        info.fps,
        alpha=alpha,
        ffmpeg=find_ffmpeg(),
        audio=audio,
        h264=h264,
        colour=info.colour_args,
    )
    return VideoPlan(info, first, count, target)


def run_video(
    plan: VideoPlan,
    stages: Processor,
    *,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
) -> JobStats:
    """Decode, process and encode ``plan`` pipelined; the output appears only when complete.

    Raises:
        Cancelled: ``cancel`` was set first (nothing is left behind).
        MediaError: The input gave no frame, or broke part-way.
        OutputError: The output cannot be encoded or written.
    """
    frames = read_frames(plan.source, plan.first, plan.count, plan.target.ffmpeg)
    return write_video(frames, stages, plan.target, expected=plan.count, cancel=cancel, progress=progress)


def write_video(
    frames: Iterable[np.ndarray],
    stages: Processor | None,
    target: VideoTarget,
    *,
    expected: int,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
    on_result: ResultHook | None = None,
) -> JobStats:
    """Process ``frames`` with ``stages`` (None = copy them unchanged) into ``target``, atomically.

    Raises:
        Cancelled: ``cancel`` was set first.
        MediaError: ``frames`` was empty.
        OutputError: The file cannot be encoded or written.
    """
    if stages is not None and stages.transparent != target.alpha:
        raise ValueError("The target's alpha must match the processor's look.")
    chain = core_chain(stages, on_result) if stages is not None else []
    written = 0
    started = time.perf_counter()
    with atomic_output(target.path) as temp:
        writer = _open_writer(temp, target)

        def encode(frame: np.ndarray) -> None:
            nonlocal written
            writer.write(frame)
            written += 1
            if progress is not None:
                progress(1)

        def close() -> None:
            if written == 0:
                raise MediaError(
                    f"No frame could be read for {str(target.path)!r}; the input may be truncated."
                )
            writer.close()

        try:
            profile = run_chain(frames, [*chain, Step("encode", encode, close)], cancel=cancel)
        except BaseException:
            writer.abort()
            raise
    return JobStats(written, expected, time.perf_counter() - started, target.written_size, profile)


def _open_writer(temp: Path, target: VideoTarget) -> VideoWriter:
    if target.ffmpeg is None:
        return OpenCvWriter(temp, target.path, target.fmt, target.size, target.fps)
    return FfmpegWriter(
        temp,
        target.path,
        target.fmt,
        target.size,
        target.fps,
        alpha=target.alpha,
        audio=target.audio,
        h264=target.h264,
        colour=target.colour,
        ffmpeg=target.ffmpeg,
    )


NO_FFMPEG = (
    "No ffmpeg was found (none on PATH, and the imageio-ffmpeg package is missing), so videos are "
    "encoded by OpenCV's own encoder (larger files) and without sound; reinstall bgremove's "
    "requirements or install ffmpeg for H.264 video that keeps the input's audio."
)
"""The warning a command prints once when it will write video without ffmpeg."""
