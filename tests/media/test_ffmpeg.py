"""Finding and running ffmpeg: the PATH's build or the one in imageio-ffmpeg's wheel, what ffprobe
says about real files, and how a failed or killed ffmpeg is reported."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
from pathlib import Path

import pytest

from bgremove_core.media.ffmpeg import FfmpegProcess, find_ffmpeg, probe_streams, stream_kinds
from tests.support.images import run_ffmpeg


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory, ffmpeg: None) -> Path:
    """One second of a sine in AAC: a file with sound and no picture."""
    path = tmp_path_factory.mktemp("sound") / "sine.m4a"
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", path)
    return path


def test_without_ffmpeg_on_path_the_wheels_build_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows and macOS users rarely have ffmpeg: the pinned imageio-ffmpeg's build must run."""
    monkeypatch.setenv("PATH", "/nonexistent")
    found = find_ffmpeg()
    assert found is not None
    version = subprocess.run([found, "-version"], capture_output=True, text=True, check=True, timeout=60)
    assert version.stdout.startswith("ffmpeg version")


def test_probe_reads_the_real_clips_picture_and_colour(lucia_clip: Path, ffmpeg: None) -> None:
    (video,) = (s for s in probe_streams(lucia_clip) or [] if s["codec_type"] == "video")
    assert video["codec_name"] == "h264" and video["pix_fmt"] == "yuv420p"


def test_stream_kinds_tell_a_sound_file_from_a_broken_one(sound: Path, tmp_path: Path) -> None:
    assert stream_kinds(sound) == ["audio"]
    text = tmp_path / "notes.mp4"
    text.write_text("not media")
    assert probe_streams(text) is None and stream_kinds(text) is None


def test_a_failing_ffmpeg_reports_its_exit_code_and_message(tmp_path: Path) -> None:
    process = FfmpegProcess(["-i", str(tmp_path / "nope.mp4"), "-f", "null", "-"], find_ffmpeg() or "ffmpeg")
    error = process.finish()
    assert error is not None and error.startswith("exit code ") and "nope.mp4" in error


def test_a_killed_ffmpeg_is_named_by_its_signal() -> None:
    """Over a file-size limit (``ulimit -f``) the kernel sends SIGXFSZ: said as the file not fitting."""
    process = FfmpegProcess(
        ["-f", "rawvideo", "-s", "16x16", "-pix_fmt", "gray", "-i", "-", "-f", "null", "-"],
        find_ffmpeg() or "ffmpeg",
        stdin=True,
    )
    assert os.getpgid(process.proc.pid) == process.proc.pid, "ffmpeg runs in a process group of its own"
    os.kill(process.proc.pid, signal.SIGXFSZ)
    assert process.finish() == f"stopped by SIGXFSZ, {os.strerror(errno.EFBIG)}: no message"
