"""The filter's worker process: ``<venv python> -m bgremove_obs.worker <channel file>``.

Started by the OBS filter (:mod:`bgremove_obs.supervisor`); the work itself is in
:mod:`bgremove_obs.engine`. This module only wires the process up and makes every way it can
fail visible to the user: a missing package or an unloadable model becomes a status sentence
(shown in the filter's properties and OBS's log) and exit code 3; a refused setting or file, or
a frame that cannot be processed, becomes a status sentence and the worker carries on (a crash
would only restart it into the same frame). Every turn of the loop publishes a heartbeat, which
is how the supervisor tells a busy worker from a hung one.

It exits when its stdin reaches EOF: OBS holds the other end, so EOF means OBS closed it (the
filter was removed) or died. No orphan outlives OBS.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from pathlib import Path

from .channel import Channel
from .protocol import Level

IDLE_SLEEP = 0.003
EXIT_BROKEN = 3
"""Exit code for "cannot work in this environment" (missing package, unloadable model)."""


def _watch_stdin(stop: threading.Event) -> None:
    """OBS holds the other end of our stdin: EOF means it closed it or died.

    Reads the raw descriptor: a daemon thread blocked in ``sys.stdin.buffer.read`` holds the
    buffer's lock, and an interpreter exiting for another reason (exit code 3) then aborts
    with "could not acquire lock for <stdin> at interpreter shutdown" instead of exiting.
    """
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass
    finally:
        stop.set()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bgremove_obs.worker <channel file>", file=sys.stderr)
        return 2
    channel = Channel.open(Path(argv[0]))
    stop = threading.Event()
    threading.Thread(target=_watch_stdin, args=(stop,), daemon=True).start()
    try:
        from bgremove_core.errors import BgRemoveError

        from .engine import Worker

        worker = Worker(channel)
    except Exception as error:  # missing package or unloadable model: say it, then exit
        reason = str(error).rstrip(".")
        text = f"The worker cannot run with {sys.executable}: {reason}. Fix: run `bash install/install.sh`."
        channel.status.publish((Level.ERROR,), [text.encode()])
        channel.close()
        return EXIT_BROKEN
    failure = ""
    try:
        while not stop.is_set():
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
                time.sleep(IDLE_SLEEP)
    finally:
        worker.close()
        channel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
