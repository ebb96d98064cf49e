"""Fixtures for the CLI tests: real media made with ffmpeg from the shared data, broken files.

The CLI runs in-process (``main(argv)``) where that is enough, which saves loading MediaPipe for
every call, and as a real child process where the process itself matters (exit on Ctrl-C,
``--version`` before heavy imports, ffmpeg missing from PATH).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from tests.support.images import run_ffmpeg
from tests.support.procs import xvfb_display


@pytest.fixture(scope="session", autouse=True)
def _require_ffmpeg(ffmpeg: None) -> None:
    """Every test here makes or checks media with ffmpeg."""


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A folder with lucia.mp4 plus a 440 Hz sine sound track (clip.mp4), made once per session."""
    folder = tmp_path_factory.mktemp("media")
    run_ffmpeg(
        *("-i", shared_data / "clips" / "lucia.mp4"),
        *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"),
        *("-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-shortest", folder / "clip.mp4"),
    )
    return folder


@pytest.fixture(scope="session")
def broken(media: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of inputs a user gets wrong, made once and never written by a test: real files cut
    short, renamed, emptied or of the wrong kind, beside a good photo (person.jpg) and clip.mp4."""
    folder = tmp_path_factory.mktemp("broken")
    person = Path(shutil.copy(shared_data / "people" / "images" / "105.jpg", folder / "person.jpg"))
    clip = Path(shutil.copy(media / "clip.mp4", folder / "clip.mp4"))
    for name in ("zero.png", "zero.mp4", "zero.tflite"):
        (folder / name).write_bytes(b"")
    (folder / "text.png").write_text("This is a text file, not a picture.\n")
    (folder / "notes.txt").write_text("hello")
    (folder / "trunc.jpg").write_bytes(person.read_bytes()[: person.stat().st_size // 3])
    (folder / "broken.mp4").write_bytes(clip.read_bytes()[:3000])  # its index (moov) is at the end: cut off
    (folder / "rand.tflite").write_bytes(random.Random(7).randbytes(100_000))
    shutil.copy(person, folder / "still.mp4")
    shutil.copy(clip, folder / "video.png")
    shutil.copy(clip, folder / "bg.mp4")
    cv2.imwrite(str(folder / "bg.png"), cv2.imread(str(person)))
    (folder / "link.mp4").symlink_to(clip)
    (folder / "sub").mkdir()
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", folder / "audio_only.mp4")
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", folder / "song.m4a")
    run_ffmpeg("-i", clip, "-map", "0:v", "-frames:v", "0", "-c", "copy", folder / "noframes.mp4")
    return folder


@pytest.fixture
def clip(media: Path, tmp_path: Path) -> Path:
    """A private copy of the clip with sound, so a test may put outputs beside it."""
    return Path(shutil.copy(media / "clip.mp4", tmp_path / "clip.mp4"))


@pytest.fixture(scope="module")
def xvfb() -> Iterator[str]:
    """A private Xvfb display (1280x720), yielded as its ``DISPLAY`` value."""
    with xvfb_display() as display:
        yield display
