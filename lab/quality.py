"""Mask quality of the raw model and the refined mask, for both models, on the shared data.

Quality is scored on real photos with masks and a real clip with hand-drawn masks on every
frame: IoU, boundary F-score and flicker, for the raw model output (probability > 0.5) and for
the refined mask, so every refinement change can be judged by numbers. The model runs once per
picture; refinement variants refine the same probabilities, so they differ only by refinement.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bgremove_core.refine import Refiner
from bgremove_core.segment import Segmenter
from bgremove_core.settings import ModelName, Settings

from .data import DEFAULT_DATA, clip, people
from .metrics import BOUNDARY_TOLERANCE, Scores, at_size, flicker, raw_mask


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

    Flicker is measured on the mask a viewer would see: the soft alpha for refined variants,
    the 0/1 cut for the raw one.
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
