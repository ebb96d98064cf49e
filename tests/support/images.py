"""Test media made from the shared real data with real OpenCV and ffmpeg, and picture measures.

:func:`still_clip` is what the OBS render tests play: a video made of ONE real lucia frame
repeated, encoded losslessly. Played in an ``ffmpeg_source`` it exercises the webcam-style async
frame path exactly as the moving clip does, yet every frame OBS shows is the same, so a screenshot
never depends on when it is taken (no pausing, whose reported state OBS does not keep reliably
when a looping clip restarts), and the frame's hand-drawn mask is known.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .paths import LUCIA_FRAMES, LUCIA_MASKS

STILL_FRAME = 10
"""The lucia frame the still clip shows (the person walks in the middle of the picture)."""
STILL_SECONDS = 2
STILL_FPS = 24
MARGIN = 12
"""Pixels a hand mask is eroded by on each side, so region checks ignore the soft edge."""


def run_ffmpeg(*args: object) -> None:
    """Run ffmpeg on ``args`` (errors only on the terminal, outputs overwritten); fail if it fails."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True)


@dataclass(frozen=True)
class Regions:
    """Pixels surely of the person and surely of the background (hand mask eroded by MARGIN)."""

    person: np.ndarray
    background: np.ndarray


def still_frame_path(index: int = STILL_FRAME) -> Path:
    return LUCIA_FRAMES / f"{index:05d}.jpg"


def hand_mask(index: int = STILL_FRAME) -> np.ndarray:
    """The hand-drawn mask of lucia frame ``index`` (True = person)."""
    mask = cv2.imread(str(LUCIA_MASKS / f"{index:05d}.png"), cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise FileNotFoundError(f"No hand-drawn mask for lucia frame {index} in {LUCIA_MASKS}.")
    return mask > 127


def regions(hand: np.ndarray, margin: int = MARGIN) -> Regions:
    kernel = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    person = cv2.erode(hand.astype(np.uint8), kernel).astype(bool)
    background = cv2.erode((~hand).astype(np.uint8), kernel).astype(bool)
    return Regions(person, background)


def still_clip(target: Path, index: int = STILL_FRAME, seconds: int = STILL_SECONDS) -> Path:
    """A lossless H.264 clip of lucia frame ``index`` repeated (854x480, 24 fps, no sound)."""
    frame = cv2.imread(str(still_frame_path(index)))
    if frame is None:
        raise FileNotFoundError(f"Lucia frame {index} not found in {LUCIA_FRAMES}.")
    return frame_clip(frame, target, seconds)


def frame_clip(frame: np.ndarray, target: Path, seconds: int = STILL_SECONDS) -> Path:
    """A lossless H.264 clip of one BGR picture repeated (24 fps, no sound).

    The picture is piped raw to ffmpeg, so every encoded frame decodes to the same pixels: a
    webcam-style source whose expected mask is known, with no media playback state to trust.
    Odd sizes are cropped to even ones (4:2:0).
    """
    frame = frame[: frame.shape[0] // 2 * 2, : frame.shape[1] // 2 * 2]
    height, width = frame.shape[:2]
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "bgr24",
         "-s", f"{width}x{height}", "-r", str(STILL_FPS), "-i", "-",
         "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-an", str(target)],
        input=np.ascontiguousarray(frame).tobytes() * (seconds * STILL_FPS),
        check=True,
    )  # fmt: skip
    return target


def make_clip(source: Path, target: Path, width: int, height: int, fps: int | None = None) -> Path:
    """The real clip transcoded to another size (and frame rate). x264 4:4:4 allows odd sizes:
    OBS gets I444 frames from those, I420 from the even (4:2:0) ones."""
    even = width % 2 == 0 and height % 2 == 0
    filters = f"scale={width}:{height}" + (f",fps={fps}" if fps else "")
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-i", str(source), "-vf", filters, "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p" if even else "yuv444p", "-an", str(target)],
        check=True,
    )  # fmt: skip
    return target


def share(rgba: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 12) -> float:
    """Fraction of pixels within ``tolerance`` levels of a colour."""
    return float((colour_pixels(rgba, rgb, tolerance)).mean())


def colour_pixels(rgba: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 12) -> np.ndarray:
    """Which pixels are within ``tolerance`` levels of a colour (max over channels)."""
    return np.abs(rgba[..., :3].astype(np.int16) - rgb).max(axis=-1) <= tolerance


def mean_change(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two pictures: > 0 means something moved between them."""
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))
