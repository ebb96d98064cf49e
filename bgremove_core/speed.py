"""Speed of the stream engine, measured side by side with a naive baseline: ``bgremove bench``.

Speed is measured side by side with a *seed-style baseline* (MediaPipe fed the full frame, then
a full-resolution ``np.where`` composite over ``cv2.GaussianBlur((35, 35))``), alternating one
frame of each, so that load from other processes on a shared machine hits both equally: the
ratio is the figure to trust, the absolute frames/s depend on the machine and its load. Mask
quality is measured outside the product, by the repository's ``lab`` package.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np

from .compose import Compositor
from .engine import MaskEngine
from .errors import MediaError
from .segment import Segmenter
from .settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
"""The development data beside a checkout, whose lucia clip is timed when it is there."""

SIZES: dict[str, tuple[int, int]] = {"720p": (1280, 720), "1080p": (1920, 1080)}

_WARM_UP = 3
"""Untimed frames first: they pay for lazy initialisation (MediaPipe's graph, OpenCV's threads)."""

BASELINE_BLUR = (35, 35)
"""The kernel of the naive blur the baseline uses (what a first implementation does)."""


def speed_frames(data: Path = DEFAULT_DATA) -> tuple[list[np.ndarray], str]:
    """Frames to time, and what they are: the lucia clip, or the built-in demo clip without it.

    Speed does not need hand-drawn masks, so an installed ``bgremove bench`` works on a user's
    machine too, where the development data is not beside the package.

    Raises:
        MediaError: A frame of the clip cannot be read.
    """
    paths = sorted((data / "clips" / "lucia_frames").glob("*.jpg"))
    if paths:
        return [_read(p) for p in paths], "the lucia clip"
    from .media.democlip import demo_frames

    return list(demo_frames(2.0, 24.0)), "the built-in astronaut clip (no development data found)"


# --- speed --------------------------------------------------------------------------------------


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise MediaError(f"The frame {str(path)!r} cannot be read.")
    return image


class Baseline:
    """The seed-style pipeline: MediaPipe on the full frame, full-resolution ``np.where`` blur.

    Raises:
        ModelError: The model cannot be loaded.
    """

    def __init__(self, model: str) -> None:
        self._segmenter = Segmenter(model)

    def process(self, frame: np.ndarray) -> np.ndarray:
        """The seed's composite of one BGR frame: the whole frame goes to MediaPipe."""
        person = self._segmenter.infer(frame)[..., None] > 0.5
        return np.where(person, frame, cv2.GaussianBlur(frame, BASELINE_BLUR, 0))

    def close(self) -> None:
        self._segmenter.close()


@dataclass
class SpeedResult:
    """Median milliseconds per frame: each stage of ours, ours in total, and the baseline.

    ``pipelined`` is ours with the model call of frame N+1 overlapping refine + compose of frame
    N (:func:`~bgremove_core.filejob.run_frames`), per frame over a block of frames, and
    ``block_baseline`` the baseline timed over the blocks alternating with it.
    """

    size: str
    model: str
    follow: bool
    segment: float
    refine: float
    compose: float
    ours: float
    baseline: float
    pipelined: float = 0.0
    block_baseline: float = 0.0


_T = TypeVar("_T")


def _each(fn: Callable[[np.ndarray], object], frames: Sequence[np.ndarray]) -> None:
    for frame in frames:
        fn(frame)


def _timed(fn: Callable[[], _T]) -> tuple[float, _T]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000.0, out


def measure_speed(
    frames: Sequence[np.ndarray], size: str, model: str, settings: Settings, count: int
) -> SpeedResult:
    """Run ours and the baseline alternately on ``count`` frames (cycling); median ms per stage."""
    w, h = SIZES[size]
    scaled = [cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR) for f in frames]
    s = settings.replace(model=model)
    times: dict[str, list[float]] = {"segment": [], "refine": [], "compose": [], "ours": [], "baseline": []}
    engine, compositor, baseline = MaskEngine(s), Compositor(s), Baseline(model)
    look = engine.look()
    try:
        for i in range(count + _WARM_UP):
            frame = scaled[i % len(scaled)]
            t_seg, prob = _timed(partial(engine.segment, frame))
            t_ref, alpha = _timed(partial(engine.refine, frame, prob))
            t_com, _ = _timed(partial(compositor.compose, frame, alpha, look))
            t_base, _ = _timed(partial(baseline.process, frame))
            if i >= _WARM_UP:
                for key, t in zip(times, (t_seg, t_ref, t_com, t_seg + t_ref + t_com, t_base), strict=True):
                    times[key].append(t)
    finally:
        engine.close()
        compositor.close()
        baseline.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    return SpeedResult(size, model, s.follow, **med)


PIPELINE_BLOCK = 35
"""Frames per timed block of the pipelined run; blocks alternate with baseline blocks."""


def measure_pipelined(
    frames: Sequence[np.ndarray], size: str, model: str, settings: Settings, count: int
) -> tuple[float, float]:
    """Median ms per frame of the pipelined run and of the baseline, over alternating blocks.

    Frame by frame alternation would stop the pipeline after every frame, so whole blocks of
    :data:`PIPELINE_BLOCK` frames alternate instead; load from other processes still hits both.
    """
    from .filejob import core_stages, run_frames

    w, h = SIZES[size]
    scaled = [cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR) for f in frames]
    blocks = max(1, round(count / PIPELINE_BLOCK))
    ours: list[float] = []
    base: list[float] = []
    with core_stages(settings.replace(model=model)) as stages:
        baseline = Baseline(model)
        try:
            for b in range(blocks + 1):  # the first block of each is an untimed warm-up
                block = [scaled[(b * PIPELINE_BLOCK + i) % len(scaled)] for i in range(PIPELINE_BLOCK)]
                t_ours, _ = _timed(partial(run_frames, block, stages))
                t_base, _ = _timed(partial(_each, baseline.process, block))
                if b:
                    ours.append(t_ours / PIPELINE_BLOCK)
                    base.append(t_base / PIPELINE_BLOCK)
        finally:
            baseline.close()
    return statistics.median(ours), statistics.median(base)


def speed_report(results: Sequence[SpeedResult]) -> str:
    """A Markdown table: per-stage ms, frames/s of ours (sequential and pipelined) and the baseline."""
    lines = [
        "| size | model | segment ms | refine ms | compose ms | ours fps | baseline fps | speed-up "
        "| pipelined fps | baseline fps (blocks) | pipelined speed-up |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        model = r.model if r.follow else f"{r.model}, follow off"
        pipelined = "| | | |"
        if r.pipelined:
            ratio = r.block_baseline / r.pipelined
            pipelined = f"| {1000 / r.pipelined:.0f} | {1000 / r.block_baseline:.0f} | {ratio:.1f}x |"
        lines.append(
            f"| {r.size} | {model} | {r.segment:.2f} | {r.refine:.2f} | {r.compose:.2f} "
            f"| {1000 / r.ours:.0f} | {1000 / r.baseline:.0f} | {r.baseline / r.ours:.1f}x {pipelined}"
        )
    return "\n".join(lines)
