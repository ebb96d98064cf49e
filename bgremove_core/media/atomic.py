"""Outputs that are either complete or absent: never a half-written file, never a clobbered input.

Everything is written to a hidden temporary file beside the output (same directory, so the
final rename is atomic on the same filesystem; same suffix, so encoders pick the right
container) and renamed over the output only once it is complete. Any failure, including Ctrl-C
or a full disk, deletes the temporary file and leaves whatever was at the output untouched.
The temporary file is flushed to the disk before the rename: a write error the kernel only
reports at flush time (a full network share) fails the run instead of leaving a short file,
and a power cut right after the rename cannot leave an empty output in place of the old one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import OutputError

NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
"""Write errors that mean "this file does not fit": a full disk, a full quota, a file-size limit."""


def check_output(output: Path, inputs: Iterable[Path], *, overwrite: bool) -> Path:
    """Validate where an output goes before any work is done; return it as given.

    Raises:
        OutputError: The output is one of the inputs (also through a symlink, a hard link or a
            relative path), already exists without ``overwrite``, or its directory is missing
            (or is a file).
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
    if target.parent.exists() and not target.parent.is_dir():
        raise OutputError(f"The output folder {str(output.parent)!r} is a file, not a folder.")
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
        _flush_to_disk(temp, output)
        os.replace(temp, output)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _flush_to_disk(temp: Path, output: Path) -> None:
    """fsync ``temp``, turning an error the kernel kept until now into the output's write error."""
    fd = os.open(temp, os.O_RDWR)  # not read-only: Windows' fsync needs write access
    try:
        os.fsync(fd)
    except OSError as exc:
        raise write_error(output, exc.strerror or str(exc)) from exc
    finally:
        os.close(fd)


def _no_space_reason(detail: str) -> str | None:
    """The OS's words for "the file does not fit" if ``detail`` (an OS or ffmpeg message) has them."""
    return next((os.strerror(code) for code in NO_SPACE_ERRNOS if os.strerror(code) in detail), None)


def write_error(output: Path, detail: str, *, writer: str = "") -> OutputError:
    """The sentence for a failed write of ``output``: a full disk is said plainly, not buried in a log.

    Args:
        output: The file the user asked for (not the temporary file, which they never named).
        detail: What the OS or the encoder said.
        writer: Who failed to write (e.g. ``ffmpeg``), when that helps to read ``detail``.
    """
    reason = _no_space_reason(detail)
    if reason is not None:
        return OutputError(
            f"{str(output)!r} was not written because there is no room for it ({reason}); any earlier "
            "file of that name is untouched. Free some disk space and run again."
        )
    return OutputError(f"{writer or 'bgremove'} could not write {str(output)!r} ({detail}).")
