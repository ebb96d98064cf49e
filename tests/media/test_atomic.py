"""Atomic outputs: what a dead run leaves is swept by the next write, a live run's file never is.

The writers here are real: this process, and a child Python that holds ``atomic_output`` open
until it is SIGKILLed (no clean-up runs, as after a crash).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bgremove_core.errors import OutputError
from bgremove_core.media.atomic import atomic_output

HOLDER = """
import sys
from pathlib import Path
from bgremove_core.media.atomic import atomic_output
with atomic_output(Path(sys.argv[1])) as temp:
    temp.write_bytes(b"half a video")
    print(temp, flush=True)
    sys.stdin.read()
"""
"""A writer that stays in the middle of its write until its stdin closes or it is killed."""


def _partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A live writer of ``tmp_path/o.mp4`` in another process, and its temporary file."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "o.mp4")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            assert line, "the holder did not start writing"
            yield proc, Path(line)
        finally:
            proc.kill()


def test_a_killed_writers_file_is_swept_by_the_next_write(
    tmp_path: Path, holder: tuple[subprocess.Popen[str], Path]
) -> None:
    proc, held = holder
    out = tmp_path / "o.mp4"
    with atomic_output(out) as temp:
        temp.write_bytes(b"complete")
    assert held.read_bytes() == b"half a video", "a live writer's file must survive another write"
    assert _partials(tmp_path) == [held.name]

    proc.kill()
    proc.wait()
    assert held.exists(), "SIGKILL runs no clean-up"
    with atomic_output(out) as temp:
        temp.write_bytes(b"again")
    assert out.read_bytes() == b"again"
    assert _partials(tmp_path) == []


def test_a_live_writer_in_this_process_is_not_swept(tmp_path: Path) -> None:
    out = tmp_path / "o.png"
    with atomic_output(out) as first:
        first.write_bytes(b"first")
        with atomic_output(out) as second:
            second.write_bytes(b"second")
            assert first.read_bytes() == b"first"
            assert _partials(tmp_path) == sorted([first.name, second.name])
        assert out.read_bytes() == b"second"
        assert first.exists()
    assert out.read_bytes() == b"first"
    assert _partials(tmp_path) == []


def test_only_this_outputs_own_leftovers_are_swept(tmp_path: Path) -> None:
    own = tmp_path / ".clip.0badf00d.partial.mp4"
    others = [
        ".clip.take2.0badf00d.partial.mp4",  # clip.take2.mp4's: its stem starts like ours
        ".clip.0badf00d.partial.mkv",  # clip.mkv's
        ".clip.notahex!.partial.mp4",  # not a name atomic_output makes
        ".clip.0badf00d.partial.mp4.bak",
        "clip.0badf00d.partial.mp4",
        "notes.txt",
    ]
    for name in [own.name, *others]:
        (tmp_path / name).write_bytes(name.encode())
    with atomic_output(tmp_path / "clip.mp4") as temp:
        temp.write_bytes(b"complete")
    assert not own.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*others, "clip.mp4"])
    for name in others:
        assert (tmp_path / name).read_bytes() == name.encode()


def test_a_failed_write_leaves_the_older_output_and_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    out.write_bytes(b"older")
    with pytest.raises(OutputError, match="Nothing was written"), atomic_output(out):
        pass
    with pytest.raises(RuntimeError), atomic_output(out) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("the encoder failed")
    assert out.read_bytes() == b"older"
    assert _partials(tmp_path) == []
