"""One frame of a video or an image: what a preview shows before a whole file is processed.

Shared by ``bgremove preview`` and ``bgremove studio``'s live preview, so both refuse the same
files and times with the same sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import SettingsError
from .ffmpeg import find_ffmpeg
from .files import check_input_file
from .formats import input_kind
from .images import read_image
from .video import VideoInfo, probe_video, read_frame_at

Probe = Callable[[Path], VideoInfo]


def read_one_frame(path: Path, at: float | None, probe: Probe = probe_video) -> np.ndarray:
    """The BGR frame of ``path`` at ``at`` seconds (a video; None = its first frame) or the image.

    ``probe`` reads what the video holds; a caller that shows many frames of one file (the
    studio's slider) passes one that remembers, since ffprobe takes as long as decoding a frame.

    Raises:
        MediaError: The file is missing, of an unsupported kind, or cannot be decoded.
        SettingsError: ``at`` is given for an image, or lies outside the video.
    """
    kind = input_kind(path)
    check_input_file(path)
    if kind == "image":
        if at is not None:
            raise SettingsError("--at applies to videos only, and the input is an image.")
        return read_image(path)
    return read_frame_at(probe(path), at or 0.0, find_ffmpeg())
