"""Speed and quality measurements of the pipeline: what ``bgremove bench`` and ``bench/`` run.

Speed is measured side by side with a *seed-style baseline* (MediaPipe fed the full frame, then
a full-resolution ``np.where`` composite over ``cv2.GaussianBlur((35, 35))``), alternating one
frame of each, so that load from other processes on a shared machine hits both equally: the
ratio is the figure to trust, the absolute frames/s depend on the machine and its load.

Quality is scored on the shared development data (real photos with masks, and a real clip with
hand-drawn masks on every frame): IoU, boundary F-score and flicker, for the raw model output
(probability > 0.5) and for the refined mask, so every refinement change can be judged by
numbers. The tests in ``tests/core`` use the same functions, so the report and the assertions
can never measure different things.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np

from .compose import Compositor
from .engine import open_segmenter
from .errors import MediaError
from .refine import Refiner
from .segment import Segmenter
from .settings import ModelName, Settings

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
"""The development data beside the checkout (never shipped, never copied into the repo)."""

BOUNDARY_TOLERANCE = 3
"""Pixels an edge may be off and still count as found in the boundary F-score."""

SIZES: dict[str, tuple[int, int]] = {"720p": (1280, 720), "1080p": (1920, 1080)}

_WARM_UP = 3
"""Untimed frames first: they pay for lazy initialisation (MediaPipe's graph, OpenCV's threads)."""

BASELINE_BLUR = (35, 35)
"""The kernel of the naive blur the baseline uses (what a first implementation does)."""


# --- data ---------------------------------------------------------------------------------------


def _read(path: Path, flags: int) -> np.ndarray:
    image = cv2.imread(str(path), flags)
    if image is None:
        raise MediaError(f"The development data file {str(path)!r} is missing or unreadable.")
    return image


def people(data: Path = DEFAULT_DATA) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Yield (name, BGR photo, boolean truth mask) for each photo in ``data/people``.

    Masks may be smaller than their photo (same aspect); scoring happens at the mask's size.
    """
    images = sorted((data / "people" / "images").glob("*.jpg"), key=lambda p: int(p.stem))
    if not images:
        raise MediaError(f"No photos found in {str(data / 'people' / 'images')!r}.")
    for path in images:
        mask = _read(data / "people" / "masks" / f"{path.stem}.png", cv2.IMREAD_GRAYSCALE)
        yield path.stem, _read(path, cv2.IMREAD_COLOR), mask > 127


def clip(data: Path = DEFAULT_DATA, name: str = "lucia") -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A clip (lucia, hike, breakdance-flare): its BGR frames and boolean hand-drawn masks, in order."""
    frames = sorted((data / "clips" / f"{name}_frames").glob("*.jpg"))
    if not frames:
        raise MediaError(f"No frames found in {str(data / 'clips' / f'{name}_frames')!r}.")
    masks = [
        _read(data / "clips" / f"{name}_masks" / f"{p.stem}.png", cv2.IMREAD_GRAYSCALE) > 127 for p in frames
    ]
    return [_read(p, cv2.IMREAD_COLOR) for p in frames], masks


def speed_frames(data: Path = DEFAULT_DATA) -> tuple[list[np.ndarray], str]:
    """Frames to time, and what they are: the lucia clip, or the built-in demo clip without it.

    Speed does not need hand-drawn masks, so an installed ``bgremove bench`` works on a user's
    machine too, where the development data is not beside the package.
    """
    if (data / "clips" / "lucia_frames").is_dir():
        return clip(data)[0], "the lucia clip"
    from .media.democlip import demo_frames

    return list(demo_frames(2.0, 24.0)), "the built-in astronaut clip (no development data found)"


# --- metrics ------------------------------------------------------------------------------------


def iou(pred: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two boolean masks (1.0 when both are empty)."""
    union = np.count_nonzero(pred | truth)
    return 1.0 if union == 0 else np.count_nonzero(pred & truth) / union


