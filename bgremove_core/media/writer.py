"""Encoding frames into a video file, with alpha when asked and with the input's sound.

With ffmpeg the raw frames are piped into one ffmpeg process that also reads the sound track
straight from the input file, trimmed to the same span, so muxing needs no second pass and no
intermediate file. The sound of a whole file is copied as it is when the container takes its
codec (what ``ffmpeg -c:a copy`` does); only a part of a file, or a codec the container refuses,
is re-encoded. Without ffmpeg, OpenCV's own encoder writes a silent video; the caller warns.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from ..errors import OutputError
from .atomic import write_error
from .ffmpeg import OUTPUT_FAILURES, FfmpegProcess
from .formats import H264, VideoOutput

FRAME_COUNT_SLACK = 1
"""Frames a container may under-count: WebM declares a duration, and OpenCV rounds it to frames."""


@dataclass(frozen=True)
class AudioSpan:
    """The part of a file whose sound track goes with the video being written.

    Attributes:
        path: The file to take sound from (its first audio stream, if it has one).
        start: Offset in seconds of the first written frame.
        duration: Length in seconds of the written video.
        codec: The sound track's codec as ffmpeg names it, or None when not known.
        whole: The span is the whole file, so the track can be copied untrimmed.
    """

    path: Path
    start: float
    duration: float
    codec: str | None = None
    whole: bool = False

    def args(self, fmt: VideoOutput) -> list[str]:
        """ffmpeg arguments adding this sound (input 1) to the video (input 0) in ``fmt``'s container."""
        if self.whole and self.codec in fmt.audio_copy:
            source, codec = ["-i", str(self.path)], ["-c:a", "copy"]
        else:
            source = ["-ss", f"{self.start:.6f}", "-t", f"{self.duration:.6f}", "-i", str(self.path)]
            codec = list(fmt.audio)
        return [*source, "-map", "0:v:0", "-map", "1:a:0?", *codec, "-shortest"]


class VideoWriter(Protocol):
    """Where processed frames go, in order; :meth:`close` finalises the file."""

    def write(self, frame: np.ndarray) -> None:
        """Append one BGR (or BGRA, when writing alpha) uint8 frame."""
        ...

    def close(self) -> None:
        """Finish the file; raises OutputError if it could not be completed."""
        ...

    def abort(self) -> None:
        """Stop without finishing (the caller discards the file); safe after close."""
        ...


class FfmpegWriter:
    """Pipes raw frames into ffmpeg, which encodes them and muxes the sound.

    Args:
        path: The file to write (its suffix chooses the container; the caller made it temporary).
        output: The file the user asked for, named in error messages.
        fmt: The container's encoding (from :func:`~.formats.video_output`).
        size: (width, height) of every frame.
        fps: Frame rate of the output.
        alpha: Frames are BGRA and the alpha channel is kept.
        audio: Where the sound comes from, or None for a silent video.
        h264: libx264 preset and quality, for containers encoded with H.264.
        colour: Options labelling an opaque picture's colours. Frames with alpha are turned into
            YUV by ffmpeg itself, with its own matrix, so they are not labelled.
        ffmpeg: The ffmpeg binary.
    """

    def __init__(
        self,
        path: Path,
        output: Path,
        fmt: VideoOutput,
        size: tuple[int, int],
        fps: float,
        *,
        alpha: bool,
        audio: AudioSpan | None,
        h264: H264,
        colour: tuple[str, ...] = (),
        ffmpeg: str,
    ) -> None:
        self._output = output
        self._alpha = alpha
        width, height = size
        if not alpha:  # I420 needs even sizes: an odd frame loses its last row or column
            width, height = width - width % 2, height - height % 2
        self._size = width, height
        codec = fmt.alpha if alpha else fmt.video
        assert codec is not None, "video_output() refuses alpha for containers without it"
        args = [
            *("-f", "rawvideo", "-pix_fmt", "bgra" if alpha else "yuv420p"),
            *("-s", f"{width}x{height}", "-r", f"{fps:.6f}", "-i", "-"),
        ]
        if audio is not None:
            args += audio.args(fmt)
        args += [*codec, *(h264.args() if fmt.uses_x264 and not alpha else ()), *fmt.extra]
        args += () if alpha else colour
        args += ["-y", str(path)]
        self._process = FfmpegProcess(args, ffmpeg, stdin=True)

    def write(self, frame: np.ndarray) -> None:
        stdin = self._process.proc.stdin
        assert stdin is not None
        if not self._alpha:
            width, height = self._size
            frame = cv2.cvtColor(frame[:height, :width], cv2.COLOR_BGR2YUV_I420)
        try:
            stdin.write(np.ascontiguousarray(frame).data.cast("B"))
        except (BrokenPipeError, OSError) as exc:
            raise self._failure(self._process.finish() or str(exc)) from exc

    def close(self) -> None:
        error = self._process.finish(fatal=OUTPUT_FAILURES)
        if error is not None:
            raise self._failure(error)

    def abort(self) -> None:
        self._process.kill()

    def _failure(self, error: str) -> OutputError:
        return write_error(self._output, error, writer="ffmpeg")


class OpenCvWriter:
    """OpenCV's built-in encoder: no sound, no alpha, larger files; used when ffmpeg is missing.

    OpenCV reports no write error (on a full disk it logs a warning and still returns True), so
    :meth:`close` reopens the file and checks that every frame is in it.

    Args:
        path: The (temporary) file to write.
        output: The file the user asked for, named in error messages.
        fmt: The container's encoding.
        size: (width, height) of every frame.
        fps: Frame rate of the output.
    """

    def __init__(self, path: Path, output: Path, fmt: VideoOutput, size: tuple[int, int], fps: float) -> None:
        self._path = path
        self._output = output
        self._written = 0
        self._writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fmt.fourcc), fps, size)
        if not self._writer.isOpened():
            raise OutputError(
                f"OpenCV cannot encode {str(output)!r} ({fmt.fourcc}); install ffmpeg or write an .mp4."
            )

    def write(self, frame: np.ndarray) -> None:
        self._writer.write(frame)
        self._written += 1

    def close(self) -> None:
        self._writer.release()
        if self._frames_in_file() < self._written - FRAME_COUNT_SLACK:
            raise write_error(self._output, self._why_incomplete(), writer="OpenCV")

    def _why_incomplete(self) -> str:
        """OpenCV does not say why; a full disk or a file at the size limit (``ulimit -f``) does."""
        if shutil.disk_usage(self._path.parent).free == 0:
            return os.strerror(errno.ENOSPC)
        if sys.platform != "win32":
            import resource

            limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
            if limit != resource.RLIM_INFINITY and self._path.exists() and self._path.stat().st_size >= limit:
                return os.strerror(errno.EFBIG)
        return "the file is incomplete"

    def _frames_in_file(self) -> int:
        capture = cv2.VideoCapture(str(self._path))
        try:
            return int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
        finally:
            capture.release()

    def abort(self) -> None:
        self._writer.release()
