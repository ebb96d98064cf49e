"""Which file suffixes bgremove reads and writes, and how each output container is encoded.

The encoder choices live in one table (:data:`VIDEO_OUTPUTS`) so that adding a container is one
row, and so the CLI can refuse an impossible request (alpha in an MP4) before any work is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import MediaError, OutputError, SettingsError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
ALPHA_IMAGE_SUFFIXES = frozenset({".png", ".webp", ".tif", ".tiff"})
VIDEO_INPUT_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".gif", ".mpg", ".mpeg", ".wmv", ".flv", ".ts"}
)

X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")
"""Encoder speed/size trade-offs offered on the CLI (libx264's names, fastest first)."""

DEFAULT_PRESET = "superfast"
"""libx264 preset. Measured on 1080p, 2 cores, whole ``process`` run: veryfast 23 frames/s,
superfast 33, ultrafast 38; at CRF 18 the picture looks the same and superfast's file is about
twice veryfast's. Encoding is the costliest stage, so this is what makes 1080p reach 30 frames/s."""

CRF_RANGE = (0, 51)
"""libx264's constant rate factor scale: 0 is lossless, 51 the smallest file."""

DEFAULT_CRF = 18
"""Output quality. 18 looks like the input even after a second encode (an upload platform's):
background removal is usually one step before editing or uploading. x264's own default, 23, gives
about half the file and costs 9 % (720p) to 18 % (1080p) less encoder CPU, for a softer picture."""


@dataclass(frozen=True)
class H264:
    """How H.264 outputs are encoded: libx264's speed preset and quality (CRF).

    Raises:
        SettingsError: ``preset`` is not one of :data:`X264_PRESETS` or ``crf`` is outside
            :data:`CRF_RANGE`.
    """

    preset: str = DEFAULT_PRESET
    crf: int = DEFAULT_CRF

    def __post_init__(self) -> None:
        if self.preset not in X264_PRESETS:
            choices = ", ".join(X264_PRESETS)
            raise SettingsError(f"The H.264 preset must be one of {choices}, not {self.preset!r}.")
        low, high = CRF_RANGE
        if not low <= self.crf <= high:
            raise SettingsError(f"The H.264 quality (CRF) must be {low} to {high}, not {self.crf}.")

    def args(self) -> tuple[str, ...]:
        """ffmpeg options after ``-c:v libx264``."""
        return ("-preset", self.preset, "-crf", str(self.crf))


DEFAULT_H264 = H264()


_X264 = ("-c:v", "libx264")
_VP9_RATE = ("-c:v", "libvpx-vp9", "-crf", "30", "-b:v", "0", "-row-mt", "1")
_VP9 = (*_VP9_RATE, "-deadline", "realtime", "-cpu-used", "8")
"""VP9 at its fastest setting: its default speed is about one 1080p frame per second."""
_FASTSTART = ("-movflags", "+faststart")
_AAC = ("-c:a", "aac", "-b:a", "192k")
_MP4_SOUND = frozenset({"aac", "mp3", "alac", "ac3", "eac3"})
"""Sound codecs the MP4 muxer of ffmpeg 4.x to 7.x takes as they are (FLAC and Opus need newer)."""
_MKV_SOUND = _MP4_SOUND | frozenset({"opus", "vorbis", "flac", "dts", "pcm_s16le", "pcm_s24le"})
_WEBM_SOUND = frozenset({"opus", "vorbis"})


@dataclass(frozen=True)
class VideoOutput:
    """How one output container is encoded.

    Opaque video is always encoded as 4:2:0 (what every player expects), so the writer hands
    ffmpeg frames already converted to I420 by OpenCV: that costs ~1 ms per 1080p frame against
    ~6 ms for ffmpeg's own conversion, halves the bytes through the pipe, and is more accurate.

    Attributes:
        video: ffmpeg video codec arguments for an opaque picture (fed as yuv420p).
        alpha: ffmpeg video codec arguments that keep an alpha channel, or None if the
            container has no codec for it that players understand.
        audio: ffmpeg audio codec arguments for the input's sound track, when it is re-encoded.
        audio_copy: Sound codecs (ffmpeg's names) the container takes as they are: a whole
            file's track in one of them is copied, not re-encoded, which costs no CPU and no
            quality.
        extra: Container options (e.g. moving the MP4 index to the front for streaming).
        fourcc: The OpenCV VideoWriter codec used when ffmpeg is not installed.
        uses_x264: Whether :class:`H264` options (``--preset``, ``--crf``) apply.
    """

    video: tuple[str, ...]
    alpha: tuple[str, ...] | None
    audio: tuple[str, ...]
    audio_copy: frozenset[str]
    extra: tuple[str, ...]
    fourcc: str
    uses_x264: bool

    def even_sides(self, *, alpha: bool) -> bool:
        """Whether ffmpeg writes this encoding with even sides only (4:2:0 chroma): an odd frame
        loses its last row or column."""
        return not alpha or any("420" in arg for arg in self.alpha or ())


VIDEO_OUTPUTS: dict[str, VideoOutput] = {
    ".mp4": VideoOutput(_X264, None, _AAC, _MP4_SOUND, _FASTSTART, "mp4v", True),
    ".m4v": VideoOutput(_X264, None, _AAC, _MP4_SOUND, _FASTSTART, "mp4v", True),
    ".mkv": VideoOutput(_X264, None, _AAC, _MKV_SOUND, (), "mp4v", True),
    ".mov": VideoOutput(
        _X264,
        ("-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le"),
        _AAC,
        _MP4_SOUND | frozenset({"pcm_s16le", "pcm_s24le"}),
        _FASTSTART,
        "mp4v",
        True,
    ),
    ".webm": VideoOutput(
        _VP9,
        (*_VP9, "-pix_fmt", "yuva420p", "-vf", "crop=trunc(iw/2)*2:trunc(ih/2)*2"),
        ("-c:a", "libopus", "-b:a", "128k"),
        _WEBM_SOUND,
        (),
        "VP80",
        False,
    ),
}

Kind = Literal["image", "video"]


def input_kind(path: Path) -> Kind:
    """Whether ``path`` is read as a still image or a video, judged by its suffix."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_INPUT_SUFFIXES:
        return "video"
    raise MediaError(
        f"The input {str(path)!r} has an unsupported file type {suffix or '(no suffix)'!r}; use an image "
        f"({', '.join(sorted(IMAGE_SUFFIXES))}) or a video ({', '.join(sorted(VIDEO_INPUT_SUFFIXES))})."
    )


def video_output(path: Path, *, alpha: bool) -> VideoOutput:
    """The encoding for a video written to ``path``, or an OutputError saying what to use instead."""
    suffix = path.suffix.lower()
    fmt = VIDEO_OUTPUTS.get(suffix)
    if fmt is None:
        raise OutputError(
            f"The output {str(path)!r} has an unsupported video type {suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(VIDEO_OUTPUTS)}."
        )
    if alpha and fmt.alpha is None:
        raise OutputError(
            f"The output {str(path)!r} cannot keep transparency: {suffix} has no alpha channel. "
            "Write a .webm (VP9 with alpha) or a .mov (ProRes 4444) instead."
        )
    return fmt


def check_image_output(path: Path, *, alpha: bool) -> None:
    """Raise an OutputError if ``path`` is not an image type we can write (with alpha if needed)."""
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise OutputError(
            f"The output {str(path)!r} must be an image for an image input; use one of "
            f"{', '.join(sorted(IMAGE_SUFFIXES))}."
        )
    if alpha and suffix not in ALPHA_IMAGE_SUFFIXES:
        raise OutputError(
            f"The output {str(path)!r} cannot keep transparency: {suffix} has no alpha channel. "
            "Write a .png instead."
        )


TRANSPARENT_VIDEO_SUFFIX = ".webm"
"""Where a batch writes a transparent video whose own container has no alpha: VP9 with alpha plays
in browsers and editors and is ~20x smaller than ProRes 4444 (.mov)."""


def output_suffix(source: Path, *, alpha: bool) -> str:
    """The suffix an output made from ``source`` gets when the user does not name it (``batch``).

    The input's own type where it can hold the result, else PNG for images and
    :data:`TRANSPARENT_VIDEO_SUFFIX` or MP4 for videos.

    Raises:
        MediaError: ``source`` is neither an image nor a video by its suffix.
    """
    suffix = source.suffix.lower()
    if input_kind(source) == "image":
        return suffix if not alpha or suffix in ALPHA_IMAGE_SUFFIXES else ".png"
    fmt = VIDEO_OUTPUTS.get(suffix)
    if alpha:
        return suffix if fmt is not None and fmt.alpha is not None else TRANSPARENT_VIDEO_SUFFIX
    return suffix if fmt is not None else ".mp4"
