"""Source material in the formats webcams, capture cards and media files really hand OBS.

Each :class:`Material` is one real lucia frame at 720p (the size streamers use), encoded by
ffmpeg the way that kind of source delivers it: lossy H.264 with or without a colour description,
full range as phones, OBS recordings and ffmpeg 7 make it, MJPEG 4:2:2 full range as from a USB
webcam, raw NV12 / YUY2 / UYVY as from a webcam or capture card, 4:4:4 and 10-bit H.264, RGB.
The frame is repeated, so every screenshot shows the same picture and its hand-drawn mask is
known, while OBS's ``ffmpeg_source`` decodes and hands over frames exactly as for any clip of
that kind. ``obs_format`` is the ``enum video_format`` OBS must hand the filter for it (the
tests check it on the frames the worker receives, so a case never silently tests another
format), and ``full_range`` its range.

The colour description is always given explicitly (or explicitly left out): ffmpeg 5.1 and 7.1
tag a clip made from JPEGs differently (7.1 keeps the JPEG's full range), and the tests run with
the ffmpeg of each OBS root.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from bgremove_obs.wire import formats

from .images import STILL_FRAME, hand_mask, still_frame_path

WIDTH, HEIGHT = 1280, 720
FPS = 10
SECONDS = 1

_BT601 = ("-colorspace", "smpte170m", "-color_primaries", "smpte170m", "-color_trc", "smpte170m")
_BT709 = ("-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709")


@dataclass(frozen=True)
class Material:
    """One kind of source material.

    Attributes:
        name: Test id.
        what: Where streamers get such frames (for reports).
        suffix: Container file extension.
        codec: ffmpeg output arguments (codec, pixel format, colour description).
        scale: Extra options of the ``scale`` filter (the matrix and range of the pixels).
        obs_format: The ``VIDEO_FORMAT_*`` OBS hands the filter for it.
        full_range: Whether OBS takes it as full range.
        probe: Stream fields ffprobe must report (the material is what it claims to be).
        image: An ``image_source`` (a picture file) instead of a clip.
    """

    name: str
    what: str
    suffix: str = ".mp4"
    codec: tuple[str, ...] = ()
    scale: str = ""
    obs_format: int = formats.VIDEO_FORMAT_I420
    full_range: bool = False
    probe: tuple[tuple[str, str], ...] = ()
    image: bool = False


def _h264(pix_fmt: str = "yuv420p", crf: int = 18) -> tuple[str, ...]:
    return ("-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf), "-pix_fmt", pix_fmt)


def _raw(pix_fmt: str) -> tuple[str, ...]:
    return ("-c:v", "rawvideo", "-pix_fmt", pix_fmt)


MATERIALS = (
    Material(
        "h264-bt601-limited",
        "camera/phone clip, BT.601 tagged (ffmpeg 5 from JPEGs)",
        codec=(*_h264(), "-color_range", "tv", *_BT601),
        scale="out_color_matrix=bt601:out_range=tv",
        probe=(("color_range", "tv"), ("color_space", "smpte170m")),
    ),
    Material(
        "h264-bt709-limited",
        "HD camera or screen recording, BT.709 tagged",
        codec=(*_h264(), "-color_range", "tv", *_BT709),
        scale="out_color_matrix=bt709:out_range=tv",
        probe=(("color_range", "tv"), ("color_space", "bt709")),
    ),
    Material(
        "h264-untagged",
        "clip without a colour description",
        codec=_h264(),
        probe=(("color_space", "unknown"),),
    ),
    Material(
        "h264-full-range",
        "phone clip, OBS recording, ffmpeg 7 from JPEGs: full range (yuvj420p)",
        codec=(*_h264(), "-color_range", "pc", *_BT601),
        scale="out_color_matrix=bt601:out_range=pc",
        full_range=True,
        probe=(("color_range", "pc"),),
    ),
    Material(
        "mjpeg-422-full-range",
        "USB webcam in MJPEG mode (yuvj422p)",
        suffix=".mkv",
        codec=("-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj422p", "-color_range", "pc"),
        scale="out_color_matrix=bt601:out_range=pc",
        obs_format=formats.VIDEO_FORMAT_I422,
        full_range=True,
        probe=(("pix_fmt", "yuvj422p"),),
    ),
    Material(
        "raw-nv12",
        "capture card / webcam raw NV12",
        suffix=".nut",
        codec=_raw("nv12"),
        obs_format=formats.VIDEO_FORMAT_NV12,
        probe=(("pix_fmt", "nv12"),),
    ),
    Material(
        "raw-yuy2",
        "raw webcam YUYV 4:2:2",
        suffix=".nut",
        codec=_raw("yuyv422"),
        obs_format=formats.VIDEO_FORMAT_YUY2,
        probe=(("pix_fmt", "yuyv422"),),
    ),
    Material(
        "raw-uyvy",
        "capture card UYVY 4:2:2",
        suffix=".nut",
        codec=_raw("uyvy422"),
        obs_format=formats.VIDEO_FORMAT_UYVY,
        probe=(("pix_fmt", "uyvy422"),),
    ),
    Material(
        "h264-444",
        "4:4:4 H.264 (screen capture, lossless-ish recordings)",
        codec=(*_h264("yuv444p"), "-color_range", "tv", *_BT709),
        scale="out_color_matrix=bt709:out_range=tv",
        obs_format=formats.VIDEO_FORMAT_I444,
        probe=(("pix_fmt", "yuv444p"),),
    ),
    Material(
        "raw-bgra",
        "RGB source, BGRA",
        suffix=".nut",
        codec=_raw("bgra"),
        obs_format=formats.VIDEO_FORMAT_BGRA,
        probe=(("pix_fmt", "bgra"),),
    ),
    Material(
        "png-rgba",
        "RGBA clip (PNG codec, as overlays and some screen recorders write)",
        suffix=".mkv",
        codec=("-c:v", "png", "-pix_fmt", "rgba"),
        obs_format=formats.VIDEO_FORMAT_RGBA,
        probe=(("pix_fmt", "rgba"),),
    ),
    Material(
        "h264-10bit",
        "10-bit H.264 (cameras, HDR-capable phones in SDR mode), BT.709",
        codec=(*_h264("yuv420p10le"), "-color_range", "tv", *_BT709),
        scale="out_color_matrix=bt709:out_range=tv",
        obs_format=formats.VIDEO_FORMAT_I010,
        probe=(("pix_fmt", "yuv420p10le"),),
    ),
    Material("image-source", "picture in an image_source (GPU read-back)", suffix=".png", image=True),
)


def frame_720p() -> np.ndarray:
    """The still lucia frame as BGR at 720p (the frames are 854x480)."""
    frame = cv2.imread(str(still_frame_path()))
    if frame is None:
        raise FileNotFoundError(f"Lucia frame {STILL_FRAME} not found at {still_frame_path()}.")
    return cv2.resize(frame, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)


def hand_mask_720p() -> np.ndarray:
    """The frame's hand-drawn mask at 720p (True = person)."""
    mask = hand_mask().astype(np.uint8)
    return cv2.resize(mask, (WIDTH, HEIGHT), interpolation=cv2.INTER_NEAREST).astype(bool)


def make(material: Material, directory: Path) -> Path:
    """Encode ``material`` into ``directory`` and check with ffprobe that it is what it claims."""
    target = directory / f"{material.name}{material.suffix}"
    frame = frame_720p()
    if material.image:
        cv2.imwrite(str(target), frame)
        return target
    scale = f"scale={material.scale}" if material.scale else "scale"
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "bgr24",
         "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-", "-vf", scale,
         *material.codec, "-an", str(target)],
        input=frame.tobytes() * (SECONDS * FPS),
        check=True,
    )  # fmt: skip
    found = _probe(target)
    wrong = {
        key: found.get(key, "unknown") for key, value in material.probe if found.get(key, "unknown") != value
    }
    if wrong:
        raise AssertionError(f"ffmpeg made {target.name} with {wrong}, not {dict(material.probe)}")
    return target


def _probe(path: Path) -> dict[str, str]:
    fields = "pix_fmt,color_range,color_space,color_transfer,color_primaries"
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", f"stream={fields}",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return {key: str(value) for key, value in json.loads(output)["streams"][0].items()}
