"""How fast the OBS filter recovers from faults, in real OBS: the figures the tests do not assert.

The reliability tests (tests/reliability/obs) check that a killed worker is replaced, a hung one
is killed by the watchdog and a removed filter lets go of its worker, each within a deadline that
only catches hangs. How long each takes depends on the machine and its load, so it is measured
here, printed, and recorded in docs/RELIABILITY.md:

- ``kill -9`` of the worker: seconds until the new worker's first mask, and until the picture
  composites again (a fresh interpreter imports OpenCV and MediaPipe and loads the model);
- ``SIGSTOP`` of the worker: seconds until the watchdog has killed it (heartbeat timeout
  ``HANG_SECONDS`` of bgremove_obs/host/supervisor.py);
- ``RemoveSourceFilter``: median and slowest of 100 add/remove cycles on a playing source.

    python -m bench.reliability [--runs 3] [--cycles 100] [--workdir DIR]

Run it on a quiet machine (under ``flock /tmp/bgremove-heavy.lock`` here).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.support.obs import Obs
from tests.support.paths import LUCIA, SCRIPT
from tests.support.procs import wait_until
from tests.support.rig import GREEN, KIND, composites, worker_channel, worker_pids

SOURCE, FILTER = "clip", "bg"
T = TypeVar("T")


def _since(start: float) -> float:
    return time.monotonic() - start


def _compositing(obs: Obs) -> None:
    obs.add_media(SOURCE, LUCIA)
    obs.add_filter(SOURCE, FILTER, KIND, GREEN)
    obs.wait_rendering(SOURCE, ready=composites(GREEN))


def kill_recovery(obs: Obs) -> tuple[float, float]:
    """(first mask of the new worker, compositing again) in seconds after ``kill -9``."""
    _compositing(obs)
    first = worker_pids(obs)[-1]
    with worker_channel(first) as channel:
        before = channel.masks.count()
        os.kill(first, signal.SIGKILL)
        killed = time.monotonic()
        wait_until(lambda: not Path(f"/proc/{first}").exists(), what="OBS reaping the killed worker")
        dead = max(before, channel.masks.count())
        wait_until(lambda: channel.masks.count() > dead, what="the new worker's first mask", interval=0.01)
        answered = _since(killed)
    obs.wait_rendering(SOURCE, ready=composites(GREEN))
    return answered, _since(killed)


def watchdog(obs: Obs) -> float:
    """Seconds from ``SIGSTOP`` of the worker until the watchdog has killed it."""
    _compositing(obs)
    first = worker_pids(obs)[-1]
    os.kill(first, signal.SIGSTOP)
    stopped = time.monotonic()
    wait_until(lambda: "The worker stopped answering" in obs.run_log, what="the watchdog", interval=0.01)
    return _since(stopped)


def removals(obs: Obs, cycles: int) -> list[float]:
    """Seconds each ``RemoveSourceFilter`` took, over ``cycles`` add/remove cycles."""
    obs.add_media(SOURCE, LUCIA)
    obs.wait_rendering(SOURCE)
    seconds = []
    for cycle in range(cycles):
        obs.add_filter(SOURCE, FILTER, KIND, GREEN)
        if cycle % 10 == 0:  # a worker fully started, textures created, as in the churn test
            obs.wait_rendering(SOURCE, ready=composites(GREEN))
        started = time.monotonic()
        obs.remove_filter(SOURCE, FILTER)
        seconds.append(_since(started))
    return seconds


def _in_fresh_obs(workdir: Path, name: str, measure: Callable[[Obs], T]) -> T:
    with Obs(workdir / name, scripts=[SCRIPT]) as obs:
        return measure(obs)


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the kill and hang cases")
    parser.add_argument("--cycles", type=int, default=100, help="add/remove cycles")
    parser.add_argument("--workdir", type=Path, help="keep OBS's logs here (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bgremove-reliability-") as scratch:
        workdir = (args.workdir or Path(scratch)).resolve()
        answered, recovered, noticed = [], [], []
        for run in range(args.runs):
            mask, again = _in_fresh_obs(workdir, f"kill-{run}", kill_recovery)
            answered.append(mask)
            recovered.append(again)
            noticed.append(_in_fresh_obs(workdir, f"hang-{run}", watchdog))
            print(f"run {run + 1}: kill -9 -> first mask {mask:.2f} s, compositing {again:.2f} s; "
                  f"SIGSTOP -> killed by the watchdog after {noticed[-1]:.2f} s", flush=True)  # fmt: skip
        removed = _in_fresh_obs(workdir, "churn", lambda obs: removals(obs, args.cycles))
    print(f"kill -9: the new worker's first mask {_spread(answered)}")
    print(f"kill -9: compositing again {_spread(recovered)}")
    print(f"SIGSTOP: killed by the watchdog {_spread(noticed)}")
    print(
        f"RemoveSourceFilter x{len(removed)}: median {statistics.median(removed) * 1000:.0f} ms, "
        f"slowest {max(removed) * 1000:.0f} ms"
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
