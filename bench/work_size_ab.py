"""The work size rule, A/B: halving (the product's ``limits.work_size``) vs scaling to exactly 640.

    python -m bench.work_size_ab [--data ../shared/data]

Refines the model's answers on the three shared clips, scaled to 1080p, 9:16 1080p, 720p and at
their own 854x480, once per rule, and prints IoU and boundary F against the hand-drawn masks
and the median refinement time of each. The model runs once per frame; both rules refine the
same probabilities, interleaved frame by frame, so load from other processes hits both alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from bgremove_core import refine
from bgremove_core.engine import open_segmenter
from bgremove_core.limits import WORK_MAX_SIDE, fit
from bgremove_core.settings import Settings
from lab.data import CLIPS, DEFAULT_DATA, clip
from lab.metrics import Scores, at_size

SIZES = {"1080p": (1920, 1080), "9:16 1080p": (1080, 1920), "720p": (1280, 720), "own": None}


def _proportional(picture: np.ndarray) -> np.ndarray:
    h, w = picture.shape[:2]
    size = fit(w, h, WORK_MAX_SIDE)
    return picture if size == (w, h) else cv2.resize(picture, size, interpolation=cv2.INTER_AREA)


RULES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "halving": refine.to_work_size,
    "long side 640": _proportional,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Development data folder.")
    args = parser.parse_args()
    settings = Settings()
    print("| clip | size | rule | IoU | boundary F | refine ms |\n|---|---|---|---:|---:|---:|")
    for name in CLIPS:
        frames, truths = clip(args.data, name)
        for label, size in SIZES.items():
            scaled = [cv2.resize(f, size) if size else f for f in frames]
            with open_segmenter(settings) as segmenter:
                probs = [segmenter.segment(f) for f in scaled]
            refiners = {rule: refine.Refiner(settings) for rule in RULES}
            scores = {rule: Scores() for rule in RULES}
            times: dict[str, list[float]] = {rule: [] for rule in RULES}
            for frame, prob, truth in zip(scaled, probs, truths, strict=True):
                for rule, shrink in RULES.items():
                    refine.to_work_size = shrink  # the one line the rules differ by
                    started = time.perf_counter()
                    alpha = refiners[rule].refine(prob, frame)
                    times[rule].append((time.perf_counter() - started) * 1000)
                    scores[rule].add(at_size(alpha, truth.shape), truth)
            for rule in RULES:
                print(
                    f"| {name} | {label} | {rule} | {scores[rule].iou:.4f} | {scores[rule].boundary_f:.4f} "
                    f"| {statistics.median(times[rule]):.2f} |"
                )


if __name__ == "__main__":
    main()
