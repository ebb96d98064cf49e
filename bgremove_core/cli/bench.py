"""``bgremove bench``: the speed benchmark of :mod:`bgremove_core.speed`.

The benchmark's options are its own (parsed here, not in the core, which only measures); every
argument after ``bench`` is handed to :func:`main` unchanged, so ``bgremove bench --help``
shows them. ``bench/pipeline_bench.py`` calls :func:`main` too; mask quality is measured by the
repository's ``python -m bench.quality`` (with ``lab/``), outside the product.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

HELP = "Measure speed side by side with a naive baseline; see 'bgremove bench --help'."


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``bench``; its arguments are passed through (see :func:`run`)."""
    p = subparsers.add_parser("bench", help=HELP, description=HELP, add_help=False)
    p.set_defaults(run=run, passthrough=True)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with the arguments that followed ``bench``."""
    return main(args.extra)


def _parser() -> argparse.ArgumentParser:
    from ..settings import ModelName
    from ..speed import DEFAULT_DATA, SIZES

    p = argparse.ArgumentParser(
        prog="bgremove bench",
        description="Measure speed side by side with a naive baseline, sequential and pipelined, on "
        "the development data's lucia clip (or the built-in clip); prints a Markdown table.",
    )
    p.add_argument(
        "suite", nargs="?", choices=("speed",), default="speed", help="What to measure (default: speed)."
    )
    p.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="Development data folder whose clips/lucia_frames are timed (default: ../shared/data).",
    )
    p.add_argument(
        "--sizes", nargs="+", choices=tuple(SIZES), default=list(SIZES), help="Frame sizes to time."
    )
    models = [m.value for m in ModelName]
    p.add_argument("--models", nargs="+", choices=models, default=models, help="Models to time.")
    p.add_argument("--frames", type=int, default=140, help="Timed frames per speed run (the clip cycles).")
    p.add_argument("--threads", type=int, default=None, help="cv2.setNumThreads value (default: OpenCV's).")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Print the chosen report as Markdown; return the process exit code."""
    import cv2

    from .. import speed
    from ..settings import Settings

    parser = _parser()
    args = parser.parse_args(argv)
    if args.frames < 1:
        parser.error(f"--frames must be at least 1, not {args.frames}.")
    if args.threads is not None:
        cv2.setNumThreads(args.threads)
    frames, source = speed.speed_frames(args.data)
    results = []
    for size in args.sizes:
        for model in args.models:
            for follow in (True, False):
                settings = Settings(follow=follow)
                result = speed.measure_speed(frames, size, model, settings, args.frames)
                result.pipelined, result.block_baseline = speed.measure_pipelined(
                    frames, size, model, settings, args.frames
                )
                results.append(result)
    print(
        f"Median of {args.frames} frames of {source} per row (pipelined: median over blocks of "
        f"{speed.PIPELINE_BLOCK} frames); default settings (blur, refinement on, follow the "
        "person on unless the row says off); "
        f"OpenCV threads: {cv2.getNumThreads()}, CPUs: {cv2.getNumberOfCPUs()}.\n"
    )
    print(speed.speed_report(results))
    return 0
