"""Decoding video files into BGR frames, a chosen span of them, at a constant frame rate.

The file is opened with OpenCV first, for everyone: it validates the input (a missing, empty or
corrupt file fails here with a sentence, before any output exists) and tells its size, rate and
length. Frames are then decoded by an ffmpeg child process when ffmpeg is installed, because
that is faster (~100 vs ~80 frames/s at 1080p here) and runs on another core outside the GIL,
and by OpenCV otherwise.

ffmpeg pipes the decoder's own 4:2:0 picture (1.5 bytes a pixel, no conversion in the child)
and OpenCV turns it into BGR (~0.5 ms a 720p frame): against ffmpeg's own BGR output that
halves the bytes through the pipe and saves the child's colour conversion (CHANGELOG.md,
"File jobs"). OpenCV reads 4:2:0 as limited-range BT.601, so a full-range input is brought to
limited range in the child first; a BT.709 input is read with BT.601 (greens ~5 levels off in
BGR) but its Y, U and V go through to the encoder, which converts back with BT.601, unchanged.
The output is then labelled with the input's colour description (:attr:`VideoInfo.colour_args`),
so players show the output's kept pixels as they show the input's, even when the input's label
is not what they would guess from its size (a BT.709 SD clip, a BT.601 HD one).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..errors import MediaError, SettingsError
from .ffmpeg import FfmpegProcess, probe_streams, stream_kinds
from .files import check_input_file

FALLBACK_FPS = 25.0
"""Frame rate assumed when a file does not declare a usable one (some GIFs and raw streams)."""

IMAGE_AND_VIDEO_SUFFIXES = frozenset({".gif"})
"""Video suffixes whose files are also images to OpenCV: an animated GIF is read as a video."""


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, as far as decoding it is concerned.

    Attributes:
        path: The file.
        width: Frame width in pixels (after the file's rotation is applied).
        height: Frame height in pixels.
        fps: Frames per second; output is written at this rate.
        frame_count: Number of frames as the container declares it (may be an estimate).
        limited_range: The picture is known to be limited range (ffprobe says ``tv``), so its
            4:2:0 planes need no range conversion before OpenCV reads them.
        audio_codec: The first sound track's codec as ffmpeg names it (``aac``...), or None when
            there is none or it is not known.
        colour_args: ffmpeg output options that label a picture with this file's colour matrix,
            primaries and transfer (those ffprobe names) and limited range, the frames' range
            after decoding; empty when the file names no Y'CbCr matrix.
    """

    path: Path
    width: int
    height: int
    fps: float
    frame_count: int
    limited_range: bool = False
    audio_codec: str | None = None
    colour_args: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frame_count / self.fps

    def span(self, start: float | None, end: float | None) -> tuple[int, int]:
        """The (first frame, frame count) between ``start`` and ``end`` seconds, validated.

        Raises:
            SettingsError: The span is empty, reversed or starts after the end of the video.
        """
        begin = 0.0 if start is None else start
        stop = self.duration if end is None else min(end, self.duration)
        if math.isnan(begin) or math.isnan(stop) or begin < 0 or (end is not None and end <= 0):
            raise SettingsError("--start and --end must be positive numbers of seconds.")
        if begin >= self.duration:
            raise SettingsError(
                f"--start {begin:g} s is not before the end of {str(self.path)!r} "
                f"({self.duration:.2f} s long)."
            )
        if stop <= begin:
            raise SettingsError(f"--end {stop:g} s must be after --start {begin:g} s.")
        first = round(begin * self.fps)
        return first, max(1, round(stop * self.fps) - first)


def probe_video(path: Path) -> VideoInfo:
    """Open ``path`` and decode its first frame, or raise a MediaError saying why it cannot be used.

    A still image renamed to a video suffix is refused: OpenCV would read it as a one-frame
    video and the user would get a video of one frame where they expected their picture.
    """
    check_input_file(path)
    if path.suffix.lower() not in IMAGE_AND_VIDEO_SUFFIXES and cv2.haveImageReader(str(path)):
        raise MediaError(
            f"The input {str(path)!r} is a still image, not a video, despite its {path.suffix} name; "
            "give it its image suffix (e.g. .jpg) to process it as an image."
        )
    capture = cv2.VideoCapture(str(path))
    try:
        ok, frame = capture.read() if capture.isOpened() else (False, None)
        if not ok or frame is None:
            raise _undecodable(path)
        fps = capture.get(cv2.CAP_PROP_FPS)
        count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
    finally:
        capture.release()
    if not math.isfinite(fps) or not 1 <= fps <= 1000:
        fps = FALLBACK_FPS
    frames = int(count) if math.isfinite(count) and count >= 1 else 1
    height, width = frame.shape[:2]
    streams = probe_streams(path) or []
    video = next((s for s in streams if s.get("codec_type") == "video"), {})
    audio = next((s for s in streams if s.get("codec_type") == "audio"), {})
    limited = video.get("color_range") == "tv" and not video.get("pix_fmt", "").startswith("yuvj")
    colour = _colour_args(video)
    return VideoInfo(path, width, height, fps, frames, limited, audio.get("codec_name"), colour)


