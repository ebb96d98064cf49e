"""Helpers for the CLI tests: probing and decoding bgremove's outputs, truth masks.

A module of its own (not conftest) so test modules can import it by a name no other test folder uses.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import numpy as np

CLIP_FPS = 24.0
CLIP_FRAMES = 70


def ffprobe(path: Path) -> dict:
    """ffprobe's streams and format for ``path``."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def streams(path: Path, kind: str) -> list[dict]:
    """The ``video`` or ``audio`` streams of a file."""
    return [s for s in ffprobe(path)["streams"] if s["codec_type"] == kind]


def decode_bgra(path: Path, *, vp9_alpha: bool = False) -> list[np.ndarray]:
    """Every frame of a video as BGRA, decoded by ffmpeg (libvpx for VP9, whose alpha needs it)."""
    video = streams(path, "video")[0]
    width, height = int(video["width"]), int(video["height"])
    decoder = ["-c:v", "libvpx-vp9"] if vp9_alpha else []
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", *decoder, "-i", str(path), "-f", "rawvideo", "-pix_fmt", "bgra", "-"],
        check=True,
        capture_output=True,
    ).stdout
    return list(np.frombuffer(raw, np.uint8).reshape(-1, height, width, 4))


def truth_mask(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """A hand-made mask as booleans at ``shape``'s size."""
    mask = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert mask is not None, path
    return cv2.resize(mask, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST) > 127


def core_regions(truth: np.ndarray, margin: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """(sure person, sure background): the truth mask shrunk away from its edge on both sides."""
    kernel = np.ones((margin, margin), np.uint8)
    person = cv2.erode(truth.astype(np.uint8), kernel) > 0
    background = cv2.erode((~truth).astype(np.uint8), kernel) > 0
    return person, background
