"""Fixtures for the CLI tests: real media made with ffmpeg from the shared data, and runners.

The CLI runs in-process (``main(argv)``) where that is enough, which saves loading MediaPipe for
every call, and as a real child process where the process itself matters (exit on Ctrl-C,
``--version`` before heavy imports, ffmpeg missing from PATH).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _require_ffmpeg(ffmpeg: None) -> None:
    """Every test here makes or checks media with ffmpeg."""


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A folder with lucia.mp4 plus a 440 Hz sine sound track (clip.mp4), made once per session."""
    folder = tmp_path_factory.mktemp("media")
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-i", str(shared_data / "clips" / "lucia.mp4")),
            *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"),
            *(
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-c:v",
                "copy",
                "-c:a",
                "aac",
                "-shortest",
                str(folder / "clip.mp4"),
            ),
        ],
        check=True,
    )
    return folder


@pytest.fixture
def clip(media: Path, tmp_path: Path) -> Path:
    """A private copy of the clip with sound, so a test may put outputs beside it."""
    return Path(shutil.copy(media / "clip.mp4", tmp_path / "clip.mp4"))


@pytest.fixture(scope="module")
def xvfb() -> Iterator[str]:
    """A private Xvfb display (1280x720), yielded as its ``DISPLAY`` value."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb must be on PATH for the live tests (apt-get install xvfb).", pytrace=False)
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not report its display number"
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
