"""The supervisor with the real worker process (the venv's Python, real MediaPipe).

Start, answer, crash and restart, a missing interpreter and a clean close: each test waits for
the state it checks (the deadline only catches hangs). The restart rules with a test-driven clock
are in test_supervisor.py; hang detection needs HANG_SECONDS of silence by design and is covered
by the real-OBS reliability suite.

The same tests run under Windows Python (``make test-windows``, tests/windows): there a crash is
``TerminateProcess`` (``os.kill`` with SIGTERM) and SIGSTOP does not exist.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from bgremove_obs.host import supervisor
from bgremove_obs.host.supervisor import WorkerProcess
from bgremove_obs.wire import formats
from bgremove_obs.wire.protocol import COLOUR_INFO
from tests.support.paths import REPO
from tests.support.procs import CRASH, wait_until


def _wait(worker: WorkerProcess, condition: Callable[[], bool], what: str) -> None:
    """Poll the supervisor (as OBS's tick does) until ``condition`` holds."""
    wait_until(lambda: worker.poll() or condition(), what=what)


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def worker(lines: list[str]) -> Iterator[WorkerProcess]:
    made = WorkerProcess(Path(sys.executable), REPO, lines.append)
    yield made
    made.close()


def _send_frame(worker: WorkerProcess, number: int) -> None:
    pixels = np.full((48, 64, 4), 128, np.uint8)
    meta = (number, 64, 48, formats.VIDEO_FORMAT_BGRA, 64 * 4, 0, 0)
    assert worker.channel.frames.publish(meta, [bytes(COLOUR_INFO.size), pixels.reshape(-1).data])


def test_backoff_doubles_up_to_the_cap() -> None:
    delays = [supervisor.backoff(n) for n in range(1, 12)]
    assert delays[0] == 0 and delays[1] == supervisor.FIRST_BACKOFF
    assert all(b == min(2 * a, supervisor.MAX_BACKOFF) for a, b in itertools.pairwise(delays[1:]))
    assert delays[-1] == supervisor.MAX_BACKOFF


def test_a_worker_answers_its_first_frame_without_any_byte_on_stdin(worker: WorkerProcess) -> None:
    """Nothing is written to the new worker's stdin: its imports, model loading and first answer
    must not wait for a wake-up (on Windows a blocking read of that pipe held them all back)."""
    _send_frame(worker, 1)
    _wait(worker, _answered(worker, 1), "the answer to a frame sent without a wake-up")
    assert worker.restarts == 0


def test_a_worker_answers_then_is_restarted_after_a_crash(worker: WorkerProcess, lines: list[str]) -> None:
    _send_frame(worker, 1)
    _wait(worker, lambda: worker.alive, "the first worker's answer")
    first = worker.pid
    assert first is not None
    os.kill(first, CRASH)
    _wait(worker, lambda: worker.restarts == 1, "the supervisor noticing the crash")
    assert "exit code" in worker.exit_reason
    _wait(worker, lambda: worker.pid not in (None, first), "the restart")
    assert not worker.alive, "the dead worker's last mask is not the current one"
    _send_frame(worker, 2)
    _wait(worker, lambda: worker.alive, "the restarted worker's answer")
    assert worker.exit_reason == ""
    assert sum("worker started" in line for line in lines) == 2


def test_a_missing_interpreter_is_a_reason_not_an_exception(tmp_path: Path, lines: list[str]) -> None:
    made = WorkerProcess(tmp_path / "no-python", REPO, lines.append)
    try:
        assert made.pid is None and made.restarts == 1
        assert "could not be started" in made.exit_reason
        made.poll()
    finally:
        made.close()


def test_close_stops_the_worker_and_removes_the_channel(lines: list[str]) -> None:
    made = WorkerProcess(Path(sys.executable), REPO, lines.append)
    pid, path = made.pid, made.channel.path
    assert pid is not None
    made.close()
    made.close()
    assert not path.exists()
    if sys.platform != "win32":  # Windows has no zombies to reap
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left behind


def _answered(worker: WorkerProcess, number: int) -> Callable[[], bool]:
    def check() -> bool:
        message = worker.channel.masks.read(again=True)
        return message is not None and message.meta[0] == number

    return check


def _beats_on(worker: WorkerProcess, beats: int) -> Callable[[], bool]:
    start = worker.channel.heartbeat.count()
    return lambda: worker.channel.heartbeat.count() >= start + beats


def test_a_woken_worker_answers_every_frame_and_beats_while_idle(worker: WorkerProcess) -> None:
    """Once woken through its stdin the idle worker sleeps until the next wake-up, but never
    longer than a heartbeat period: frames are answered, and an idle worker is not taken for hung."""
    for number in (1, 2):
        _send_frame(worker, number)
        worker.wake()
        _wait(worker, _answered(worker, number), f"the answer to frame {number}")
        _wait(worker, _beats_on(worker, 3), "idle heartbeats")
    assert worker.restarts == 0


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGSTOP to stop the worker with")
def test_wake_never_blocks_on_a_stopped_worker(worker: WorkerProcess) -> None:
    """A worker that reads nothing (stopped here, hung or starting in life) fills its stdin pipe;
    OBS's threads calling wake() must return anyway, and the worker drains it when it goes on."""
    _send_frame(worker, 1)
    _wait(worker, lambda: worker.alive, "the first answer")
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        waker = threading.Thread(target=lambda: [worker.wake() for _ in range(300_000)], daemon=True)
        waker.start()
        wait_until(lambda: not waker.is_alive(), what="300000 wake-ups of a stopped worker")
    finally:
        os.kill(pid, signal.SIGCONT)
    _send_frame(worker, 2)
    worker.wake()
    _wait(worker, _answered(worker, 2), "the answer after the stop")
