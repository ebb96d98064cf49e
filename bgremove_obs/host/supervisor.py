"""Start, watch and restart one filter's worker process, without ever blocking OBS.

The worker runs ``python -m bgremove_obs.worker.main <channel>`` with the *venv's* interpreter: inside
OBS ``sys.executable`` is OBS itself, and the model stack (MediaPipe, OpenCV) is only importable
there. A separate process has no GIL contention with OBS's graphics thread and cannot take OBS
down when it crashes.

The worker's stdin is a pipe that only this side holds: when OBS exits or crashes the pipe closes
and the worker exits by itself, so no orphan keeps running. The same pipe wakes the worker when a
frame or settings arrive (:meth:`WorkerProcess.wake`), so an idle worker sleeps instead of polling.

Faults, all noticed from :meth:`WorkerProcess.poll` (called every frame from ``video_tick``):

- A worker that dies is restarted at once the first time (a one-off crash costs about one
  second of pass-through, the worker's start-up), then after a back-off that doubles up to
  :data:`MAX_BACKOFF` seconds, so a worker that cannot start does not eat the CPU. The back-off
  resets once a worker has been *answering* for :data:`HEALTHY_AFTER` seconds, counted from its
  first heartbeat: a worker that never got through its start-up was never healthy, however long
  it tried. Every restart is logged with its running count.
- A worker that stops answering (hung in native code, stopped, starved) is found by its
  heartbeat: the worker bumps the channel's heartbeat mailbox on every turn of its loop. No beat
  for :data:`HANG_SECONDS` and it is killed, which turns the hang into the crash case above.
  Before the first beat the allowance is :data:`STARTUP_SECONDS` (imports and model loading,
  which a loaded machine or a cold disk can stretch far beyond the usual second), doubled after
  each start-up that ran out of it, so a slow machine gets there instead of looping.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..wire.channel import Channel

FIRST_BACKOFF = 1.0
"""Delay before the second restart in a row; the first restart is immediate."""
MAX_BACKOFF = 30.0
HEALTHY_AFTER = 30.0
HANG_SECONDS = 5.0
"""No heartbeat for this long means hung. Longer than any single step of the worker (a model
switch, a 4K frame, 1 fps inference with ``max_fps`` = 1) on a busy 2-core machine."""
STARTUP_SECONDS = 60.0
"""Allowance before the first heartbeat: importing MediaPipe and OpenCV and loading the model
(about 1 s warm and 2 s cold on an idle 2-core machine; a busy one can take many times that)."""
MAX_STARTUP_SECONDS = 600.0
DROPPED_ENV = ("PYTHONHOME", "PYTHONPATH", "DISPLAY", "WAYLAND_DISPLAY")
"""Not passed to the worker: OBS's Python settings belong to another interpreter, and with a
display MediaPipe opens a GL context on it that the CPU model never uses (measured: +56 MB RSS,
+6 threads and an X connection per worker)."""
CREATION_FLAGS = getattr(subprocess, "CREATE_NO_WINDOW", 0)
"""Windows: the worker is a console program started by a windowed one (OBS), which would open a
console window beside OBS for it; CREATE_NO_WINDOW runs it without one. 0 elsewhere."""


def backoff(failures: int) -> float:
    """Seconds to wait before restart number ``failures`` of a row (1-based): 0, 1, 2, 4 ... 30."""
    if failures <= 1:
        return 0.0
    return min(FIRST_BACKOFF * 2 ** (failures - 2), MAX_BACKOFF)


class WorkerProcess:
    """The worker of one filter instance and the channel it talks through.

    Args:
        python: The venv interpreter to run the worker with.
        code_root: Directory that contains ``bgremove_obs`` and ``bgremove_core`` (put on
            ``PYTHONPATH`` so a source checkout works without installing the package).
        log: ``log(message)`` for lifecycle lines (start, exit, restart).
        clock: Monotonic seconds (tests drive the allowances with their own clock).

    Attributes:
        restarts: How many times the worker was restarted (or a restart was attempted).
        exit_reason: Why the last worker stopped, while no new one is running ("" otherwise).
    """

    def __init__(
        self,
        python: Path,
        code_root: Path,
        log: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._python = python
        self._clock = clock
        self._code_root = code_root
        self._log = log
        self.channel = Channel.create()
        self._process: subprocess.Popen | None = None
        self._wake_fd: int | None = None
        self._started_at = 0.0
        self._failures = 0
        self._restart_at: float | None = None
        self._masks_at_start = 0
        self._beats = 0
        self._beat_at: float | None = None
        self._first_beat_at: float | None = None
        self._startup_allowance = STARTUP_SECONDS
        self.restarts = 0
        self.exit_reason = ""
        self._start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        """Running *and* answered since it was (re)started: only then is a mask the current one.

        Right after a restart the textures still hold the dead worker's last mask, which no
        longer matches the picture; the filter passes the picture through until this is True.
        """
        return (
            self._process is not None
            and self._process.poll() is None
            and self.channel.masks.count() > self._masks_at_start
        )

    def _start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        env["PYTHONPATH"] = str(self._code_root)
        command = [str(self._python), "-m", "bgremove_obs.worker.main", str(self.channel.path)]
        self._restart_at = None
        self._masks_at_start = self.channel.masks.count()
        self._beats, self._beat_at, self._first_beat_at = self.channel.heartbeat.count(), None, None
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                env=env,
                cwd=self._code_root,
                creationflags=CREATION_FLAGS,
            )
        except OSError as error:
            self._process = None
            self._failed(self._clock(), f"The worker could not be started with {self._python}: {error}.")
            return
        self._started_at = self._clock()
        self._wake_fd = _non_blocking(self._process.stdin)
        self.exit_reason = ""
        self._log(f"worker started (pid {self._process.pid})")

    def wake(self) -> None:
        """Tell the worker a frame or settings arrived; never waits, whatever the worker's state.

        One byte on its stdin, written without blocking: a hung or starting worker that reads
        nothing fills the pipe and further bytes are dropped (the supervisor deals with the
        hang), a dead one's closed pipe is ignored. Where the pipe cannot be made non-blocking
        nothing is written and the worker keeps polling the channel.
        """
        fd = self._wake_fd
        if fd is not None:
            with contextlib.suppress(OSError):  # full (BlockingIOError), closed (BrokenPipeError)
                os.write(fd, b"\1")

    def _failed(self, now: float, reason: str) -> None:
        """Record why the worker is gone and schedule the next start."""
        self._failures += 1
        self.restarts += 1
        delay = backoff(self._failures)
        self._restart_at = now + delay
        self.exit_reason = reason
        self._log(f"{reason} Restart {self.restarts} in {delay:g} s.")

    def _hung(self, now: float) -> bool:
        """True when the heartbeat stopped for longer than the allowance (see module docstring)."""
        beats = self.channel.heartbeat.count()
        if beats != self._beats:
            self._beats, self._beat_at = beats, now
            if self._first_beat_at is None:
                self._first_beat_at = now
                self._startup_allowance = STARTUP_SECONDS
            return False
        if self._beat_at is None:
            return now - self._started_at > self._startup_allowance
        return now - self._beat_at > HANG_SECONDS

    def poll(self) -> None:
        """Restart a dead worker, kill a hung one; cheap and never waits (beyond reaping a kill)."""
        now = self._clock()
        if self._restart_at is not None:
            if now >= self._restart_at:
                self._start()
            return
        if self._process is None:
            return
        code = self._process.poll()
        if code is None:
            if not self._hung(now):
                return
            if self._beat_at is None:
                waited = now - self._started_at
                self._startup_allowance = min(2 * self._startup_allowance, MAX_STARTUP_SECONDS)
                reason = f"The worker did not finish starting within {waited:.0f} s and was killed."
            else:
                waited = now - self._beat_at
                reason = f"The worker stopped answering for {waited:.0f} s and was killed."
            self._stop_process()
        else:
            self._stop_process()  # already gone: closes our end of its stdin pipe
            reason = f"The worker stopped (exit code {code})."
        if self._first_beat_at is not None and now - self._first_beat_at >= HEALTHY_AFTER:
            self._failures = 0
        self._failed(now, reason)

    def _stop_process(self) -> None:
        """Kill the worker and reap it at once: it holds no state worth a graceful exit (the
        channel belongs to this side), and OBS must not wait for a worker that is busy
        importing or inferring."""
        process, self._process, self._wake_fd = self._process, None, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin is not None:
                process.stdin.close()
        with contextlib.suppress(OSError):
            process.kill()
        process.wait()

    def close(self) -> None:
        """Stop the worker and delete the channel; idempotent, returns within milliseconds."""
        self._restart_at = None
        self._stop_process()
        self.channel.close()


def _non_blocking(pipe: IO[bytes] | None) -> int | None:
    """The descriptor of ``pipe`` switched to non-blocking writes, or None where it cannot be
    (Windows before Python 3.12): blocking OBS's graphics thread on a full pipe is never an option."""
    if pipe is None:
        return None
    try:
        os.set_blocking(pipe.fileno(), False)
    except (AttributeError, OSError):
        return None
    return pipe.fileno()
