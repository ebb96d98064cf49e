"""Decoding real clips through ffmpeg's 4:2:0 pipe: the right picture for every range and size."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from bgremove_core.media.ffmpeg import find_ffmpeg
from bgremove_core.media.video import probe_video, read_frames

FRAMES = 6

ENCODINGS = {
    "h264, limited range": ("-c:v", "libx264", "-crf", "12"),
    "h264, full range (yuvj420p)": ("-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuvj420p"),
    "vp9, full range (yuv420p tagged pc)": (
        *("-c:v", "libvpx-vp9", "-crf", "12", "-b:v", "0", "-deadline", "realtime", "-cpu-used", "8"),
        *("-vf", "scale=out_range=pc", "-pix_fmt", "yuv420p", "-color_range", "pc"),
    ),
    "h264 4:4:4, odd size (855x481)": (
        *("-c:v", "libx264", "-crf", "12", "-vf", "pad=855:481", "-pix_fmt", "yuv444p"),
    ),
}


def _ffmpeg(*args: object) -> bytes:
    return subprocess.run(["ffmpeg", "-v", "error", *map(str, args)], check=True, capture_output=True).stdout


def _reference(path: Path, width: int, height: int) -> np.ndarray:
    """ffmpeg's own, most accurate conversion to BGR (the file's range and matrix honoured)."""
    raw = _ffmpeg(
        *("-i", path, "-frames:v", FRAMES, "-sws_flags", "bicubic+accurate_rnd+full_chroma_int"),
        *("-f", "rawvideo", "-pix_fmt", "bgr24", "-"),
    )
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_frames_match_ffmpegs_accurate_conversion(
    encoding: str, ffmpeg: None, lucia_clip: Path, tmp_path: Path
) -> None:
    path = tmp_path / ("clip.webm" if "vp9" in encoding else "clip.mp4")
    _ffmpeg("-i", lucia_clip, "-frames:v", FRAMES, *ENCODINGS[encoding], path)
    info = probe_video(path)
    frames = list(read_frames(info, 0, FRAMES, find_ffmpeg()))
    reference = _reference(path, info.width, info.height)
    assert len(frames) == FRAMES
    assert frames[0].shape == reference[0].shape == (info.height, info.width, 3)
    error = np.abs(np.stack(frames).astype(np.int16) - reference).mean(axis=(0, 1, 2))
    # A full-range picture read as limited range is off by ~6 levels; chroma rounding gives ~1.
    assert error.max() < 2.0, f"mean abs difference per channel (B, G, R): {error}"
    assert not any(frame is frames[0] for frame in frames[1:]), "every frame must be its own array"
