"""``bgremove bench``: the speed and quality benchmarks of :mod:`bgremove_core.benchmark`.

The benchmark owns its options; every argument after ``bench`` is handed to it unchanged, so
``bgremove bench --help`` shows the benchmark's own help.
"""

from __future__ import annotations

import argparse

HELP = "Measure speed (side by side with a naive baseline) or mask quality; see 'bgremove bench --help'."


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``bench``; its arguments are passed through (see :func:`run`)."""
    p = subparsers.add_parser("bench", help=HELP, description=HELP, add_help=False)
    p.set_defaults(run=run, passthrough=True)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with the arguments that followed ``bench``."""
    from .. import benchmark

    return benchmark.main(args.extra)
