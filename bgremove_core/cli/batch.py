"""``bgremove batch INPUT... --out DIR``: many videos and images, each to DIR under its own name.

Inputs are files or folders (``--recursive`` for subfolders). Outputs that already exist are
complete (every write is atomic), so they are skipped unless ``--overwrite``: a re-run after
Ctrl-C or a crash does only what is missing. A bad input is named in one sentence and the others
go on; the exit code is 1 when any input failed, 2 for a usage error, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SettingsError
from ..looks import Look, choose_look
from .options import settings_from_args, settings_inputs
from .process import add_job_arguments, h264_from_args

if TYPE_CHECKING:
    from ..filejob.batch import Outcome

HELP = "Remove the background of many videos and images (files or folders) into one folder."

EXIT_FAILED = 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``batch`` and its options."""
    p = subparsers.add_parser(
        "batch",
        help=HELP,
        description=HELP + " Each output keeps its input's name (transparent mode writes PNG for "
        "images and .webm for videos that cannot keep alpha); outputs that already exist are skipped.",
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="Videos, images or folders of them.")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="The folder to write into.")
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="Files processed at once. Default: the machine's cores divided by the cores one job keeps busy.",
    )
    p.add_argument("--recursive", action="store_true", help="Also look in subfolders of INPUT folders.")
    p.add_argument("--overwrite", action="store_true", help="Redo files whose output already exists.")
    add_job_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Find the inputs, plan them all, run them and say how it went."""
    from ..filejob import NO_FFMPEG, VideoPlan, opencv_threads
    from ..filejob.batch import StagesPool, collect, default_jobs, plan_all, run_all
    from .console import error, progress, warn

    settings = settings_from_args(args)
    h264 = h264_from_args(args)
    jobs = default_jobs() if args.jobs is None else args.jobs
    if jobs < 1:
        raise SettingsError(f"--jobs must be at least 1, not {jobs}.")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise SettingsError(f"--out {str(out)!r} is a file; give a folder.")
    outcomes = collect(
        args.inputs, out, alpha=choose_look(settings) == Look.TRANSPARENT, recursive=args.recursive
    )
    if not outcomes:
        raise SettingsError(
            "No videos or images were found in " + ", ".join(repr(str(p)) for p in args.inputs) + "."
        )
    out.mkdir(parents=True, exist_ok=True)
    reads = tuple(settings_inputs(settings))
    plan_all(outcomes, settings, reads, h264=h264, overwrite=args.overwrite)
    for outcome in outcomes:
        if outcome.error is not None:
            error(outcome.error)
    planned = [o for o in outcomes if o.plan is not None]
    if any(isinstance(o.plan, VideoPlan) and o.plan.target.ffmpeg is None for o in planned):
        warn(NO_FFMPEG)

    started = time.perf_counter()
    if planned:
        lock = threading.Lock()
        finished = 0
        with (
            opencv_threads(),
            StagesPool(settings) as pool,
            progress(
                sum(o.plan.count for o in planned if o.plan), _files(0, len(planned)), quiet=args.quiet
            ) as bar,
        ):

            def advance(frames: int) -> None:
                with lock:
                    bar.update(frames)

            def done(outcome: Outcome) -> None:
                nonlocal finished
                finished += 1
                bar.set_description(_files(finished, len(planned)), refresh=False)
                if outcome.error is not None:
                    bar.clear()
                    error(outcome.error)

            run_all(
                planned,
                pool,
                jobs=min(jobs, len(planned)),
                cancel=threading.Event(),
                progress=advance,
                done=done,
            )
    seconds = time.perf_counter() - started
    if not args.quiet:
        print(_report(outcomes, seconds, jobs))
    return EXIT_FAILED if any(o.error is not None for o in outcomes) else 0


def _files(done: int, total: int) -> str:
    return f"files {done}/{total}"


def _report(outcomes: list[Outcome], seconds: float, jobs: int) -> str:
    """Per-file lines in input order, then the totals and the failures."""
    lines = []
    for o in outcomes:
        if o.skipped:
            lines.append(f"{o.source} -> {o.output}: skipped (already done)")
        elif o.error is not None:
            lines.append(f"{o.source}: FAILED")
        elif o.stats is not None and o.stats.profile is None:
            lines.append(f"{o.source} -> {o.output}: image in {o.stats.seconds:.2f} s")
        elif o.stats is not None:
            lines.append(
                f"{o.source} -> {o.output}: {o.stats.frames} frames in {o.stats.seconds:.1f} s "
                f"({o.stats.fps:.1f} frames/s)" + (" - the input ended early" if o.stats.truncated else "")
            )
    written = [o for o in outcomes if o.stats is not None and o.error is None]
    failed = [o for o in outcomes if o.error is not None]
    frames = sum(o.stats.frames for o in written if o.stats)
    rate = f"{frames / seconds:.1f} frames/s, {60 * len(written) / seconds:.1f} files/min" if seconds else ""
    lines.append(
        f"Batch: {len(written)} written, {sum(o.skipped for o in outcomes)} skipped, {len(failed)} failed; "
        f"{frames} frames in {seconds:.1f} s ({rate}) with {jobs} job{'s' if jobs != 1 else ''}."
    )
    if failed:
        lines.append("Failed: " + ", ".join(str(o.source) for o in failed))
    return "\n".join(lines)
