"""How much following the person gains: raw vs today's refinement vs follow, with the upper bound.

Scored on the shared clips with hand-drawn masks (lucia, hike, breakdance-flare) and on the 80
photos, with the metrics of :mod:`lab.metrics`. The *oracle* runs the crop model on
a box grown from the TRUE person box (what following would give with a perfect tracker), so the
report shows how much headroom is left. ``tests/core/test_follow.py`` asserts on these same
functions, so the report and the tests cannot measure different things.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from bgremove_core.follow import FollowSegmenter, Rect
from bgremove_core.refine import Refiner
from bgremove_core.segment import Segmenter
from bgremove_core.settings import ModelName, Settings

from .data import CLIPS, DEFAULT_DATA, clip, people
from .follow_probe import ProbedFollow
from .metrics import Scores, at_size, flicker, raw_mask

VARIANTS = ("raw", "refined", "follow", "follow, landscape crops", "oracle")
"""What is scored: the model alone, refinement (follow off), follow + refinement (general crops,
the default; then landscape crops), and follow on the true box + refinement."""

Masker = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(frame, truth) -> a mask at any size: uint8 alpha (soft) or booleans (the raw cut)."""


def true_box(truth: np.ndarray) -> Rect:
    """The bounding box of a truth mask (the whole mask if it is empty)."""
    ys, xs = np.nonzero(truth)
    if len(xs) == 0:
        return 0, 0, truth.shape[1], truth.shape[0]
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


class Variants:
    """The five ways of making a mask, on one set of models, each with its own stream state.

    Args:
        settings: Refinement settings (the defaults unless measuring something else).
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        model = self.settings.model
        self._plain = Segmenter(model)
        self._follow = FollowSegmenter(model, "", ModelName.GENERAL.value)
        self._follow_landscape = FollowSegmenter(model, "", ModelName.LANDSCAPE.value)
        self._oracle = ProbedFollow(model, "", ModelName.GENERAL.value)
        self._refiners: dict[str, Refiner] = {}

    def reset(self) -> None:
        """Start a new stream (a new clip or photo)."""
        self._follow.reset()
        self._follow_landscape.reset()
        self._refiners = {name: Refiner(self.settings) for name in VARIANTS[1:]}

    def maskers(self) -> dict[str, Masker]:
        """Variant name -> a function giving that variant's mask for the next frame of the stream."""

        def refined(name: str, probability: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Masker:
            return lambda frame, truth: self._refiners[name].refine(probability(frame, truth), frame)

        return {
            "raw": lambda frame, _: raw_mask(self._plain.segment(frame), frame.shape[1], frame.shape[0]),
            "refined": refined("refined", lambda frame, _: self._plain.segment(frame)),
            "follow": refined("follow", lambda frame, _: self._follow.segment(frame)),
            "follow, landscape crops": refined(
                "follow, landscape crops", lambda frame, _: self._follow_landscape.segment(frame)
            ),
            "oracle": refined("oracle", lambda frame, truth: self._oracle_prob(frame, truth)),
        }

    def _oracle_prob(self, frame: np.ndarray, truth: np.ndarray) -> np.ndarray:
        sy, sx = frame.shape[0] / truth.shape[0], frame.shape[1] / truth.shape[1]
        x0, y0, x1, y1 = true_box(truth)
        box = (int(x0 * sx), int(y0 * sy), int(np.ceil(x1 * sx)), int(np.ceil(y1 * sy)))
        return self._oracle.segment_box(frame, box)

    def close(self) -> None:
        for segmenter in (self._plain, self._follow, self._follow_landscape, self._oracle):
            segmenter.close()


def _score(
    variants: Variants, streams: Iterable[Iterable[tuple[np.ndarray, np.ndarray]]], *, temporal: bool
) -> dict[str, Scores]:
    """Score every variant over the streams; flicker only for a single temporal stream."""
    scores = {name: Scores() for name in VARIANTS}
    masks: dict[str, list[np.ndarray]] = {name: [] for name in VARIANTS}
    for stream in streams:
        variants.reset()
        maskers = variants.maskers()
        for frame, truth in stream:
            for name, masker in maskers.items():
                mask = masker(frame, truth)
                scores[name].add(
                    at_size(mask, truth.shape) if mask.dtype == np.uint8 else _cut(mask, truth), truth
                )
                if temporal:
                    masks[name].append(mask.astype(np.float32) if mask.dtype == bool else mask)
    if temporal:
        for name in VARIANTS:
            scores[name].flicker = flicker(masks[name])
    return scores


def _cut(mask: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return mask if mask.shape == truth.shape else at_size(mask.astype(np.uint8) * 255, truth.shape)


def score_clip(variants: Variants, name: str, data: Path = DEFAULT_DATA) -> tuple[dict[str, Scores], float]:
    """Every variant on one clip, in order; and the hand-drawn masks' own flicker."""
    frames, truths = clip(data, name)
    scores = _score(variants, [zip(frames, truths, strict=True)], temporal=True)
    return scores, flicker([t.astype(np.float32) for t in truths])


def score_photos(variants: Variants, data: Path = DEFAULT_DATA) -> dict[str, Scores]:
    """Every variant on the 80 photos, each photo a fresh stream (follow does its two passes)."""
    streams: Iterator[list[tuple[np.ndarray, np.ndarray]]] = (
        [(image, truth)] for _, image, truth in people(data)
    )
    return _score(variants, streams, temporal=False)


def follow_report(data: Path = DEFAULT_DATA, settings: Settings | None = None) -> str:
    """A Markdown table: per clip and the photos, every variant's IoU, boundary F and flicker."""
    lines = [
        "| data | variant | IoU | boundary F | flicker | flicker / hand-drawn |",
        "|---|---|---:|---:|---:|---:|",
    ]
    means: dict[str, list[float]] = {name: [] for name in VARIANTS}
    variants = Variants(settings)
    try:
        for name in CLIPS:
            scores, truth = score_clip(variants, name, data)
            for variant, sc in scores.items():
                means[variant].append(sc.iou)
                assert sc.flicker is not None
                lines.append(
                    f"| {name} | {variant} | {sc.iou:.3f} | {sc.boundary_f:.3f} "
                    f"| {sc.flicker:.4f} | {sc.flicker / truth:.2f} |"
                )
        for variant, values in means.items():
            lines.append(f"| mean of the clips | {variant} | {statistics.fmean(values):.3f} | | | |")
        for variant, sc in score_photos(variants, data).items():
            lines.append(f"| people (80) | {variant} | {sc.iou:.3f} | {sc.boundary_f:.3f} | | |")
    finally:
        variants.close()
    return "\n".join(lines)
