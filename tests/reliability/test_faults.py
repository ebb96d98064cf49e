"""Faults (issue 5, item 3): a full disk, a broken MediaPipe install, a decompression bomb.

Each fault runs the real CLI as a child process and must end in one clear sentence and exit 2,
with no partial output and no temporary file left, and any older output untouched.

The full disk is a 64 KiB tmpfs (root can mount one, as in CI); where mounting is not allowed
the child gets a 64 KiB file-size limit instead (RLIMIT_FSIZE with SIGXFSZ ignored, so writes
fail with EFBIG instead of killing it), which fails the same writes the same way. The limit is
also tested on its own, as a user's ``ulimit -f`` would set it: Python restores SIGXFSZ for
the ffmpeg child, which the limit then stops with that signal.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from reltools import Media, run_measured

from tests.support.clirun import assert_refused, leftovers, run_cli

DISK_BYTES = 64 * 1024
"""Smaller than any output below (the smallest, the PNG, is ~400 KB), larger than the older file."""

OLDER = b"an older output that must survive\n"

BOMB_PEAK_MB = 500
"""Peak memory allowed for refusing a 16384x16384 image. Loading MediaPipe alone is ~150 MB;
decoding the image costs 768 MB more, so a run that decodes it cannot pass."""


@dataclass(frozen=True)
class SmallDisk:
    folder: Path
    preexec_fn: Callable[[], None] | None
    """Set when the tmpfs could not be mounted: limits the child's file size instead."""


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (DISK_BYTES, DISK_BYTES))


@pytest.fixture(params=["tmpfs", "file-size-limit"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SmallDisk]:
    """A folder where 64 KiB fit: a tiny tmpfs (or, where mounting is refused, a file-size limit),
    and a file-size limit alone (``ulimit -f``), which also stops ffmpeg with SIGXFSZ."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = False
    if request.param == "tmpfs":
        mount = ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(folder)]
        mounted = subprocess.run(mount, capture_output=True).returncode == 0
    try:
        yield SmallDisk(folder, None if mounted else _limit_file_size)
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


DISK_FULL_CASES = {
    "mp4": ("clip", "o.mp4", ()),
    "mkv": ("clip", "o.mkv", ()),
    "webm-alpha": ("clip", "o.webm", ("--background", "transparent")),
    "png": ("person", "o.png", ()),
    "mp4-without-ffmpeg": ("clip", "o.mp4", ()),
}
"""(input, output name, extra arguments). Matroska/WebM are here because ffmpeg 5.1 exits 0
when their trailer cannot be written; without ffmpeg, OpenCV's encoder reports nothing at all."""


@pytest.mark.parametrize("case", list(DISK_FULL_CASES))
def test_full_disk_leaves_the_older_output_and_no_partial(
    media: Media, small_disk: SmallDisk, tmp_path: Path, case: str
) -> None:
    source, name, extra = DISK_FULL_CASES[case]
    out = small_disk.folder / name
    out.write_bytes(OLDER)
    env = dict(os.environ)
    if case.endswith("without-ffmpeg"):
        env["PATH"] = str(tmp_path)  # an empty folder: neither ffmpeg nor ffprobe is found
    run = run_cli(
        ["process", getattr(media, source), out, "--overwrite", *extra],
        env=env,
        preexec_fn=small_disk.preexec_fn,
    )
    assert_refused(run, "was not written because there is no room for it")
    assert out.read_bytes() == OLDER
    assert leftovers(small_disk.folder) == []
    assert sorted(p.name for p in small_disk.folder.iterdir()) == [name]


def _fake_mediapipe(folder: Path, error: str) -> Path:
    """A ``mediapipe`` package whose import fails like a broken native install does."""
    package = folder / "mediapipe"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"raise {error}\n")
    return folder


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (
            'ImportError("libGL.so.1: cannot open shared object file: No such file or directory")',
            "MediaPipe could not be imported (libGL.so.1",
        ),
        (
            'OSError("libGLESv2.so.2: cannot open shared object file: No such file or directory")',
            "install the OpenGL ES library (Debian/Ubuntu: sudo apt-get install libgles2)",
        ),
    ],
    ids=["import-error", "missing-libgles2"],
)
def test_mediapipe_that_fails_to_load_is_named(
    media: Media, tmp_path: Path, error: str, sentence: str
) -> None:
    fake = _fake_mediapipe(tmp_path / "site", error)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(fake), os.environ.get("PYTHONPATH")])),
    }
    out = tmp_path / "o.png"
    run = run_cli(["process", media.person, out], env=env)
    assert_refused(run, sentence)
    assert run.err.count("\n") == 1, run.err
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("role", ["background", "input"])
def test_16k_image_is_refused_before_it_is_decoded(media: Media, tmp_path: Path, role: str) -> None:
    huge = media / "huge.png"
    if role == "background":
        args = ["process", media.person, tmp_path / "o.png", "--background", "image", "--image", huge]
    else:
        args = ["process", huge, tmp_path / "o.png"]
    run = run_measured(args)
    assert_refused(run, "is too large")
    assert "16384x16384" in run.error_line or "megapixels" in run.error_line
    assert run.peak_mb < BOMB_PEAK_MB, f"peak memory {run.peak_mb:.0f} MB"
    assert list(tmp_path.iterdir()) == []
