"""Outputs that are either complete or absent: never a half-written file, never a clobbered input.

Everything is written to a hidden temporary file beside the output (same directory, so the
final rename is atomic on the same filesystem; same suffix, so encoders pick the right
container) and renamed over the output only once it is complete. Any failure, including Ctrl-C
or a full disk, deletes the temporary file and leaves whatever was at the output untouched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import OutputError


def check_output(output: Path, inputs: Iterable[Path], *, overwrite: bool) -> Path:
    """Validate where an output goes before any work is done; return it as given.

    Raises:
        OutputError: The output is one of the inputs (also through a symlink, a hard link or a
            relative path), already exists without ``overwrite``, or its directory is missing.
    """
    target = output.resolve()
    for source in inputs:
        if target == source.resolve() or (
            output.exists() and source.exists() and os.path.samefile(output, source)
        ):
            raise OutputError(
                f"The output {str(output)!r} is also a file this run reads ({str(source)!r}); "
                "choose another output name."
            )
    if output.is_dir():
        raise OutputError(f"The output {str(output)!r} is a directory; give a file name.")
    if output.exists() and not overwrite:
        raise OutputError(f"The output {str(output)!r} already exists; pass --overwrite to replace it.")
    if not target.parent.is_dir():
        raise OutputError(f"The output folder {str(output.parent)!r} does not exist; create it first.")
    return output


@contextlib.contextmanager
def atomic_output(output: Path) -> Iterator[Path]:
    """Yield a temporary path to write to; it becomes ``output`` only if the block succeeds."""
    temp = output.with_name(f".{output.stem}.{secrets.token_hex(4)}.partial{output.suffix}")
    try:
        yield temp
        if not temp.exists():
            raise OutputError(f"Nothing was written for {str(output)!r}.")
        os.replace(temp, output)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
