"""Refine and compose of a git revision against this checkout, call by call, on real frames.

    python bench/refine_compose_ab.py [--base main] [--threads 1] [--frames 120] [--sizes 720p 1080p]

The lucia frames scaled to each size, with the probabilities the default segmenter (follow the
person on) gives for them, computed once. The base revision's ``bgremove_core`` is unpacked into
a temporary folder under another package name, so both versions run in one process and each
call of one is followed by the same call of the other: load from other processes hits both
alike, and the ratio is the figure to trust. Prints medians in ms and the base/new ratio, for
``Refiner.refine``, ``Compositor.compose`` per background mode and the two together.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from types import ModuleType

import cv2

import bgremove_core.compose
import bgremove_core.refine
import bgremove_core.settings
from bgremove_core.engine import open_segmenter
from bgremove_core.settings import Settings
from bgremove_core.speed import SIZES, speed_frames

_BASE_NAME = "bgremove_core_base"
_WARM_UP = 3


def _unpack(revision: str, folder: Path) -> ModuleType:
    """Import ``bgremove_core`` as it is at ``revision`` (relative imports make the rename safe)."""
    repo = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", revision, "bgremove_core"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "bgremove_core").rename(folder / _BASE_NAME)
    sys.path.insert(0, str(folder))
    for name in ("", ".refine", ".compose", ".settings"):
        importlib.import_module(_BASE_NAME + name)
    return sys.modules[_BASE_NAME]


def _modes(picture: str) -> dict[str, dict[str, object]]:
    return {
        "blur": {},
        "colour + light wrap": {"background": "colour", "colour": "#3366CC"},
        "image + light wrap": {"background": "image", "image": picture},
        "colour, no light wrap": {"background": "colour", "light_wrap": 0.0},
        "transparent": {"background": "transparent"},
    }


Call = Callable[[int], object]


def _calls(pkg: ModuleType, frames: list, probs: list, alphas: list, picture: str) -> dict[str, Call]:
    """Each timed call of one package version, as a function of the frame index."""
    settings = pkg.settings.Settings
    calls: dict[str, Call] = {}
    refiner = pkg.refine.Refiner(settings())
    calls["refine"] = lambda i: refiner.refine(probs[i], frames[i])
    for name, values in _modes(picture).items():
        compositor = pkg.compose.Compositor(settings(**values))
        calls[f"compose {name}"] = lambda i, c=compositor: c.compose(frames[i], alphas[i])
    both_r, both_c = pkg.refine.Refiner(settings()), pkg.compose.Compositor(settings())
    calls["refine + compose blur"] = lambda i: both_c.compose(frames[i], both_r.refine(probs[i], frames[i]))
    return calls


def _median_ms(times: list[float]) -> float:
    return statistics.median(times[_WARM_UP:]) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision to compare against")
    parser.add_argument("--threads", type=int, default=1, help="OpenCV threads (file jobs use 1)")
    parser.add_argument("--frames", type=int, default=120, help="timed calls per row")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    args = parser.parse_args(argv)
    cv2.setNumThreads(args.threads)
    with tempfile.TemporaryDirectory() as folder:
        base = _unpack(args.base, Path(folder))
        clip_frames, _ = speed_frames()
        picture = str(Path(folder) / "picture.png")
        cv2.imwrite(picture, cv2.flip(clip_frames[0], 1))
        print(f"OpenCV threads: {args.threads}; median of {args.frames} calls; base = {args.base}\n")
        print("| size | call | base ms | this checkout ms | speed-up |\n|---|---|---:|---:|---:|")
        for size in args.sizes:
            w, h = SIZES[size]
            frames = [cv2.resize(f, (w, h)) for f in clip_frames]
            segmenter = open_segmenter(Settings())
            try:
                probs = [segmenter.segment(f) for f in frames]
            finally:
                segmenter.close()
            base_refiner = base.refine.Refiner(base.settings.Settings())
            alphas = [base_refiner.refine(p, f) for p, f in zip(probs, frames, strict=True)]
            old = _calls(base, frames, probs, alphas, picture)
            new = _calls(bgremove_core, frames, probs, alphas, picture)
            for name in old:
                times_old, times_new = [], []
                for i in range(args.frames + _WARM_UP):
                    for call, times in ((old[name], times_old), (new[name], times_new)):
                        start = time.perf_counter()
                        call(i % len(frames))
                        times.append(time.perf_counter() - start)
                o, n = _median_ms(times_old), _median_ms(times_new)
                print(f"| {size} | {name} | {o:.2f} | {n:.2f} | {o / n:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
