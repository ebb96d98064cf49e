"""``bgremove preview IN OUT.png``: check settings on one frame before processing a whole video.

Writes the cut-out person as a PNG with alpha, and beside it a sheet (original | mask | result
with the chosen background) so the effect of a setting is visible at a glance.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import OutputError
from .options import add_settings_arguments, settings_from_args, settings_inputs

HELP = "Write one frame as a cut-out PNG with alpha, plus an original | mask | result sheet."


def sheet_path(output: Path) -> Path:
    """Where the side-by-side sheet goes: ``OUT.sheet.png`` next to ``OUT.png``."""
    return output.with_name(f"{output.stem}.sheet.png")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``preview`` and its options."""
    p = subparsers.add_parser(
        "preview",
        help=HELP,
        description=HELP + " The sheet is written next to OUT as OUT.sheet.png.",
    )
    p.add_argument("input", type=Path, help="The video or image to take the frame from.")
    p.add_argument("output", type=Path, help="The cut-out to write; must end in .png.")
    p.add_argument(
        "--at", type=float, metavar="SECONDS", help="Video only: the time of the frame. Default: 0."
    )
    p.add_argument("--overwrite", action="store_true", help="Replace the outputs if they already exist.")
    add_settings_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate, process the one frame, write the cut-out and the sheet."""
    import numpy as np

    from ..media.atomic import check_output
    from ..media.images import write_image
    from ..media.oneframe import read_one_frame
    from ..media.sheet import contact_sheet
    from ..pipeline import Processor

    settings = settings_from_args(args)
    if args.output.suffix.lower() != ".png":
        raise OutputError(f"The preview {str(args.output)!r} must be a .png, the format that keeps alpha.")
    sheet = sheet_path(args.output)
    for output in (args.output, sheet):
        check_output(output, [args.input, *settings_inputs(settings)], overwrite=args.overwrite)
    frame = read_one_frame(args.input, args.at)
    with Processor(settings) as processor:
        result = processor.process(frame)
    write_image(args.output, np.dstack((frame, result.alpha)))
    tiles = [("original", frame), ("mask", result.alpha), (f"result: {settings.background}", result.output)]
    write_image(sheet, contact_sheet([tiles]))
    print(f"Wrote {args.output} and {sheet}.")
    return 0
