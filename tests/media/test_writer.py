"""Encoding real frames into every output container, with and without alpha, through real ffmpeg
and OpenCV, read back by ffmpeg: what a player will see, and a sentence when writing fails."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from bgremove_core.errors import OutputError
from bgremove_core.media.ffmpeg import find_ffmpeg
from bgremove_core.media.formats import DEFAULT_H264, VIDEO_OUTPUTS, video_output
from bgremove_core.media.writer import FfmpegWriter, OpenCvWriter
from tests.support.paths import LUCIA_FRAMES

FRAMES = 8
FPS = 24.0
MAX_MEAN_ERROR = 6.0
"""Mean absolute difference, in 8-bit levels, allowed between a written frame and the frame fed in.
On these noisy real frames the lossy codecs give 3.5 (x264 at CRF 18, 4:2:0 included) to 4.0
(VP9, OpenCV's MPEG-4); the same files with blue and red swapped are 25 levels off, a wrong matrix
or a shifted picture as far."""


CHANNELS = {"bgr24": 3, "bgra": 4}


@pytest.fixture(scope="module")
def frames(ffmpeg: None) -> list[np.ndarray]:
    """The first real lucia frames (854x480, BGR)."""
    paths = sorted(LUCIA_FRAMES.glob("*.jpg"))[:FRAMES]
    return [cv2.imread(str(p)) for p in paths]


def _decode(path: Path, width: int, height: int, pix_fmt: str, decoder: tuple[str, ...] = ()) -> np.ndarray:
    """Every frame of ``path`` as ffmpeg decodes it, in ``pix_fmt`` (bgr24 or bgra)."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", *decoder, "-i", str(path), "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(
        -1, height, width, len(pix_fmt) - 2 if pix_fmt == "bgr24" else 4
    )


def _write(path: Path, frames: list[np.ndarray], *, alpha: bool) -> None:
    height, width = frames[0].shape[:2]
    writer = FfmpegWriter(
        path,
        path,
        video_output(path, alpha=alpha),
        (width, height),
        FPS,
        alpha=alpha,
        audio=None,
        h264=DEFAULT_H264,
        ffmpeg=find_ffmpeg() or "ffmpeg",
    )
    for frame in frames:
        writer.write(frame)
    writer.close()


@pytest.mark.parametrize("suffix", sorted(VIDEO_OUTPUTS))
def test_every_container_plays_back_the_frames_written(
    frames: list[np.ndarray], tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"out{suffix}"
    _write(path, frames, alpha=False)
    height, width = frames[0].shape[:2]
    decoded = _decode(path, width, height, "bgr24")
    assert len(decoded) == FRAMES
    error = np.abs(decoded.astype(np.int16) - np.stack(frames)).mean()
    assert error < MAX_MEAN_ERROR, f"{suffix}: mean abs difference {error:.2f} levels"


@pytest.mark.parametrize("suffix", sorted(s for s, fmt in VIDEO_OUTPUTS.items() if fmt.alpha is not None))
def test_alpha_containers_keep_the_alpha_channel(
    frames: list[np.ndarray], tmp_path: Path, suffix: str
) -> None:
    height, width = frames[0].shape[:2]
    alpha = np.zeros((height, width), np.uint8)
    alpha[:, width // 4 : 3 * width // 4] = 255  # an opaque band between transparent sides
    bgra = [np.dstack([frame, alpha]) for frame in frames]
    path = tmp_path / f"out{suffix}"
    _write(path, bgra, alpha=True)
    decoder = ("-c:v", "libvpx-vp9") if suffix == ".webm" else ()  # ffmpeg's own VP9 decoder drops alpha
    decoded = _decode(path, width, height, "bgra", decoder)
    assert len(decoded) == FRAMES
    band, side = decoded[..., width // 3, 3], decoded[..., 10, 3]
    assert band.min() >= 250 and side.max() <= 5, (band.min(), side.max())


def test_a_write_ffmpeg_cannot_finish_is_one_sentence_naming_the_output(
    frames: list[np.ndarray], tmp_path: Path
) -> None:
    """ffmpeg cannot create the file (its folder is missing): the error names the user's output."""
    with pytest.raises(OutputError) as error:
        _write(tmp_path / "missing" / "out.mp4", frames, alpha=False)
    assert "out.mp4" in str(error.value) and "\n" not in str(error.value)


def test_opencv_writer_plays_back_every_frame(frames: list[np.ndarray], tmp_path: Path) -> None:
    """The encoder used without ffmpeg: every frame in the file, the picture recognisable."""
    path = tmp_path / "out.mp4"
    height, width = frames[0].shape[:2]
    writer = OpenCvWriter(path, path, VIDEO_OUTPUTS[".mp4"], (width, height), FPS)
    for frame in frames:
        writer.write(frame)
    writer.close()
    decoded = _decode(path, width, height, "bgr24")
    assert len(decoded) == FRAMES
    error = np.abs(decoded.astype(np.int16) - np.stack(frames)).mean()
    assert error < MAX_MEAN_ERROR, f"mean abs difference {error:.2f} levels"


def test_opencv_writer_that_cannot_open_its_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "out.mp4"
    with pytest.raises(OutputError, match="OpenCV cannot encode"):
        OpenCvWriter(path, path, VIDEO_OUTPUTS[".mp4"], (64, 48), FPS)
