"""File jobs pipelined on threads: errors and cancels stop every thread, items keep their order."""

from __future__ import annotations

import threading

import pytest

from bgremove_core.filejob import Cancelled
from bgremove_core.filejob.flow import Stage, run_chain


def _bgremove_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bgremove-")]


def test_an_error_in_a_stage_stops_the_chain_and_is_raised() -> None:
    seen: list[int] = []

    def fail_at_five(i: int) -> int:
        if i == 5:
            raise ValueError("stage failed at 5")
        return i

    with pytest.raises(ValueError, match="stage failed at 5"):
        run_chain(iter(range(10_000)), [Stage("check", fail_at_five), Stage("sink", seen.append)])
    assert seen == [0, 1, 2, 3, 4]
    assert _bgremove_threads() == []


def test_cancel_stops_every_thread_and_raises_cancelled() -> None:
    cancel = threading.Event()
    started = threading.Event()

    def endless():
        i = 0
        while True:
            yield i
            i += 1

    def sink(i: int) -> None:
        started.set()
        if i == 50:
            cancel.set()

    with pytest.raises(Cancelled):
        run_chain(endless(), [Stage("sink", sink)], cancel=cancel)
    assert started.is_set()
    assert _bgremove_threads() == []


def test_finish_runs_once_after_the_last_item_in_order() -> None:
    events: list[object] = []
    run_chain(
        range(3), [Stage("a", lambda i: i * 10), Stage("b", events.append, lambda: events.append("end"))]
    )
    assert events == [0, 10, 20, "end"]
