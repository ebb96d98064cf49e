"""``bgremove process IN OUT``: a video or an image in, the same with its background replaced out.

Everything that can be refused is refused before work starts (unreadable input, impossible
output, bad settings), so a long run never fails at the end for a reason known at the start.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import SettingsError
from ..media.formats import DEFAULT_PRESET, X264_PRESETS, check_image_output, input_kind
from ..settings import Background, Settings
from .console import warn
from .options import add_settings_arguments, settings_from_args, settings_inputs

HELP = "Remove the background of a video (keeping its sound) or an image."


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
        "--preset",
        choices=X264_PRESETS,
        default=DEFAULT_PRESET,
        help="H.264 encoder speed: faster presets give larger files at the same quality. "
        f"Default: {DEFAULT_PRESET}.",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="No progress bar and no summary line.")
    add_settings_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate everything, then process the file."""
    from ..media.atomic import check_output
    from ..media.files import check_input_file

    settings = settings_from_args(args)
    kind = input_kind(args.input)
    check_input_file(args.input)
    check_output(args.output, [args.input, *settings_inputs(settings)], overwrite=args.overwrite)
    alpha = settings.background == Background.TRANSPARENT
    if kind == "image":
        if args.start is not None or args.end is not None:
            raise SettingsError("--start and --end apply to videos only, and the input is an image.")
        check_image_output(args.output, alpha=alpha)
        return _process_image(args, settings)
    return _process_video(args, settings, alpha=alpha)


def _process_image(args: argparse.Namespace, settings: Settings) -> int:
    from ..media.images import read_image, write_image
    from ..pipeline import Processor

    frame = read_image(args.input)
    with Processor(settings) as processor:
        result = processor.process(frame)
    write_image(args.output, result.output)
    if not args.quiet:
        print(f"Wrote {args.output} ({frame.shape[1]}x{frame.shape[0]}).")
    return 0


def _process_video(args: argparse.Namespace, settings: Settings, *, alpha: bool) -> int:
    from ..media.ffmpeg import find_ffmpeg
    from ..media.video import probe_video, read_frames
    from ..media.writer import FRAME_COUNT_SLACK, AudioSpan
    from ..pipeline import Processor
    from .render import VideoTarget, check_video_target, render_video

    check_video_target(args.output, alpha=alpha)
    info = probe_video(args.input)
    first, count = info.span(args.start, args.end)
    audio = AudioSpan(args.input, first / info.fps, count / info.fps)
    target = VideoTarget(args.output, (info.width, info.height), info.fps, audio, args.preset)
    frames = read_frames(info, first, count, find_ffmpeg())
    with Processor(settings) as processor:
        stats = render_video(frames, processor, target, total=count, quiet=args.quiet)
    if stats.frames < count - FRAME_COUNT_SLACK:
        warn(
            f"The input {str(args.input)!r} ended after {stats.frames} of its {count} frames (the file "
            f"may be truncated); {str(args.output)!r} holds the frames that could be read."
        )
    if not args.quiet:
        print(
            f"Wrote {args.output}: {stats.frames} frames of {info.width}x{info.height} "
            f"({stats.frames / info.fps:.2f} s) in {stats.seconds:.1f} s, {stats.fps:.1f} frames/s."
        )
    return 0