def _boundary(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.uint8)
    return (m - cv2.erode(m, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_REPLICATE)) > 0


def boundary_f(pred: np.ndarray, truth: np.ndarray, tolerance: int = BOUNDARY_TOLERANCE) -> float:
    """F-score of the mask outlines: a boundary pixel matches if the other's is within ``tolerance``."""
    bp, bt = _boundary(pred), _boundary(truth)
    if not bp.any() and not bt.any():
        return 1.0
    if not bp.any() or not bt.any():
        return 0.0
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * tolerance + 1, 2 * tolerance + 1))
    near_t = cv2.dilate(bt.astype(np.uint8), disk) > 0
    near_p = cv2.dilate(bp.astype(np.uint8), disk) > 0
    precision = np.count_nonzero(bp & near_t) / np.count_nonzero(bp)
    recall = np.count_nonzero(bt & near_p) / np.count_nonzero(bt)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def flicker(masks: Sequence[np.ndarray]) -> float:
    """Mean |mask_t - mask_t-1| over all pixels and frames, masks as fractions in [0, 1]."""
    diffs = [
        float(np.mean(np.abs(a.astype(np.float32) - b.astype(np.float32))))
        for a, b in itertools.pairwise(masks)
    ]
    return statistics.fmean(diffs) / (255.0 if masks[0].dtype == np.uint8 else 1.0)


def raw_mask(prob: np.ndarray, width: int, height: int) -> np.ndarray:
    """The model's own answer at a size: probability resized bilinearly, then > 0.5."""
    return cv2.resize(prob, (width, height), interpolation=cv2.INTER_LINEAR) > 0.5


def at_size(alpha: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A uint8 alpha mask resized to a truth mask's shape, as booleans (alpha >= 128)."""
    h, w = shape[:2]
    if alpha.shape[:2] != (h, w):
        alpha = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_AREA)
    return alpha >= 128


# --- quality ------------------------------------------------------------------------------------


@dataclass
class Scores:
    """Per-image (or per-frame) scores of one variant, averaged on demand."""

    ious: list[float] = field(default_factory=list)
    boundary: list[float] = field(default_factory=list)
    flicker: float | None = None

    def add(self, pred: np.ndarray, truth: np.ndarray) -> None:
        self.ious.append(iou(pred, truth))
        self.boundary.append(boundary_f(pred, truth))

    @property
    def iou(self) -> float:
        return statistics.fmean(self.ious)

    @property
    def boundary_f(self) -> float:
        return statistics.fmean(self.boundary)


def score_people(segmenter: Segmenter, settings: Settings, data: Path = DEFAULT_DATA) -> dict[str, Scores]:
    """Raw and refined scores on the photos; each photo is a fresh stream (no temporal state)."""
    raw, refined = Scores(), Scores()
    refiner = Refiner(settings)
    for _, image, truth in people(data):
        prob = segmenter.segment(image)
        refiner.reset()
        alpha = refiner.refine(prob, image)
        th, tw = truth.shape
        raw.add(raw_mask(prob, tw, th), truth)
        refined.add(at_size(alpha, truth.shape), truth)
    return {"raw": raw, "refined": refined}


def score_clip(
    segmenter: Segmenter, variants: dict[str, Settings | None], data: Path = DEFAULT_DATA
) -> dict[str, Scores]:
    """Scores on the lucia clip; a variant of None is the raw model output.

    The model runs once per frame and every variant refines the same probabilities, so the
    variants differ only by refinement. Flicker is measured on the mask a viewer would see: the
    soft alpha for refined variants, the 0/1 cut for the raw one.
    """
    frames, truths = clip(data)
    probs = [segmenter.segment(f) for f in frames]
    h, w = frames[0].shape[:2]
    out: dict[str, Scores] = {}
    for name, settings in variants.items():
        scores, masks = Scores(), []
        refiner = Refiner(settings) if settings is not None else None
        for prob, frame, truth in zip(probs, frames, truths, strict=True):
            if refiner is None:
                mask = raw_mask(prob, w, h)
                scores.add(mask, truth)
                masks.append(mask.astype(np.float32))
            else:
                alpha = refiner.refine(prob, frame)
                scores.add(at_size(alpha, truth.shape), truth)
                masks.append(alpha)
        scores.flicker = flicker(masks)
        out[name] = scores
    return out


