"""``bgremove demo``: the whole job on a built-in clip, to see what bgremove does in one command.

A short 720p clip of a real person (scikit-image's astronaut, with a moving camera) is made in
memory, then run through the blur and the image-replacement modes. The clip, both results, the
background picture and a contact sheet are written to one folder, with the speed of each run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SettingsError
from ..settings import Background, Settings

if TYPE_CHECKING:
    from ..filejob.stats import JobStats
    from ..filejob.video import Progress
    from ..pipeline import Processor, Result

HELP = "Run blur and background replacement on a built-in clip and write the videos and a sheet."
DEFAULT_OUT = Path("bgremove-demo")
DEFAULT_SECONDS = 3.0
FPS = 24.0
SIZE = (1280, 720)
SHEET_ROWS = 3
"""Frames shown in the contact sheet, spread over the clip."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``demo`` and its options."""
    p = subparsers.add_parser(
        "demo", help=HELP, description=HELP + " Needs scikit-image (pip install 'bgremove[demo]')."
    )
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"Folder to write into (files of an earlier demo there are replaced). Default: ./{DEFAULT_OUT}.",
    )
    p.add_argument(
        "--seconds",
        type=float,
        default=DEFAULT_SECONDS,
        help=f"Length of the clip, 0.5 to 30 seconds. Default: {DEFAULT_SECONDS:g}.",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="No progress bars.")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Make the clip, process it twice, write everything and say what was written."""
    from ..filejob import core_stages, video_target, write_video
    from ..media.democlip import demo_background, demo_frames
    from ..media.ffmpeg import find_ffmpeg
    from ..media.images import write_image
    from ..media.sheet import contact_sheet
    from .render import with_progress

    if not 0.5 <= args.seconds <= 30:
        raise SettingsError(f"--seconds must be between 0.5 and 30, not {args.seconds:g}.")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise SettingsError(f"--out {str(out)!r} is a file; give a folder.")
    out.mkdir(parents=True, exist_ok=True)

    frames = list(demo_frames(args.seconds, FPS, SIZE))
    background = out / "background.jpg"
    write_image(background, demo_background())
    input_video = out / "input.mp4"
    ffmpeg = find_ffmpeg()
    write_video(
        frames, None, video_target(input_video, SIZE, FPS, alpha=False, ffmpeg=ffmpeg), expected=len(frames)
    )
    written = [background, input_video]

    shown = sorted({round(i * (len(frames) - 1) / (SHEET_ROWS - 1)) for i in range(SHEET_ROWS)})
    kept: dict[str, dict[int, Result]] = {}
    for name, settings in _runs(background):
        kept[name] = {}

        def keep(index: int, _frame: object, result: Result, into: dict[int, Result] = kept[name]) -> None:
            if index in shown:
                into[index] = result

        video = out / f"{name}.mp4"
        with core_stages(settings) as stages:

            def job(report: Progress, stages: Processor = stages, video: Path = video) -> JobStats:
                target = video_target(video, SIZE, FPS, alpha=False, ffmpeg=ffmpeg)
                return write_video(
                    frames, stages, target, expected=len(frames), progress=report, on_result=keep
                )

            stats = with_progress(
                job,
                len(frames),
                video.name,
                quiet=args.quiet,
            )
        written.append(video)
        print(
            f"{name}: {stats.frames} frames of {SIZE[0]}x{SIZE[1]} in {stats.seconds:.1f} s, "
            f"{stats.fps:.1f} frames/s."
        )

    sheet = out / "sheet.png"
    first = next(iter(kept))
    rows = [
        [
            ("input", frames[i]),
            ("mask", kept[first][i].alpha),
            *((name, kept[name][i].output) for name in kept),
        ]
        for i in shown
    ]
    write_image(sheet, contact_sheet(rows))
    written.append(sheet)
    print("Wrote " + ", ".join(str(p) for p in written) + ".")
    return 0


def _runs(background: Path) -> tuple[tuple[str, Settings], ...]:
    """The modes the demo shows, each with the settings that produce it (defaults otherwise)."""
    return (
        ("blur", Settings(background=Background.BLUR)),
        ("image", Settings(background=Background.IMAGE, image=str(background))),
    )
