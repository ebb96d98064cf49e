"""Files coming into the studio: a safe name, streamed to a hidden temporary file, renamed when whole.

A browser sends each file as the raw body of one request, so a file of any size goes to the disk
in chunks and is never held in memory. The name it carries is only a label: the file is stored
as ``<random>-<name>`` with every folder part, control character and leading dot removed, inside
the uploads folder, so no name can write anywhere else. It is recorded in the store only once it
is whole and in place: a file that is too large, cut off, or fails to write leaves nothing
behind, and a studio killed mid-upload leaves only a hidden ``.upload-*`` file, deleted at its
next start.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bgremove_core.errors import BgRemoveError
from bgremove_core.media.atomic import write_error
from bgremove_core.media.formats import input_kind

from .store import Role, Store

TEMP_PREFIX = ".upload-"
MAX_NAME = 120
"""Characters kept of an uploaded name (file systems allow 255 bytes; a label needs fewer)."""

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


class UploadError(BgRemoveError):
    """An upload is refused; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def safe_name(name: str) -> str:
    """The last part of ``name`` with nothing that could name a folder or hide the file."""
    base = re.split(r"[/\\]", name)[-1]
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    if len(base) > MAX_NAME:
        stem, suffix = os.path.splitext(base)
        base = stem[: MAX_NAME - len(suffix)] + suffix
    return base or "file"


def sweep_temporaries(folder: Path) -> None:
    """Delete what uploads cut off by a killed studio left behind."""
    for path in folder.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            path.unlink()


def check_upload(name: str, role: Role, size: int | None, limit: int) -> str:
    """Refuse what can be refused before a byte is read; returns the safe name.

    Raises:
        UploadError: The file is too large, or (for an input) not a video or image bgremove reads.
    """
    safe = safe_name(name)
    if size is not None and size > limit:
        raise UploadError(_too_large(safe, limit), 413)
    if role == Role.INPUT:
        try:
            input_kind(Path(safe))
        except BgRemoveError as exc:
            raise UploadError(str(exc), 415) from exc
    return safe


async def receive(
    chunks: AsyncIterator[bytes], folder: Path, store: Store, name: str, role: Role, limit: int
) -> tuple[int, Path]:
    """Write ``chunks`` into ``folder`` as a new upload of ``name``: (its id, where it is).

    Raises:
        UploadError: More than ``limit`` bytes arrived, none did, or the disk refused them.
    """
    token = secrets.token_hex(8)
    temp = folder / f"{TEMP_PREFIX}{token}"
    final = None
    try:
        size = 0
        with temp.open("xb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadError(_too_large(name, limit), 413)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise UploadError(str(write_error(Path(name), exc.strerror or str(exc))), 507) from exc
        if size == 0:
            raise UploadError(f"The file {name!r} is empty (0 bytes).", 400)
        os.replace(temp, folder / f"{token}-{name}")
        final = folder / f"{token}-{name}"
        return store.add_upload(name, final, role), final
    except OSError as exc:
        raise UploadError(f"The file {name!r} could not be stored ({exc.strerror or exc}).", 507) from exc
    finally:
        if final is None:
            temp.unlink(missing_ok=True)


def _too_large(name: str, limit: int) -> str:
    return (
        f"The file {name!r} is larger than the {limit / 1e9:g} GB this studio accepts; start it with "
        "a larger --max-upload-gb to allow it."
    )


def describe(path: Path) -> dict[str, Any]:
    """What the page needs to show a file: its kind, size in pixels and, for a video, its frames.

    Raises:
        MediaError: The file cannot be read (the sentence ``bgremove process`` would print).
    """
    from bgremove_core.media.images import read_image
    from bgremove_core.media.video import probe_video

    if input_kind(path) == "image":
        height, width = read_image(path).shape[:2]
        return {"kind": "image", "width": width, "height": height, "frames": 1, "fps": 0, "duration": 0}
    info = probe_video(path)
    return {
        "kind": "video",
        "width": info.width,
        "height": info.height,
        "frames": info.frame_count,
        "fps": info.fps,
        "duration": info.duration,
    }
