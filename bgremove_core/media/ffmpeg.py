"""Finding and running the ffmpeg binary, which is optional: callers fall back to OpenCV.

The ffmpeg on PATH wins (a user's own build); else the one the pinned ``imageio-ffmpeg`` package
ships inside its wheel for Windows, macOS and Linux, because Windows and macOS users rarely have
one. That package ships no ffprobe: :func:`probe_streams` then returns None and callers use what
is right for any file.

ffmpeg runs as a child process fed through pipes, so its decoding and encoding happen on other
cores without ever holding Python's GIL. Its diagnostics go to a temporary file (not a pipe
nobody reads, which could fill up and deadlock it) and are quoted in the error when it fails.

Its exit code alone is not enough: ffmpeg 5.1 exits 0 when the Matroska/WebM muxer cannot
write its trailer (measured on a full disk: a 70-frame .webm was cut at 8 frames and reported
as written), so an encode also fails when ffmpeg printed one of :data:`OUTPUT_FAILURES`.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

STDERR_TAIL_CHARS = 600
"""How much of ffmpeg's own message is quoted in an error: enough for the cause, not a log dump."""

PROBE_TIMEOUT_SECONDS = 30
"""ffprobe only reads headers; a file that keeps it busy longer is not worth explaining."""

OUTPUT_FAILURES = ("Error writing trailer", "Error closing file")
"""What ffmpeg (4.x to 7.x) prints when finishing an output file failed, even where it exits 0."""


def find_ffmpeg() -> str | None:
    """The ffmpeg on PATH, else imageio-ffmpeg's build, else None (neither is installed)."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError:  # a wheel without a build for this platform
        return None


STREAM_FIELDS = (
    "codec_type",
    "codec_name",
    "pix_fmt",
    "color_range",
    "color_space",
    "color_primaries",
    "color_transfer",
)
"""What :func:`probe_streams` reads of each stream: enough to explain a file without pictures, to
decode its pictures in the right range, to label the output's colours as the input's and to
decide whether its sound can be copied."""


def probe_streams(path: Path) -> list[dict[str, str]] | None:
    """Each stream of a media file with its :data:`STREAM_FIELDS`, as ffprobe sees them.

    ffprobe reads only the headers (tens of milliseconds). None when ffprobe is missing or cannot
    parse the file, so callers fall back to what is right for any file.
    """
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return None
    try:
        probe = subprocess.run(
            [
                ffprobe,
                "-v",
                "error",
                "-show_entries",
                f"stream={','.join(STREAM_FIELDS)}",
                "-of",
                "json",
                str(path),
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if probe.returncode != 0:
        return None
    try:
        streams = json.loads(probe.stdout).get("streams", [])
    except ValueError:
        return None
    return [{k: str(v) for k, v in stream.items() if k in STREAM_FIELDS} for stream in streams]


def stream_kinds(path: Path) -> list[str] | None:
    """The kinds of stream in a media file (``video``, ``audio``, ...), or None if unknown.

    Only used to explain a file that gives no frame, so None lets the caller fall back to a
    general message.
    """
    streams = probe_streams(path)
    return None if streams is None else [s["codec_type"] for s in streams if s.get("codec_type")]


class FfmpegProcess:
    """One running ffmpeg with its stderr kept for the error message.

    ffmpeg runs in a process group of its own, so Ctrl-C in a terminal (which signals the whole
    foreground group) reaches only bgremove, which stops its ffmpeg itself. Otherwise ffmpeg died
    of the same SIGINT at the same instant, and a job could fail with "ffmpeg could not decode"
    before bgremove had seen the Ctrl-C: ``batch`` reported such inputs as failed, and
    ``bgremove studio`` marked the job failed instead of queueing it for its next start.

    Args:
        args: Everything after the executable name.
        executable: The ffmpeg binary (from :func:`find_ffmpeg`).
        stdin: Open a pipe to write raw frames into.
        stdout: Open a pipe to read raw frames from.
    """

    def __init__(
        self, args: Sequence[str], executable: str, *, stdin: bool = False, stdout: bool = False
    ) -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as ffmpeg
        self.proc = subprocess.Popen(
            [executable, "-hide_banner", "-nostdin", "-loglevel", "error", *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
            stderr=self._stderr,
            process_group=0,  # POSIX; see the class docstring
        )

    def wait(self) -> int:
        """Close our end of the pipes and wait for ffmpeg to finish; returns its exit code."""
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
        return self.proc.wait()

    def kill(self) -> None:
        """Stop ffmpeg at once (on error or Ctrl-C); safe to call after it has ended."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait()
        self._stderr.close()

    def message(self) -> str:
        """The end of what ffmpeg printed, on one line, for quoting in an error sentence."""
        self._stderr.seek(0)
        text = " ".join(self._stderr.read().decode("utf-8", "replace").split())
        return text[-STDERR_TAIL_CHARS:] or "no message"

    def finish(self, *, fatal: Sequence[str] = ()) -> str | None:
        """Wait for ffmpeg; return None on success, else its message. Releases everything.

        Args:
            fatal: Messages that mean failure even when ffmpeg exits 0 (see :data:`OUTPUT_FAILURES`).
        """
        code = self.wait()
        text = self.message()
        self._stderr.close()
        if code < 0:
            return f"stopped by {_signal_text(-code)}: {text}"
        if code != 0:
            return f"exit code {code}: {text}"
        if any(marker in text for marker in fatal):
            return text
        return None


def _signal_text(number: int) -> str:
    """A signal that stopped ffmpeg, named; SIGXFSZ (over ``ulimit -f``) also as the OS error it means."""
    if number not in signal.valid_signals():
        return f"signal {number}"
    name = signal.Signals(number).name
    if number == signal.SIGXFSZ:
        return f"{name}, {os.strerror(errno.EFBIG)}"
    return name
