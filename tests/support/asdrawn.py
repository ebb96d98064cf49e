"""Measured as drawn: for every frame OBS outputs, which clip frame's picture and which clip
frame's mask it shows, and how well what it draws matches the hand-drawn masks.

The clip is a shared DAVIS clip re-timed to 30 fps at 720p (each clip frame one video frame, so
clip frame ``i`` is hand mask ``i``). The filter draws it in colour mode with a key colour no clip
contains and no light wrap, so each output pixel is ``a * picture + (1 - a) * key``. Nothing is
taken from the filter's own bookkeeping; both indices are read off the output pixels:

- **picture**: where the output is clearly not the key colour it is the picture itself; the clip
  frame whose pixels there are closest is the picture shown.
- **mask**: with the picture known, ``a`` follows per pixel (the output's share of the way from
  the key to the picture); cut at 0.5 it is the mask drawn. The clip frame whose mask, computed
  as ``bgremove process`` computes it (:class:`~bgremove_core.pipeline.Processor`, defaults, every
  frame in order), overlaps it best is the mask shown.

Both choices are reported with their margin over the runner-up, so an ambiguous frame (a person
standing still) can be told from a confident one. Everything is compared at the capture size of
the companion (640x360).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from bgremove_core.media.ffmpeg import find_ffmpeg
from bgremove_core.media.video import probe_video, read_frames
from bgremove_core.pipeline import Processor
from bgremove_core.settings import Settings

from .paths import CLIPS

FPS = 30
WIDTH, HEIGHT = 1280, 720
CAPTURE_SIZE = (640, 360)
"""The size ``companion.py`` captures OBS's output at (``CAPTURE_SIZE`` there)."""
KEY = "#FF00FF"
KEY_RGB = np.array([255, 0, 255], np.float32)
SETTINGS = {"background": "colour", "colour": KEY, "light_wrap": 0.0}
"""The filter's settings for the measurement (all others at their defaults, like the CLI's)."""
NOT_KEY = 80.0
"""RGB distance from the key beyond which an output pixel is surely picture, not key."""
MATCH_STEP = 2
"""Every this many pixels (both ways) are compared when finding the picture: plenty, and fast."""


def make_clip(name: str, directory: Path) -> Path:
    """The clip ``name``'s frames as a 720p, 30 fps H.264 file, one video frame per clip frame."""
    target = directory / f"{name}_720p{FPS}.mp4"
    if not target.exists():
        subprocess.run(
            ["ffmpeg", "-y", "-loglevel", "error", "-framerate", str(FPS),
             "-i", str(CLIPS / f"{name}_frames" / "%05d.jpg"), "-vf", f"scale={WIDTH}:{HEIGHT}",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
             "-an", str(target)],
            check=True,
        )  # fmt: skip
    return target


@dataclass(frozen=True)
class Reference:
    """One clip at the capture size: its pictures (RGB), the CLI's masks and the hand masks."""

    pictures: np.ndarray
    masks: np.ndarray
    hand: np.ndarray

    @property
    def cli_iou(self) -> float:
        """Mean IoU of the CLI's masks against the hand masks: the figure OBS should match."""
        return float(np.mean([iou(m, h) for m, h in zip(self.masks, self.hand, strict=True)]))


