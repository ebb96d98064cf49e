"""Where a job's result goes: the output folder, under its input's name, as ``bgremove batch`` names it.

The suffix is batch's (:func:`~bgremove_core.media.formats.output_suffix`: a transparent video
becomes ``.webm``, a transparent JPEG ``.png``). Batch refuses a second input for one output; a
studio user who processes one recording twice (other settings, another try) gets ``name-2.mp4``,
``name-3.mp4``... instead, never a file written over.
"""

from __future__ import annotations

from collections.abc import Set
from pathlib import Path

from bgremove_core.media.formats import output_suffix


def output_for(name: str, out: Path, *, alpha: bool, taken: Set[Path]) -> Path:
    """The first free output for an input called ``name`` (free: no file, no other job's)."""
    first = out / Path(name).with_suffix(output_suffix(Path(name), alpha=alpha))
    candidate, number = first, 1
    while candidate in taken or candidate.exists():
        number += 1
        candidate = first.with_name(f"{first.stem}-{number}{first.suffix}")
    return candidate