_COLOUR_OPTIONS = (
    ("color_space", "-colorspace"),
    ("color_primaries", "-color_primaries"),
    ("color_transfer", "-color_trc"),
)
"""ffprobe's name of each colour label and the ffmpeg output option that sets it."""


_YCBCR_MATRICES = frozenset({"bt709", "bt470bg", "smpte170m", "bt2020nc", "smpte240m", "fcc"})
"""Matrices whose Y, U and V reach the encoder unchanged (see the module docstring). Pictures coded
otherwise (RGB as ``gbr``, YCgCo) are converted by ffmpeg's default matrix on the way in, so their
label would be wrong on the output: they stay unlabelled."""


def _colour_args(video: dict[str, str]) -> tuple[str, ...]:
    """The output options that repeat ``video``'s colour labels (see :attr:`VideoInfo.colour_args`)."""
    if video.get("color_space") not in _YCBCR_MATRICES:
        return ()
    args = ["-color_range", "tv"]
    for field, option in _COLOUR_OPTIONS:
        value = video.get(field)
        if value not in (None, "unknown", "reserved"):
            args += [option, value]
    return tuple(args)


def _undecodable(path: Path) -> MediaError:
    """Why ``path`` gave no frame: no picture in it at all (only sound, say) or a broken one."""
    kinds = stream_kinds(path)
    if kinds is not None and "video" not in kinds:
        held = f"only {' and '.join(sorted(set(kinds)))}" if kinds else "no streams at all"
        return MediaError(f"The input {str(path)!r} has no video stream ({held}); give a video or an image.")
    return MediaError(f"The input {str(path)!r} could not be decoded as a video (corrupt or unsupported).")


def read_frames(info: VideoInfo, first: int, count: int, ffmpeg: str | None) -> Iterator[np.ndarray]:
    """Yield up to ``count`` BGR frames starting at frame ``first`` (fewer if the file ends early).

    Raises:
        MediaError: The file turns out to be corrupt part-way through.
    """
    if ffmpeg is None:
        return _read_opencv(info, first, count)
    return _read_ffmpeg(info, first, count, ffmpeg)


def _read_opencv(info: VideoInfo, first: int, count: int) -> Iterator[np.ndarray]:
    capture = cv2.VideoCapture(str(info.path))
    try:
        if first:
            capture.set(cv2.CAP_PROP_POS_FRAMES, first)
        for _ in range(count):
            ok, frame = capture.read()
            if not ok:
                return
            yield frame
    finally:
        capture.release()


def _read_ffmpeg(info: VideoInfo, first: int, count: int, ffmpeg: str) -> Iterator[np.ndarray]:
    i420 = info.width % 2 == 0 and info.height % 2 == 0  # OpenCV's 4:2:0 needs even sizes
    scale = f"scale={info.width}:{info.height}" + ("" if info.limited_range or not i420 else ":out_range=tv")
    if not i420:  # as OpenCV reads 4:2:0 (see the module docstring), whatever the file's label says
        scale += ":in_color_matrix=bt601"
    args = [
        *("-ss", f"{first / info.fps:.6f}", "-i", str(info.path)),
        *("-map", "0:v:0", "-r", f"{info.fps:.6f}", "-frames:v", str(count), "-vf", scale),
        *("-f", "rawvideo", "-pix_fmt", "yuv420p" if i420 else "bgr24", "-"),
    ]
    process = FfmpegProcess(args, ffmpeg, stdout=True)
    stdout = process.proc.stdout
    assert isinstance(stdout, io.BufferedReader)  # what Popen's default buffering makes
    shape = (info.height * 3 // 2, info.width) if i420 else (info.height, info.width, 3)
    raw = np.empty(shape, np.uint8)  # one 4:2:0 buffer for the whole file; BGR frames are new each
    finished = False
    try:
        for _ in range(count):
            if stdout.readinto(raw.data.cast("B")) != raw.nbytes:
                break
            if i420:
                yield cv2.cvtColor(raw, cv2.COLOR_YUV2BGR_I420)
            else:
                yield raw
                raw = np.empty(shape, np.uint8)
        finished = True
    finally:
        if not finished:
            process.kill()
    error = process.finish()
    if error is not None:
        raise MediaError(f"ffmpeg could not decode {str(info.path)!r} ({error}).")


def read_frame_at(info: VideoInfo, seconds: float, ffmpeg: str | None) -> np.ndarray:
    """The frame shown at ``seconds`` into the video.

    Raises:
        SettingsError: ``seconds`` lies outside the video.
    """
    if not 0 <= seconds < info.duration:
        raise SettingsError(
            f"--at {seconds:g} s is outside {str(info.path)!r}, which is {info.duration:.2f} s long."
        )
    first = min(int(seconds * info.fps), info.frame_count - 1)
    for frame in read_frames(info, first, 1, ffmpeg):
        return frame
    raise MediaError(
        f"The input {str(info.path)!r} has no frame at {seconds:g} s (the file may be truncated)."
    )
