"""``bgremove process IN OUT``: a video or an image in, the same with its background replaced out.

Everything that can be refused is refused before work starts (unreadable input, impossible
output, bad settings), so a long run never fails at the end for a reason known at the start.
The work itself is a pipelined file job (:mod:`bgremove_core.filejob`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..looks import Look, choose_look
from ..media.formats import CRF_RANGE, DEFAULT_CRF, DEFAULT_PRESET, H264, X264_PRESETS
from .options import add_settings_arguments, settings_from_args, settings_inputs

HELP = "Remove the background of a video (keeping its sound) or an image."


def add_job_arguments(p: argparse.ArgumentParser) -> None:
    """The options ``process`` and ``batch`` share: H.264 preset and quality, quiet, and every setting."""
    p.add_argument(
        "--preset",
        choices=X264_PRESETS,
        default=DEFAULT_PRESET,
        help="H.264 encoder speed: faster presets give larger files at the same quality. "
        f"Default: {DEFAULT_PRESET}.",
    )
    p.add_argument(
        "--crf",
        type=int,
        metavar="N",
        default=DEFAULT_CRF,
        help="H.264 quality (constant rate factor): lower looks better and makes larger files; 18 "
        "looks like the input, 23 (x264's default) gives about half the file. "
        f"Range {CRF_RANGE[0]} to {CRF_RANGE[1]}. Default: {DEFAULT_CRF}.",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="No progress bar and no summary line.")
    add_settings_arguments(p)


def h264_from_args(args: argparse.Namespace) -> H264:
    """The encoder options of a parsed ``process`` or ``batch`` command line (checked here, so a
    bad ``--crf`` is refused before any file is opened)."""
    return H264(args.preset, args.crf)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``process`` and its options."""
    p = subparsers.add_parser(
        "process",
        help=HELP,
        description=HELP + " Transparent mode writes PNG for images and .webm (VP9) or .mov "
        "(ProRes 4444) for videos, which keep the alpha channel.",
    )
    p.add_argument("input", type=Path, help="The video or image to process.")
    p.add_argument("output", type=Path, help="Where to write the result; its suffix picks the format.")
    p.add_argument(
        "--start", type=float, metavar="SECONDS", help="Video only: start this far in. Default: 0."
    )
    p.add_argument("--end", type=float, metavar="SECONDS", help="Video only: stop here. Default: the end.")
    p.add_argument("--overwrite", action="store_true", help="Replace the output if it already exists.")
    p.add_argument(
        "--profile",
        action="store_true",
        help="Print where the time went, per pipeline stage (decode, segment, refine+compose, encode).",
    )
    add_job_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate everything, then process the file."""
    from ..filejob import NO_FFMPEG, VideoPlan, core_stages, opencv_threads, plan_file, run_plan
    from .console import warn
    from .render import summary, warn_if_truncated, with_progress

    settings = settings_from_args(args)
    plan = plan_file(
        args.input,
        args.output,
        alpha=choose_look(settings) == Look.TRANSPARENT,
        reads=tuple(settings_inputs(settings)),
        start=args.start,
        end=args.end,
        h264=h264_from_args(args),
        overwrite=args.overwrite,
    )
    if isinstance(plan, VideoPlan) and plan.target.ffmpeg is None:
        warn(NO_FFMPEG)
    with opencv_threads(), core_stages(settings) as stages:
        before = _cpu_seconds()
        stats = with_progress(
            lambda report: run_plan(plan, stages, progress=report),
            plan.count,
            args.output.name,
            quiet=args.quiet or not isinstance(plan, VideoPlan),
        )
        after = _cpu_seconds()
    warn_if_truncated(plan, stats)
    if not args.quiet:
        print(summary(plan, stats))
    if args.profile and stats.profile is not None:
        print(stats.profile.table())
        if before is not None and after is not None:
            print(_cpu_line(before, after, stats.frames))
    return 0


def _cpu_seconds() -> tuple[float, float] | None:
    """CPU seconds used so far by (this process, its ended children: ffprobe, ffmpeg); None on Windows.

    The stage table times Python's threads only; this is what the whole job costs, model threads
    and ffmpeg children included, the figure that decides speed on a machine whose cores are full.
    """
    try:
        import resource
    except ImportError:
        return None
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _cpu_line(before: tuple[float, float], after: tuple[float, float], frames: int) -> str:
    """One sentence: CPU used by the job in bgremove and in ffmpeg, in total and per frame."""
    own, children = after[0] - before[0], after[1] - before[1]
    per = 1000 / max(frames, 1)
    return (
        f"\nCPU of the job (start-up before it: {before[0]:.2f} s): bgremove {own:.2f} s "
        f"({own * per:.2f} ms/frame, model threads included), ffmpeg {children:.2f} s "
        f"({children * per:.2f} ms/frame, decoder and encoder)."
    )
