"""Finding and running the ffmpeg binary, which is optional: callers fall back to OpenCV.

ffmpeg runs as a child process fed through pipes, so its decoding and encoding happen on other
cores without ever holding Python's GIL. Its diagnostics go to a temporary file (not a pipe
nobody reads, which could fill up and deadlock it) and are quoted in the error when it fails.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from typing import IO

STDERR_TAIL_CHARS = 600
"""How much of ffmpeg's own message is quoted in an error: enough for the cause, not a log dump."""


def find_ffmpeg() -> str | None:
    """The ffmpeg executable on PATH, or None when it is not installed."""
    return shutil.which("ffmpeg")


class FfmpegProcess:
    """One running ffmpeg with its stderr kept for the error message.

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

    def finish(self) -> str | None:
        """Wait for ffmpeg; return None on success, else its message. Releases everything."""
        code = self.wait()
        message = None if code == 0 else f"exit code {code}: {self.message()}"
        self._stderr.close()
        return message
