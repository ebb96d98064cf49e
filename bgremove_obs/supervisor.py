"""Start, watch and restart one filter's worker process, without ever blocking OBS.

The worker runs ``python -m bgremove_obs.worker <channel>`` with the *venv's* interpreter: inside
OBS ``sys.executable`` is OBS itself, and the model stack (MediaPipe, OpenCV) is only importable
there. A separate process has no GIL contention with OBS's graphics thread and cannot take OBS
down when it crashes.

The worker's stdin is a pipe that only this side holds: when OBS exits or crashes the pipe closes
and the worker exits by itself, so no orphan keeps running. A worker that dies is restarted from
:meth:`WorkerProcess.poll` after a back-off that doubles up to :data:`MAX_BACKOFF` seconds and
resets once a worker has stayed up for :data:`HEALTHY_AFTER` seconds.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from .channel import Channel

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
HEALTHY_AFTER = 30.0
STOP_TIMEOUT = 3.0


class WorkerProcess:
    """The worker of one filter instance and the channel it talks through.

    Args:
        python: The venv interpreter to run the worker with.
        code_root: Directory that contains ``bgremove_obs`` and ``bgremove_core`` (put on
            ``PYTHONPATH`` so a source checkout works without installing the package).
        log: ``log(message)`` for lifecycle lines (start, exit, restart).
    """

    def __init__(self, python: Path, code_root: Path, log: Callable[[str], None]) -> None:
        self._python = python
        self._code_root = code_root
        self._log = log
        self.channel = Channel.create()
        self._process: subprocess.Popen | None = None
        self._started_at = 0.0
        self._backoff = FIRST_BACKOFF
        self._restart_at: float | None = None
        self.exit_reason = ""
        self._start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
        env["PYTHONPATH"] = str(self._code_root)
        command = [str(self._python), "-m", "bgremove_obs.worker", str(self.channel.path)]
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, cwd=self._code_root
            )
        except OSError as error:
            self._process = None
            self.exit_reason = f"The worker could not be started with {self._python}: {error}."
            self._schedule_restart(time.monotonic())
            return
        self._started_at = time.monotonic()
        self._restart_at = None
        self.exit_reason = ""
        self._log(f"worker started (pid {self._process.pid})")

    def _schedule_restart(self, now: float) -> None:
        self._restart_at = now + self._backoff
        self._log(f"{self.exit_reason} Restarting it in {self._backoff:g} s.")
        self._backoff = min(self._backoff * 2, MAX_BACKOFF)

    def poll(self) -> None:
        """Notice a dead worker and restart it when its back-off has passed; cheap, never waits."""
        now = time.monotonic()
        if self._restart_at is not None:
            if now >= self._restart_at:
                self._start()
            return
        if self._process is None or self._process.poll() is None:
            return
        code = self._process.returncode
        self._process = None
        if now - self._started_at >= HEALTHY_AFTER:
            self._backoff = FIRST_BACKOFF
        self.exit_reason = f"The worker stopped (exit code {code})."
        self._schedule_restart(now)

    def close(self) -> None:
        """Stop the worker (closing its stdin asks it to exit) and delete the channel; idempotent."""
        process, self._process = self._process, None
        self._restart_at = None
        if process is not None:
            with contextlib.suppress(OSError):
                if process.stdin is not None:
                    process.stdin.close()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.channel.close()
