"""Frames in, processed video file out: the loop behind ``bgremove process`` and ``bgremove demo``.

Decoding (ffmpeg or a reader thread), the model (this thread) and encoding (a writer thread
feeding ffmpeg) overlap, and the file appears at its final name only once it is complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MediaError, OutputError
from ..media.atomic import atomic_output
from ..media.ffmpeg import find_ffmpeg
from ..media.formats import DEFAULT_PRESET, VideoOutput, video_output
from ..media.threads import BackgroundWriter, Prefetcher
from ..media.writer import AudioSpan, FfmpegWriter, OpenCvWriter, VideoWriter
from ..pipeline import Processor, Result
from ..settings import Background
from .console import progress, warn

FrameHook = Callable[[int, Result], None]


@dataclass(frozen=True)
class RenderStats:
    """How a render went: frames written and the wall-clock time it took, decode to final rename."""

    frames: int
    seconds: float

    @property
    def fps(self) -> float:
        """Frames per second over the whole run."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class VideoTarget:
    """Where and how a video is written.

    Attributes:
        path: The final output file.
        size: (width, height) of the frames.
        fps: Frame rate.
        audio: Where the sound comes from, or None for a silent video.
        preset: libx264 speed preset.
    """

    path: Path
    size: tuple[int, int]
    fps: float
    audio: AudioSpan | None = None
    preset: str = DEFAULT_PRESET


def check_video_target(path: Path, *, alpha: bool) -> VideoOutput:
    """The output's encoding, or an OutputError before any work (bad suffix, alpha without ffmpeg)."""
    fmt = video_output(path, alpha=alpha)
    if alpha and find_ffmpeg() is None:
        raise OutputError(
            f"Writing the transparent video {str(path)!r} needs ffmpeg, which is not on PATH; install ffmpeg."
        )
    return fmt


def _open_writer(temp: Path, target: VideoTarget, *, alpha: bool) -> VideoWriter:
    fmt = check_video_target(target.path, alpha=alpha)
    ffmpeg = find_ffmpeg()
    if ffmpeg is not None:
        return FfmpegWriter(
            temp,
            target.path,
            fmt,
            target.size,
            target.fps,
            alpha=alpha,
            audio=target.audio,
            preset=target.preset,
            ffmpeg=ffmpeg,
        )
    warn(
        f"ffmpeg is not on PATH, so {str(target.path)!r} is encoded by OpenCV's own encoder (larger "
        "files) and without sound; install ffmpeg for H.264 video that keeps the input's audio."
    )
    return OpenCvWriter(temp, target.path, fmt, target.size, target.fps)


def render_video(
    frames: Iterable[np.ndarray],
    processor: Processor | None,
    target: VideoTarget,
    *,
    total: int | None,
    quiet: bool,
    on_frame: FrameHook | None = None,
) -> RenderStats:
    """Process every frame and write the results to ``target``, atomically.

    Args:
        frames: Source frames, in order (read on a helper thread).
        processor: Does the work; its settings decide alpha (transparent background) or not.
            None writes the frames unchanged (e.g. a generated input clip).
        target: The output file and its parameters.
        total: Expected frame count, for the progress bar.
        quiet: No progress bar.
        on_frame: Called with (index, result) for every processed frame, e.g. to keep a few for a sheet.

    Raises:
        MediaError: The source gave no frame at all.
        OutputError: The file cannot be encoded or written.
    """
    alpha = processor is not None and processor.settings.background == Background.TRANSPARENT
    started = time.perf_counter()
    count = 0
    with atomic_output(target.path) as temp:
        writer = BackgroundWriter(_open_writer(temp, target, alpha=alpha))
        try:
            with Prefetcher(frames) as source, progress(total, target.path.name, quiet=quiet) as bar:
                for frame in source:
                    if processor is None:
                        writer.write(frame)
                    else:
                        result = processor.process(frame)
                        writer.write(result.output)
                        if on_frame is not None:
                            on_frame(count, result)
                    count += 1
                    bar.update()
            if count == 0:
                raise MediaError(
                    f"No frame could be read for {str(target.path)!r}; the input may be truncated."
                )
            writer.close()
        except BaseException:
            writer.abort()
            raise
    return RenderStats(count, time.perf_counter() - started)