def reference(name: str, clip: Path, size: tuple[int, int]) -> Reference:
    """Decode ``clip`` and mask every frame as ``bgremove process`` does (its decoder, defaults,
    every frame in order)."""
    pictures, masks = [], []
    info = probe_video(clip)
    with Processor(Settings()) as processor:
        for frame in read_frames(info, 0, info.frame_count, find_ffmpeg()):
            alpha = processor.mask(frame)
            masks.append(cv2.resize(alpha, size, interpolation=cv2.INTER_AREA) >= 128)
            small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
            pictures.append(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
    hand = []
    for index in range(len(pictures)):
        drawn = cv2.imread(str(CLIPS / f"{name}_masks" / f"{index:05d}.png"), cv2.IMREAD_GRAYSCALE)
        hand.append(cv2.resize(drawn, size, interpolation=cv2.INTER_AREA) >= 128)
    return Reference(np.stack(pictures), np.stack(masks), np.stack(hand))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 1.0


@dataclass(frozen=True)
class Drawn:
    """What one output frame shows.

    Attributes:
        picture: Clip frame of the picture (-1: the output shows no key colour, no composite).
        mask: Clip frame whose CLI mask best matches the mask drawn.
        picture_margin: Mean pixel difference of the runner-up minus the best (0..255).
        mask_margin: IoU of the best minus the runner-up.
        iou_hand: IoU of the mask drawn against the picture's hand mask.
        iou_cli: IoU of the mask drawn against the CLI's mask of the picture's frame.
    """

    picture: int
    mask: int
    picture_margin: float
    mask_margin: float
    iou_hand: float
    iou_cli: float


def _best_two(scores: np.ndarray, highest: bool) -> tuple[int, float]:
    order = np.argsort(-scores if highest else scores)
    return int(order[0]), float(abs(scores[order[1]] - scores[order[0]]))


def analyse(rgba: np.ndarray, ref: Reference) -> Drawn:
    """Identify picture and mask of one output frame (RGBA at the reference's size)."""
    out = rgba[..., :3].astype(np.float32)
    picture_like = np.linalg.norm(out - KEY_RGB, axis=2) > NOT_KEY
    if picture_like.mean() > 0.995:
        return Drawn(-1, -1, 0.0, 0.0, 0.0, 0.0)
    inside = cv2.erode(picture_like.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    sample = np.zeros_like(inside)
    sample[::MATCH_STEP, ::MATCH_STEP] = True
    where = inside & sample
    differences = np.abs(ref.pictures[:, where].astype(np.float32) - out[where]).mean(axis=(1, 2))
    picture, picture_margin = _best_two(differences, highest=False)
    source = ref.pictures[picture].astype(np.float32)
    towards = source - KEY_RGB
    share = ((out - KEY_RGB) * towards).sum(axis=2) / np.maximum((towards * towards).sum(axis=2), 1.0)
    drawn = share >= 0.5
    overlaps = np.array([iou(drawn, mask) for mask in ref.masks])
    mask, mask_margin = _best_two(overlaps, highest=True)
    hand, cli = iou(drawn, ref.hand[picture]), iou(drawn, ref.masks[picture])
    return Drawn(picture, mask, picture_margin, mask_margin, hand, cli)


@dataclass(frozen=True)
class Summary:
    """Over every output frame that shows the composite."""

    frames: int
    in_sync: float
    mask_offset: dict[int, int]
    iou_hand: float
    iou_cli: float
    ambiguous: int
    in_sync_confident: float
    """The in-sync share among the frames whose mask was identified with a margin."""

    def line(self) -> str:
        offsets = ", ".join(f"{k:+d}: {v}" for k, v in sorted(self.mask_offset.items()))
        return (
            f"{self.frames} output frames; picture frame == mask frame on {self.in_sync:.1%}; "
            f"mask minus picture frame {{{offsets}}}; IoU vs hand masks {self.iou_hand:.3f}, "
            f"vs the CLI's mask of the picture {self.iou_cli:.3f}; "
            f"{self.ambiguous} ambiguous (in sync on {self.in_sync_confident:.1%} of the others)"
        )


AMBIGUOUS_IOU = 0.005
"""A mask whose best match beats the runner-up by less than this is counted as ambiguous."""


def summarise(frames: np.ndarray, ref: Reference) -> Summary:
    """Analyse every output frame; frames without a composite (no key colour) are left out."""
    if frames.shape[1:3] != ref.pictures.shape[1:3]:
        raise ValueError(f"Frames of {frames.shape[1:3]} against a reference of {ref.pictures.shape[1:3]}.")
    drawn = [d for d in (analyse(rgba, ref) for rgba in frames) if d.picture >= 0]
    if not drawn:
        return Summary(0, 0.0, {}, 0.0, 0.0, 0, 0.0)
    offsets: dict[int, int] = {}
    for d in drawn:
        offsets[d.mask - d.picture] = offsets.get(d.mask - d.picture, 0) + 1
    return Summary(
        frames=len(drawn),
        in_sync=_share_in_sync(drawn),
        mask_offset=offsets,
        iou_hand=float(np.mean([d.iou_hand for d in drawn])),
        iou_cli=float(np.mean([d.iou_cli for d in drawn])),
        ambiguous=sum(d.mask_margin < AMBIGUOUS_IOU for d in drawn),
        in_sync_confident=_share_in_sync([d for d in drawn if d.mask_margin >= AMBIGUOUS_IOU]),
    )


def _share_in_sync(drawn: list[Drawn]) -> float:
    return sum(d.mask == d.picture for d in drawn) / len(drawn) if drawn else 0.0