def truth_flicker(data: Path = DEFAULT_DATA) -> float:
    """Flicker of the hand-drawn masks themselves: the floor a real moving person sets."""
    return flicker([m.astype(np.float32) for m in clip(data)[1]])


def quality_report(data: Path = DEFAULT_DATA, settings: Settings | None = None) -> str:
    """A Markdown report of raw vs refined quality for both models on people and lucia."""
    base = settings or Settings()
    lines = [
        f"Boundary F-score tolerance: {BOUNDARY_TOLERANCE} px at the truth mask's size. "
        f"Hand-drawn truth flicker on lucia: {truth_flicker(data):.4f}.",
        "",
        "| model | data | variant | IoU | boundary F | flicker | flicker / raw |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for model in ModelName:
        s = base.replace(model=model.value)
        with Segmenter(model.value) as segmenter:
            for variant, sc in score_people(segmenter, s, data).items():
                lines.append(
                    f"| {model} | people (80) | {variant} | {sc.iou:.3f} | {sc.boundary_f:.3f} | | |"
                )
            variants = {"raw": None, "refined, no smoothing": s.replace(smoothing=0.0), "refined": s}
            clip_scores = score_clip(segmenter, variants, data)
            raw_flicker = clip_scores["raw"].flicker
            for variant, sc in clip_scores.items():
                assert sc.flicker is not None and raw_flicker  # score_clip sets it for every variant
                lines.append(
                    f"| {model} | lucia (70) | {variant} | {sc.iou:.3f} | {sc.boundary_f:.3f} "
                    f"| {sc.flicker:.4f} | {sc.flicker / raw_flicker:.2f} |"
                )
    return "\n".join(lines)


# --- speed --------------------------------------------------------------------------------------


class Baseline:
    """The seed-style pipeline: MediaPipe on the full frame, full-resolution ``np.where`` blur."""

    def __init__(self, model: str) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        from .models import resolve_model
        from .nativelog import quiet_native_stderr

        self._mp = mp
        options = vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_buffer=resolve_model(model).path.read_bytes()),
            running_mode=vision.RunningMode.VIDEO,
            output_confidence_masks=True,
            output_category_mask=False,
        )
        with quiet_native_stderr():
            self._segmenter = vision.ImageSegmenter.create_from_options(options)
        self._timestamp_ms = 0

    def process(self, frame: np.ndarray) -> np.ndarray:
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        self._timestamp_ms += 1
        result = self._segmenter.segment_for_video(
            self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb), self._timestamp_ms
        )
        mask = result.confidence_masks[0].numpy_view()
        person = mask.reshape(*mask.shape[:2], 1) > 0.5  # mediapipe 1.x gives (H, W, 1), 0.10 (H, W)
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
    segmenter, refiner, compositor, baseline = open_segmenter(s), Refiner(s), Compositor(s), Baseline(model)
    try:
        for i in range(count + _WARM_UP):
            frame = scaled[i % len(scaled)]
            t_seg, prob = _timed(partial(segmenter.segment, frame))
            t_ref, alpha = _timed(partial(refiner.refine, prob, frame))
            t_com, _ = _timed(partial(compositor.compose, frame, alpha))
            t_base, _ = _timed(partial(baseline.process, frame))
            if i >= _WARM_UP:
                for key, t in zip(times, (t_seg, t_ref, t_com, t_seg + t_ref + t_com, t_base), strict=True):
                    times[key].append(t)
    finally:
        segmenter.close()
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
