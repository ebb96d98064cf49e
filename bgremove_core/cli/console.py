"""What the CLI tells the user: warnings and notes on stderr, progress bars only on a terminal.

Results (what was written, how fast) go to stdout so they can be captured; everything else
goes to stderr so it never mixes into piped output.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm import tqdm

PROG = "bgremove"


def warn(message: str) -> None:
    """Print a warning sentence on stderr (a degraded but working run)."""
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def error(message: str) -> None:
    """Print an error sentence on stderr (the run was refused or failed)."""
    print(f"{PROG}: error: {message}", file=sys.stderr)


def progress(total: int | None, description: str, *, quiet: bool) -> tqdm:
    """A frame progress bar on stderr, shown only on an interactive terminal and without --quiet."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=description,
        unit="frame",
        disable=quiet or not sys.stderr.isatty(),
        leave=False,
        dynamic_ncols=True,
    )
