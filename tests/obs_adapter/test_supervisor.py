"""The worker supervisor's restart rules, with real worker processes and a test-driven clock.

The processes and the shared-memory channel are real; only the clock is the test's, so the
allowances (tens of seconds) are crossed without waiting for them. The worker is a stand-in
module that never beats by itself: the test beats for it through the channel, exactly what the
supervisor watches.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bgremove_obs.host.supervisor import HANG_SECONDS, HEALTHY_AFTER, STARTUP_SECONDS, WorkerProcess
from tests.support.procs import CRASH, process_alive, wait_until

RESTART = re.compile(r"Restart (\d+) in (\d+) s\.")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def silent_worker(tmp_path: Path) -> Path:
    """A code root whose ``bgremove_obs.worker.main`` starts and then never beats (waits on stdin)."""
    package = tmp_path / "bgremove_obs" / "worker"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text("import sys\nsys.stdin.read()\n")
    return tmp_path


@pytest.fixture
def supervised(silent_worker: Path) -> Iterator[tuple[WorkerProcess, Clock, list[str]]]:
    clock, lines = Clock(), []
    worker = WorkerProcess(Path(sys.executable), silent_worker, lines.append, clock=clock)
    yield worker, clock, lines
    worker.close()


def _restart_delays(lines: list[str]) -> list[int]:
    return [int(delay) for _, delay in RESTART.findall("\n".join(lines))]


def _next_start(worker: WorkerProcess, clock: Clock) -> int:
    """Let the scheduled restart happen; return the new worker's pid."""
    clock.now += 60
    worker.poll()
    assert worker.pid is not None and process_alive(worker.pid)
    return worker.pid


def _beat(worker: WorkerProcess) -> None:
    worker.channel.heartbeat.publish((), [])
    worker.poll()


def test_a_worker_that_never_starts_backs_off_instead_of_looping(supervised) -> None:
    worker, clock, lines = supervised
    for _ in range(4):
        pid = worker.pid
        assert pid is not None
        clock.now += STARTUP_SECONDS * 2**4  # past any start-up allowance
        worker.poll()
        assert worker.pid is None
        wait_until(lambda pid=pid: not process_alive(pid), what="the killed worker's exit")
        _next_start(worker, clock)
    assert _restart_delays(lines) == [0, 1, 2, 4], lines
    assert all("did not finish starting" in line for line in lines if "Restart" in line), lines


def test_the_start_up_allowance_grows_after_each_start_that_ran_out_of_it(supervised) -> None:
    worker, clock, lines = supervised
    clock.now += STARTUP_SECONDS + 1
    worker.poll()
    assert "did not finish starting within" in lines[-1]
    _next_start(worker, clock)
    clock.now += STARTUP_SECONDS + 1  # the first allowance: not enough to give up the second time
    worker.poll()
    assert worker.pid is not None, "the second start must get a longer allowance"
    _beat(worker)
    clock.now += HANG_SECONDS + 1
    worker.poll()
    assert "stopped answering" in lines[-1]


def test_healthy_time_counts_from_the_first_heartbeat(supervised) -> None:
    worker, clock, lines = supervised
    for _ in range(2):  # two deaths in a row, each after a long start-up and a short life
        clock.now += STARTUP_SECONDS - 1
        _beat(worker)
        clock.now += HEALTHY_AFTER / 2
        _beat(worker)
        assert worker.pid is not None
        os.kill(worker.pid, CRASH)
        wait_until(lambda: worker.poll() or worker.pid is None, what="the supervisor noticing the death")
        _next_start(worker, clock)
    assert _restart_delays(lines) == [0, 1], "a worker up for under HEALTHY_AFTER since its first beat"

    _beat(worker)
    clock.now += HEALTHY_AFTER + 1
    _beat(worker)
    assert worker.pid is not None
    os.kill(worker.pid, CRASH)
    wait_until(lambda: worker.poll() or worker.pid is None, what="the supervisor noticing the death")
    assert _restart_delays(lines) == [0, 1, 0], "answering for HEALTHY_AFTER resets the back-off"
