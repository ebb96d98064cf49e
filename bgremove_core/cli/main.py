"""The ``bgremove`` entry point: parse the command line, run one subcommand, turn errors into sentences.

Only argparse and the settings schema are imported up front; each subcommand imports OpenCV,
MediaPipe and the rest inside its ``run``, so ``--version`` and ``--help`` answer instantly.
Any :class:`~bgremove_core.errors.BgRemoveError` becomes one sentence on stderr and exit code 2
(the same code argparse uses for a bad option), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from .. import __version__
from ..errors import BgRemoveError
from .console import PROG, error

COMMANDS = ("process", "batch", "preview", "studio", "live", "bench", "demo")
"""Subcommands in help order; each is the module of that name in this package."""

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The full parser, every subcommand included (cheap: no heavy imports)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Real-time background removal (blur, replace, transparent) for files, "
        "cameras and the screen; the same engine as the OBS filter.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"{__package__}.{name}").add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bgremove`` with ``argv`` (default: the process's arguments); return the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passthrough", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return args.run(args)
    except BgRemoveError as exc:
        error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        error("interrupted; no output was left half-written.")
        return EXIT_INTERRUPTED
