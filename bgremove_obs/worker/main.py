"""The filter's worker process: ``<venv python> -m bgremove_obs.worker.main <channel file>``.

Started by the OBS filter (:mod:`bgremove_obs.host.supervisor`); the work itself is in
:mod:`bgremove_obs.worker.server`. This module only wires the process up and makes every way it can
fail visible to the user: a missing package or an unloadable model becomes a status sentence
(shown in the filter's properties and OBS's log) and exit code 3; a refused setting or file, or
a frame that cannot be processed, becomes a status sentence and the worker carries on (a crash
would only restart it into the same frame). Every turn of the loop publishes a heartbeat, which
is how the supervisor tells a busy worker from a hung one.

Its stdin is a pipe that only OBS holds. EOF means OBS closed it (the filter was removed) or
died, and the worker exits: no orphan outlives OBS. A byte on it means "a frame or settings
arrived" (:meth:`~bgremove_obs.host.supervisor.WorkerProcess.wake`): once the first one came, the
idle worker sleeps until woken (at most :data:`BEAT_SECONDS`, so the heartbeat goes on) instead
of polling the channel every :data:`IDLE_SLEEP` seconds, which cost 0.03 cores for ~330 empty
turns a second. An OBS side that cannot wake it (no non-blocking pipes) is still polled.

On Windows nothing may sit in a blocking read on that pipe: Windows serialises other calls on a
synchronous pipe handle behind a pending read (the C runtime of every DLL loaded while importing
numpy or MediaPipe queries the standard handles), so the imports would wait for OBS's next byte.
There the watch only peeks (``PeekNamedPipe``) and reads the bytes already waiting.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bgremove_core import systems

from ..wire.channel import Channel
from ..wire.protocol import Level

IDLE_SLEEP = 0.003
"""Idle poll interval until the OBS side has shown that it wakes the worker."""
BEAT_SECONDS = 0.25
"""Longest idle sleep once woken by OBS: the heartbeat's period, far inside the supervisor's
``HANG_SECONDS``."""
EXIT_BROKEN = 3
"""Exit code for "cannot work in this environment" (missing package, unloadable model)."""


class _Stdin:
    """Watches the pipe from OBS: bytes are wake-ups, EOF is the order to stop."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.woken = threading.Event()
        self.wakes = False
        """Whether OBS has woken us at least once (then it does so for every frame and setting)."""
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        """Reads the raw descriptor: a daemon thread blocked in ``sys.stdin.buffer.read`` holds the
        buffer's lock, and an interpreter exiting for another reason (exit code 3) then aborts
        with "could not acquire lock for <stdin> at interpreter shutdown" instead of exiting.
        """
        fd = sys.stdin.fileno()
        read = _peeking_reader(fd) if sys.platform == "win32" else lambda: os.read(fd, 4096)
        try:
            while read():
                self.wakes = True
                self.woken.set()
        finally:
            self.stop.set()
            self.woken.set()

    def idle(self, due: float) -> None:
        """Sleep until woken, or ``due`` seconds pass (0: nothing is due), whichever comes first."""
        longest = BEAT_SECONDS if self.wakes else IDLE_SLEEP
        self.woken.wait(min(due, longest) if due > 0 else longest)


def _peeking_reader(fd: int) -> Callable[[], bytes]:
    """Windows: a read of the pipe ``fd`` that never blocks in ``ReadFile`` (see the module
    docstring). It waits, peeking every :data:`IDLE_SLEEP` seconds, until bytes are there, then
    reads exactly those; b"" once the pipe is closed or broken (EOF)."""
    if sys.platform != "win32":
        raise OSError("PeekNamedPipe exists on Windows only")
    import ctypes
    import msvcrt
    from ctypes import wintypes

    peek = ctypes.WinDLL("kernel32").PeekNamedPipe
    peek.argtypes = [
        wintypes.HANDLE,
        wintypes.LPVOID,
        wintypes.DWORD,
        wintypes.LPVOID,
        ctypes.POINTER(wintypes.DWORD),
        wintypes.LPVOID,
    ]
    peek.restype = wintypes.BOOL
    handle = msvcrt.get_osfhandle(fd)
    waiting = wintypes.DWORD()

    def read() -> bytes:
        while peek(handle, None, 0, None, ctypes.byref(waiting), None):
            if waiting.value:
                return os.read(fd, waiting.value)
            time.sleep(IDLE_SLEEP)
        return b""

    return read


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bgremove_obs.worker.main <channel file>", file=sys.stderr)
        return 2
    channel = Channel.open(Path(argv[0]))
    stdin = _Stdin()
    try:
        from bgremove_core.errors import BgRemoveError

        from .server import MaskServer

        worker = MaskServer(channel)
    except Exception as error:  # missing package or unloadable model: say it, then exit
        reason = str(error).rstrip(".")
        text = f"The worker cannot run with {sys.executable}: {reason}. Fix: {systems.repair_hint()}."
        channel.status.publish((Level.ERROR,), [text.encode()])
        channel.close()
        return EXIT_BROKEN
    failure = ""
    try:
        while not stdin.stop.is_set():
            stdin.woken.clear()  # before looking at the channel: a wake-up from now on is kept
            channel.heartbeat.publish((), [])
            try:
                busy = worker.step()
            except BgRemoveError as error:  # e.g. a background file that went away
                worker.say(Level.ERROR, str(error))
                busy = False
            except Exception as error:  # a bug: say it (traceback once, to stderr) and keep serving
                text = f"The worker failed on a frame ({type(error).__name__}: {error})."
                if text != failure:
                    traceback.print_exc()
                    failure = text
                worker.say(Level.ERROR, text)
                busy = False
            if not busy:
                stdin.idle(worker.wait_time())
    finally:
        worker.close()
        channel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
