"""Outputs that are either complete or absent: never a half-written file, never a clobbered input.

Everything is written to a hidden temporary file beside the output (same directory, so the
final rename is atomic on the same filesystem; same suffix, so encoders pick the right
container) and renamed over the output only once it is complete. Any failure, including Ctrl-C
or a full disk, deletes the temporary file and leaves whatever was at the output untouched.
The temporary file is flushed to the disk before the rename: a write error the kernel only
reports at flush time (a full network share) fails the run instead of leaving a short file,
and a power cut right after the rename cannot leave an empty output in place of the old one.

A run that dies without running Python's clean-up (SIGKILL, the OOM killer, a power cut) cannot
delete its temporary file, and a video's can be gigabytes, so every write first deletes its own
output's abandoned ones. Which are abandoned is told by a claim the writer holds on its temporary
file for as long as it lives, and which the OS drops when the process dies however it dies:

- POSIX: an exclusive ``flock`` on a descriptor opened when the file is created. The descriptor
  is not inherited, so the ffmpeg child that writes the same path never holds the claim and an
  orphaned encoder cannot keep a dead run's file alive. A sibling whose lock can be taken is a
  dead writer's and is deleted; one whose lock is held belongs to a live run (a concurrent run
  for the same output) and is left alone. On a filesystem without locks nothing is deleted.
- Windows: the open descriptor itself, since a file that any process has open cannot be
  deleted (Python opens without ``FILE_SHARE_DELETE``): a sibling that can be deleted is a dead
  writer's. The descriptor is closed just before the rename and the failure clean-up, which
  Windows would refuse on an open file.

Only names this module makes for the same output (``.{stem}.{8 hex digits}.partial{suffix}``) are
swept: never another output's temporary file (``clip.take2.mp4``'s for ``clip.mp4``), never
anything else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import OutputError

if sys.platform != "win32":
    import fcntl

TOKEN_BYTES = 4
"""Random bytes in a temporary file's name, so that concurrent writes of one output never collide."""

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
    """Yield a temporary path to write to; it becomes ``output`` only if the block succeeds.

    Dead runs' temporary files for ``output`` are deleted first (see the module docstring).

    Raises:
        OutputError: The temporary file cannot be created, nothing was written to it, or the
            flush to the disk failed.
    """
    sweep_abandoned(output)
    temp, claim = _create_claimed(output)
    try:
        yield temp
        if not _written(temp):
            raise OutputError(f"Nothing was written for {str(output)!r}.")
        _flush_to_disk(temp, output)
        if sys.platform == "win32":
            claim.release()  # Windows renames no open file; on POSIX the claim lasts past the rename
        os.replace(temp, output)
    except BaseException:
        claim.release()  # Windows deletes no open file either; on POSIX the order does not matter
        temp.unlink(missing_ok=True)
        raise
    finally:
        claim.release()


class _Claim:
    """The open descriptor that marks a temporary file as a live writer's; released once."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        """Close the descriptor (dropping the lock with it); later calls do nothing."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def sweep_abandoned(output: Path) -> None:
    """Delete the temporary files of ``output`` that no live writer claims.

    Anything that cannot be checked or deleted is left for a later run: sweeping never fails a write.
    """
    before, after = _temp_name(output, "\0").split("\0")  # NUL: in no file name
    own = re.compile(f"{re.escape(before)}[0-9a-f]{{{2 * TOKEN_BYTES}}}{re.escape(after)}")
    try:
        names = [entry.name for entry in os.scandir(output.parent) if own.fullmatch(entry.name)]
    except OSError:
        return
    for name in names:
        with contextlib.suppress(OSError):  # BlockingIOError included: a live writer's lock
            _delete_if_abandoned(output.parent / name)


def _delete_if_abandoned(path: Path) -> None:
    """Delete ``path`` unless a live writer claims it, which raises OSError."""
    if sys.platform == "win32":
        os.unlink(path)  # refused while any process has the file open
        return
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # no symlink, no FIFO wait
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held = os.fstat(fd)
        if stat.S_ISREG(held.st_mode) and os.path.samestat(held, os.lstat(path)):
            os.unlink(path)
    finally:
        os.close(fd)


def _temp_name(output: Path, token: str) -> str:
    """The hidden name of one write's temporary file: beside ``output``, with its suffix."""
    return f".{output.stem}.{token}.partial{output.suffix}"


def _create_claimed(output: Path) -> tuple[Path, _Claim]:
    """Create a new temporary file for ``output`` and claim it: (its path, the claim).

    Raises:
        OutputError: The file cannot be created (a read-only folder, a full disk).
    """
    while True:
        temp = output.with_name(_temp_name(output, secrets.token_hex(TOKEN_BYTES)))
        try:
            fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL)  # not inheritable (PEP 446)
        except FileExistsError:
            continue
        except OSError as exc:
            raise write_error(output, exc.strerror or str(exc)) from exc
        if _lock_new(fd, temp):
            return temp, _Claim(fd)
        os.close(fd)  # another run's sweep took it in the instant before the lock: a new name


def _lock_new(fd: int, temp: Path) -> bool:
    """Lock the just-created ``temp`` through ``fd``; False if a sweep got to it first."""
    if sys.platform == "win32":
        return True  # the open descriptor is the claim
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True  # a filesystem without locks: sweeps cannot lock either, so they never delete
    try:
        return os.path.samestat(os.fstat(fd), os.stat(temp))
    except FileNotFoundError:
        return False


def _written(temp: Path) -> bool:
    """The writer put something in ``temp`` (which exists from the start, empty)."""
    try:
        return temp.stat().st_size > 0
    except FileNotFoundError:
        return False


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
